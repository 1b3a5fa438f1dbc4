/**
 * Zod schema of the daemon's config file (`lifeboat.yaml`). Strict
 * everywhere: a typo must never be silently ignored. The published JSON
 * Schema (`schema/lifeboat.config.schema.json`) is generated from it.
 *
 * Credentials never appear in the file: only the names of environment
 * variables, profiles or key-file variables that hold them. Each provider
 * entry's keys come from its adapter's factory (`adapters/registry.ts`).
 */
import { z } from 'zod';
import { policyOverridesSchema } from '../../../core/controller/Policy.js';
import { parseDurationSeconds } from '../../../core/util/duration.js';
import { hooksSchema, notificationsSchema } from '../hooks/hooksSchema.js';
import { adapterConfigSchema, envNameSchema as envName, idSchema as id } from '../../../../adapters/registry.js';

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

/**
 * One configured provider: the registry's union of every adapter's own
 * schema (each adapter owns its keys; the daemon knows none of them).
 */
export const providerConfigSchema = adapterConfigSchema;

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
    healthChecks: z
      .strictObject({
        withoutToken: z.boolean().optional().describe('serve GET /primary/..., /replica/..., /zone/... without a token even when a read token is configured (default false: they need the read token, which HAProxy sends with http-check send hdr Authorization)'),
        maxPictureAge: seconds.optional().describe('oldest leader picture the health checks answer from (default 30s); older, they all answer 503'),
      })
      .optional()
      .describe("health checks for your own load balancers (HAProxy's option httpchk): which instance is the primary, which replicas stream, which zones serve"),
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
  mode: z
    .enum(['act', 'observe'])
    .optional()
    .describe('act (default) runs the plan; observe (shadow mode) decides, audits and reports what it would do and makes no mutating call. Same as policy.mode'),
  api: apiSchema.optional(),
  journal: z.string().min(1).describe('crash-safe journal file (controller memory, steps in flight)'),
  audit: z.string().min(1).describe('append-only JSON-lines audit log'),
  reports: z.string().min(1).optional().describe('directory for post-mortem reports (default: next to the audit log)'),
  etcd: etcdSchema.optional(),
  hooks: hooksSchema.optional().describe('commands run before a promotion (may veto), after a failover, on a role change'),
  notifications: notificationsSchema.optional().describe('webhooks: signed JSON payloads of the events you choose'),
});

/** The config as validated, before paths are resolved. */
export type DaemonConfigFile = z.output<typeof daemonConfigSchema>;
/** One validated provider entry. */
export type ProviderConfig = z.output<typeof providerConfigSchema>;
