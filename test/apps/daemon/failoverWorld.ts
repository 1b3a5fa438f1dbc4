/**
 * The world and daemon config the daemon's process tests share: three local
 * zones, `orders` with a sync replica in local-b and an async one in local-c,
 * and local-a going dark at `impairAt`. The failover plan is: promote
 * orders-b, then re-point orders-c to it.
 */
export function failoverWorld(options: { name: string; impairAt: string; latency: string; webGroup?: boolean }): string {
  const group = options.webGroup
    ? `  groups:
    - { id: web, provider: local, region: local, nodes: { local-a: 2, local-b: 2, local-c: 2 } }
`
    : '';
  return `name: ${options.name}
duration: 10m
topology:
  providers:
    - id: local
      latency: { ${options.latency} }
      regions: [{ id: local, zones: [local-a, local-b, local-c] }]
${group}  databases:
    - id: orders
      writes: 10
      primary: { provider: local, region: local, zone: local-a }
      replicas:
        - { id: orders-b, provider: local, region: local, zone: local-b, mode: sync }
        - { id: orders-c, provider: local, region: local, zone: local-c, mode: async, lag: 1s }
events:
  - { at: ${options.impairAt}, impair: { zone: local-a, mode: unreachable } }
`;
}

/**
 * A daemon config over that world with a fast policy (200 ms rounds), so a
 * failover completes in a few seconds of wall time. `provider` is the sim
 * provider's source (`url: "..."` or `world: world.yaml`); `extra` is
 * appended as is (e.g. an `etcd:` section); `token` is the API's operate
 * token (none by default: mutating endpoints disabled).
 */
export function fastDaemonConfig(options: { id: string; provider: string; webGroup?: boolean; extra?: string; token?: string }): string {
  const group = options.webGroup ? `  groups: [{ id: web, provider: local, region: local, minHealthy: 6 }]\n` : '';
  return `id: ${options.id}
providers:
  - { type: sim, ${options.provider} }
protect:
  regions: [{ provider: local, region: local }]
${group}  databases: [{ cluster: orders }]
policy: { probeInterval: 200ms, probeTimeout: 150ms, observeInterval: 1s, suspectObserveInterval: 200ms, failedRounds: 2, impairedAfter: 500ms, replicationStaleAfter: 500ms, callTimeout: 3s }
api: { listen: "127.0.0.1:0"${options.token ? `, token: ${options.token}` : ''} }
journal: state/journal.json
audit: state/audit.jsonl
${options.extra ?? ''}`;
}
