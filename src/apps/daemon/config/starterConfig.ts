/**
 * The config `lifeboat init` writes: commented, valid as is, and runnable
 * without any cloud (a simulated local topology, in real time).
 */
export const STARTER_CONFIG = `# Lifeboat daemon config. Validate with: lifeboat config check lifeboat.yaml
# Run with: lifeboat daemon --config lifeboat.yaml
# JSON Schema for editors: schema/lifeboat.config.schema.json

# This daemon's name in the audit log (default: hostname-pid).
id: lifeboat-1

providers:
  # A simulated world, so this file runs anywhere. Replace it with real providers:
  #   - type: aws
  #     regions: [us-east-1]
  #     profile: prod                 # or credentials: { accessKeyIdEnv: AWS_ACCESS_KEY_ID, secretAccessKeyEnv: AWS_SECRET_ACCESS_KEY }
  #   - type: gcp
  #     project: my-project
  #     credentialsFileEnv: GOOGLE_APPLICATION_CREDENTIALS
  #   - type: local                   # real PostgreSQL and node processes on this machine
  #     topology: { databases: [{ id: orders, primary: { zone: local-a }, replicas: [{ id: orders-b, zone: local-b, mode: sync }] }] }
  # Credentials never go in this file: only the names of variables or profiles that hold them.
  - type: sim
    topology:
      providers:
        - id: local
          regions:
            - id: local
              zones: [local-a, local-b, local-c]
      groups:
        - id: web
          provider: local
          region: local
          nodes: { local-a: 2, local-b: 2, local-c: 2 }
      databases:
        - id: orders
          primary: { provider: local, region: local, zone: local-a }
          replicas:
            - { id: orders-b, provider: local, region: local, zone: local-b, mode: sync }
            - { id: orders-c, provider: local, region: local, zone: local-c, mode: async, lag: 1s }

# What to protect.
protect:
  regions:
    - { provider: local, region: local }
  groups:
    - { id: web, provider: local, region: local, minHealthy: 6 }
  databases:
    - { cluster: orders }

# Controller policy: the same keys as \`lifeboat replay --policy\` (defaults are the production ones).
policy:
  blipTolerance: 3s   # probe, round and replication-silence settings follow from it (README, "Policy")
  maxDataLoss: 30s
  # approveFailovers: true      # a failover waits for \`lifeboat approve <database>\`...
  # approvalTimeout: 2m         # ...at most this long from the primary's failure,
  # onApprovalTimeout: proceed  # then runs anyway (or: abandon)

# Shadow mode: decide, audit and report what it would do (lifeboat status,
# "would do"), and make no mutating call. Default: act.
# mode: observe

# HTTP API: loopback only unless a token is set. Tokens have at least 16
# characters (openssl rand -hex 32). The operate token pauses, resumes and
# switches over; a read token, when set, is needed for status, events, metrics.
api:
  listen: 127.0.0.1:7400
  tokenEnv: LIFEBOAT_API_TOKEN
  # readTokenEnv: LIFEBOAT_READ_TOKEN
  # tls: { cert: tls/api.crt, key: tls/api.key }   # HTTPS, re-read on SIGHUP
  # requireTls: true                               # refuse plain HTTP off loopback

# Crash-safe journal of the controller's memory, and the append-only audit log.
journal: lifeboat-state/journal.json
audit: lifeboat-state/audit.jsonl
# Post-mortem reports (default: next to the audit log).
reports: lifeboat-state/reports

# High availability: run several daemons against one etcd; only the holder of
# the leader key acts, and the journal moves to etcd. Without this section a
# lock file next to the journal keeps a single daemon.
# etcd:
#   endpoints: [http://127.0.0.1:2379]
#   prefix: /lifeboat
#   ttl: 10s
`;
