/**
 * Zod schema of the daemon's config file (`lifeboat.yaml`). Strict
 * everywhere: a typo must never be silently ignored. The published JSON
 * Schema (`schema/lifeboat.config.schema.json`) is generated from it.
 *
 * Credentials never appear in the file: only the names of environment
 * variables, profiles or key-file variables that hold them.
 */
import { z } from 'zod';
import { policyOverridesSchema } from '../../../core/controller/Policy.js';
import { parseDurationSeconds } from '../../../core/util/duration.js';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** The name of an environment variable (never its value). */
const envName = z
  .string()
  .regex(ENV_NAME, { message: 'expected the name of an environment variable (letters, digits, underscores)' })
  .describe('name of an environment variable that holds the secret');

const id = z.string().min(1);
const HOST_PORT = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;
/** `host:port`, e.g. `127.0.0.1:8080`. */
export const listenSchema = z
  .string()
  .refine((v) => Number(HOST_PORT.exec(v)?.[2] ?? Infinity) <= 65535, { message: 'expected host:port with a port up to 65535, e.g. 127.0.0.1:8080' });

const seconds = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const s = parseDurationSeconds(value);
  if (s === undefined || s <= 0) {
    ctx.addIssue({ code: 'custom', message: `expected a duration greater than zero like 90s, 2.5m or a number of seconds, got ${JSON.stringify(value)}` });
    return z.NEVER;
  }
  return s;
});

/** A simulated world (no cloud needed): inline topology, a scenario file, or a remote `lifeboat sim-serve`. */
export const simProviderSchema = z
  .strictObject({
    type: z.literal('sim'),
    topology: z
      .record(z.string(), z.unknown())
      .optional()
      .describe('the world, in the scenario topology format (providers, groups, databases)'),
    world: z.string().min(1).optional().describe('a scenario file whose topology and events make the world'),
    url: z.string().url().optional().describe('a world served by `lifeboat sim-serve` (http://127.0.0.1:PORT)'),
    seed: z.number().int().min(0).optional(),
    timeScale: z.number().positive().max(1000).optional().describe('world seconds per wall second (default 1)'),
  })
  .refine((v) => [v.topology, v.world, v.url].filter((x) => x !== undefined).length === 1, {
    message: 'a sim provider needs exactly one of topology, world or url',
  });

/** Real PostgreSQL servers and node processes on this machine. */
export const localProviderSchema = z.strictObject({
  type: z.literal('local'),
  id: id.optional(),
  region: id.optional(),
  zones: z.array(id).min(1).optional(),
  createPostgresUser: z.boolean().optional(),
  topology: z
    .strictObject({
      groups: z.array(z.strictObject({ id, size: id.optional(), nodes: z.record(z.string(), z.number().int().min(0)) })).optional(),
      databases: z
        .array(
          z.strictObject({
            id,
            primary: z.strictObject({ zone: id, id: id.optional() }),
            replicas: z.array(z.strictObject({ id, zone: id, mode: z.enum(['sync', 'async']).optional() })).optional(),
          }),
        )
        .optional(),
    })
    .optional(),
});

/** Amazon Web Services (EC2, RDS, CloudWatch). */
export const awsProviderSchema = z.strictObject({
  type: z.literal('aws'),
  id: id.optional(),
  regions: z.array(id).min(1),
  profile: id.optional().describe('shared-config profile to use (AWS_PROFILE otherwise)'),
  credentials: z
    .strictObject({ accessKeyIdEnv: envName, secretAccessKeyEnv: envName, sessionTokenEnv: envName.optional() })
    .optional()
    .describe('environment variables holding static credentials; default: the SDK provider chain'),
  endpoint: z.string().url().optional(),
  probePort: z.number().int().min(1).max(65535).optional(),
  images: z.record(z.string(), z.string()).optional(),
  launchTemplates: z.record(z.string(), z.string()).optional(),
  subnets: z.record(z.string(), z.string()).optional(),
  defaultSize: id.optional(),
});

/** Google Cloud (Compute Engine, Cloud SQL). */
export const gcpProviderSchema = z.strictObject({
  type: z.literal('gcp'),
  id: id.optional(),
  project: id.optional(),
  regions: z.array(id).min(1).optional(),
  credentialsFileEnv: envName.optional().describe('environment variable naming a service-account key file; default: ADC'),
  probePort: z.number().int().min(1).max(65535).optional(),
  sourceImage: z.string().optional(),
  instanceTemplate: z.string().optional(),
  network: z.string().optional(),
  defaultSize: id.optional(),
});

/** One configured provider. */
export const providerConfigSchema = z.discriminatedUnion('type', [
  simProviderSchema,
  localProviderSchema,
  awsProviderSchema,
  gcpProviderSchema,
]);

/** What the daemon protects. */
export const protectSchema = z.strictObject({
  regions: z.array(z.strictObject({ provider: id, region: id })).min(1).describe('regions to watch'),
  groups: z
    .array(z.strictObject({ id, provider: id, region: id, minHealthy: z.number().int().min(0), size: id.optional() }))
    .optional(),
  databases: z
    .array(z.strictObject({ cluster: id, provider: id.optional() }))
    .optional()
    .describe('clusters to fail over; default: every database listed in the watched regions'),
});

/** How the controller probes nodes and databases of real clouds (sim and local bring their own probes). */
export const probesSchema = z.strictObject({
  node: z
    .discriminatedUnion('type', [
      z.strictObject({ type: z.literal('tcp') }),
      z.strictObject({ type: z.literal('http'), path: z.string().startsWith('/').optional() }),
    ])
    .optional(),
  database: z.strictObject({ type: z.literal('tcp') }).optional(),
});

/** The HTTP API: where it listens, who may use it (a token per role), and TLS. */
export const apiSchema = z
  .strictObject({
    listen: listenSchema.optional().describe('host:port; default 127.0.0.1:7400. Every address the host resolves to must be loopback unless a token is configured'),
    token: z.string().min(16).optional().describe('operate token (pause, resume, switchover, and everything read allows), at least 16 characters; prefer tokenEnv'),
    tokenEnv: envName.optional().describe('environment variable holding the operate token (at least 16 characters)'),
    readToken: z.string().min(16).optional().describe('read token (GET /status, /events, /metrics), at least 16 characters; without one, reads are open to whoever reaches the API. Prefer readTokenEnv'),
    readTokenEnv: envName.optional().describe('environment variable holding the read token (at least 16 characters)'),
    hosts: z
      .array(z.string().regex(/^[A-Za-z0-9.-]+$/, { message: 'expected a host name such as lifeboat.internal' }))
      .optional()
      .describe('more names clients use to reach the API, accepted in the Host header (localhost, the listen host, this machine\'s name and IP addresses always are)'),
    tls: z
      .strictObject({
        cert: z.string().min(1).describe('PEM certificate chain file'),
        key: z.string().min(1).describe('PEM private key file'),
      })
      .optional()
      .describe('serve HTTPS; both files are read again on SIGHUP'),
    requireTls: z.boolean().optional().describe('refuse to start when the API would serve plain HTTP on an address that is not loopback (default false)'),
  })
  .refine((v) => !(v.token !== undefined && v.tokenEnv !== undefined), { message: 'give token or tokenEnv, not both' })
  .refine((v) => !(v.readToken !== undefined && v.readTokenEnv !== undefined), { message: 'give readToken or readTokenEnv, not both' });

/** Leader election on etcd: several daemons, one acts (the holder of the leader key). */
export const etcdSchema = z.strictObject({
  endpoints: z.array(z.string().url()).min(1).describe('etcd client URLs, e.g. http://10.0.0.5:2379'),
  prefix: z.string().min(1).optional().describe('key prefix shared by the daemons of one deployment (default /lifeboat)'),
  ttl: seconds.optional().describe('leader lease time to live, whole seconds >= 2 (default 10s); the leader stops acting ttl/2 after its last confirmed keepalive'),
});

/** The whole config file. */
export const daemonConfigSchema = z.strictObject({
  id: id.optional().describe('this daemon\'s id in the audit log (default: hostname-pid)'),
  providers: z.array(providerConfigSchema).min(1),
  protect: protectSchema,
  probes: probesSchema.optional(),
  policy: policyOverridesSchema.optional(),
  api: apiSchema.optional(),
  journal: z.string().min(1).describe('crash-safe journal file (controller memory, steps in flight)'),
  audit: z.string().min(1).describe('append-only JSON-lines audit log'),
  reports: z.string().min(1).optional().describe('directory for post-mortem reports (default: next to the audit log)'),
  etcd: etcdSchema.optional(),
});

/** The config as validated, before paths are resolved. */
export type DaemonConfigFile = z.output<typeof daemonConfigSchema>;
/** One validated provider entry. */
export type ProviderConfig = z.output<typeof providerConfigSchema>;
