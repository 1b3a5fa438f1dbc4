import { isIP } from 'node:net';
import { dirname, isAbsolute, resolve } from 'node:path';
import { isLoopbackAddress } from '../api/resolveListenAddress.js';
import { describeValue } from '../../replay/scenario/describeValue.js';
import type { PathSegment } from '../../replay/scenario/formatPath.js';
import { IssueList } from '../../replay/scenario/IssueList.js';
import { loadScenarioFile } from '../../replay/scenario/loadScenario.js';
import { readTopology } from '../../replay/scenario/readTopology.js';
import { isScenarioError, ScenarioError } from '../../replay/scenario/ScenarioError.js';
import type { Topology } from '../../replay/scenario/Scenario.js';
import { SourceDocument } from '../../replay/scenario/SourceDocument.js';
import type { DaemonConfig, ResolvedProvider } from './DaemonConfig.js';
import { hookExecutableProblem, type HookLookup } from '../hooks/hookExecutableProblem.js';
import { daemonConfigSchema } from './daemonConfigSchema.js';

/**
 * Leader lease ttl when the config does not say. Patroni keeps
 * `loop_wait + 2 * retry_timeout <= ttl` (10 + 2 * 10 <= 30 s); with our 2 s
 * probe loop and 4 s etcd retry budget that is 2 + 2 * 4 = 10 s. A leader
 * that cannot renew stops acting after ttl/2 = 5 s, and a successor takes
 * over after about 10 s: less than the default detection time of a dead zone
 * (3 failed rounds, at least 5 s of bad picture, confirmation reads), so a
 * crashed leader costs little, while a slow etcd (a keepalive every 2 s, each
 * cut off after 2 s) does not cause flapping leadership.
 */
export const DEFAULT_ETCD_TTL_SECONDS = 10;
/** Key prefix in etcd when the config does not say (give each deployment sharing an etcd its own). */
export const DEFAULT_ETCD_PREFIX = '/lifeboat';

/** Where the API listens when the config does not say. */
export const DEFAULT_LISTEN = '127.0.0.1:7400';

/** Checks beyond the file itself that a caller may ask for. */
export interface DaemonConfigChecks {
  /**
   * Look up each hook command's program this way: it must exist, be a
   * regular file and be executable (`lifeboat config check`). The daemon
   * does not ask: a hook that cannot start is not an answer, and a promotion
   * it guards goes ahead.
   */
  readonly hookExecutables?: HookLookup;
}

/**
 * Reads and validates a daemon config file (`.yaml`, `.yml` or `.json`),
 * including the world files its sim providers name.
 *
 * @throws {@link ScenarioError} listing every problem with file, key path and
 * line (the same messages as `lifeboat replay`).
 */
export async function loadDaemonConfig(path: string, checks: DaemonConfigChecks = {}): Promise<DaemonConfig> {
  return readDaemonConfig(await SourceDocument.load(path), checks);
}

/**
 * Parses and validates config text; `file` is used in messages, to choose
 * YAML or JSON, and to resolve relative paths.
 *
 * @throws {@link ScenarioError} listing every problem found.
 */
export async function parseDaemonConfig(text: string, file: string): Promise<DaemonConfig> {
  return readDaemonConfig(SourceDocument.parse(text, file));
}

/** Re-roots the topology reader's `topology.*` paths under a provider entry. */
class NestedIssues extends IssueList {
  constructor(
    source: SourceDocument,
    private readonly prefix: readonly PathSegment[],
  ) {
    super(source);
  }
  override add(path: readonly PathSegment[], message: string): void {
    super.add(this.map(path), message);
  }
  override lineOf(path: readonly PathSegment[]): number | undefined {
    return super.lineOf(this.map(path));
  }
  private map(path: readonly PathSegment[]): PathSegment[] {
    return path[0] === 'topology' ? [...this.prefix, ...path.slice(1)] : [...path];
  }
}

async function readDaemonConfig(source: SourceDocument, checks: DaemonConfigChecks = {}): Promise<DaemonConfig> {
  const { file, value } = source;
  if (value === undefined || typeof value !== 'object' || value === null || Array.isArray(value)) {
    const line = source.lineOf([]);
    throw new ScenarioError(file, {
      path: '',
      ...(line !== undefined ? { line } : {}),
      message: `expected a mapping (providers, protect, journal, audit, ...) at the top level, got ${describeValue(value)}`,
    });
  }
  const issues = new IssueList(source);
  const parsed = issues.parse(daemonConfigSchema, value, []);
  issues.throwIfAny();
  const config = parsed!;
  const base = dirname(resolve(file));
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(base, p));

  const providers: ResolvedProvider[] = [];
  const providerIds: string[] = [];
  for (const [i, entry] of config.providers.entries()) {
    if (entry.type !== 'sim') {
      providers.push(entry);
      providerIds.push(entry.id ?? entry.type);
      continue;
    }
    let topology: Topology | undefined;
    if (entry.topology !== undefined) {
      const sub = new NestedIssues(source, ['providers', i, 'topology']);
      topology = readTopology(entry.topology, sub).topology;
      sub.throwIfAny();
      providers.push({ ...entry, resolvedTopology: topology });
    } else if (entry.world !== undefined) {
      const worldFile = abs(entry.world);
      try {
        const scenario = await loadScenarioFile(worldFile);
        topology = scenario.topology;
        providers.push({ ...entry, world: worldFile, resolvedTopology: topology, scenario });
      } catch (error) {
        if (!isScenarioError(error)) throw error;
        issues.add(['providers', i, 'world'], `the world file is not valid:\n${error.message}`);
      }
    } else {
      providers.push(entry);
    }
    for (const p of topology?.providers ?? []) providerIds.push(p.id);
  }
  issues.throwIfAny();

  // Cross-references: unknown provider ids are a typo, unless a remote sim could serve anything.
  const remote = config.providers.some((p) => p.type === 'sim' && p.url !== undefined);
  const seen = new Set<string>();
  for (const [i, pid] of providerIds.entries()) {
    if (seen.has(pid)) issues.add(['providers'], `provider id ${pid} is configured twice (entry ${i}); give each an id`);
    seen.add(pid);
  }
  const checkProvider = (path: PathSegment[], pid: string | undefined) => {
    if (pid === undefined || remote || seen.has(pid)) return;
    issues.add(path, `unknown provider ${pid} (configured: ${[...seen].join(', ') || 'none'})`);
  };
  config.protect.regions.forEach((r, i) => checkProvider(['protect', 'regions', i, 'provider'], r.provider));
  (config.protect.groups ?? []).forEach((g, i) => {
    checkProvider(['protect', 'groups', i, 'provider'], g.provider);
    if (!config.protect.regions.some((r) => r.provider === g.provider && r.region === g.region)) {
      issues.add(['protect', 'groups', i, 'region'], `region ${g.region} of ${g.provider} is not in protect.regions, so the group would never be observed`);
    }
  });
  (config.protect.databases ?? []).forEach((d, i) => checkProvider(['protect', 'databases', i, 'provider'], d.provider));
  const listen = config.api?.listen ?? DEFAULT_LISTEN;
  const listenHost = listen.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  if (config.api?.requireTls && config.api.tls === undefined && isIP(listenHost) !== 0 && !isLoopbackAddress(listenHost)) {
    issues.add(['api', 'requireTls'], `the API would serve plain HTTP on ${listenHost}, which is not loopback: give api.tls (cert and key) or listen on 127.0.0.1`);
  }
  let etcd: DaemonConfig['etcd'];
  if (config.etcd !== undefined) {
    const { endpoints, prefix, ttl } = config.etcd;
    endpoints.forEach((e, i) => {
      if (!/^http:\/\//.test(e)) issues.add(['etcd', 'endpoints', i], `expected an http:// URL (TLS to etcd is not supported yet), got ${e}`);
    });
    const ttlSeconds = ttl ?? DEFAULT_ETCD_TTL_SECONDS;
    if (!Number.isInteger(ttlSeconds) || ttlSeconds < 2) {
      issues.add(['etcd', 'ttl'], `expected a whole number of seconds, at least 2 (etcd leases have whole seconds; the leader stops acting at ttl/2), got ${ttlSeconds}s`);
    }
    etcd = { endpoints, prefix: prefix ?? DEFAULT_ETCD_PREFIX, ttlSeconds };
  }
  if (config.mode !== undefined && config.policy?.mode !== undefined && config.mode !== config.policy.mode) {
    issues.add(['mode'], `mode is ${config.mode} but policy.mode is ${config.policy.mode}: give one of them`);
  }
  const lookup = checks.hookExecutables;
  if (lookup) {
    for (const name of ['prePromote', 'postFailover', 'roleChange'] as const) {
      const program = config.hooks?.[name]?.command[0];
      const problem = program === undefined ? undefined : hookExecutableProblem(program, lookup);
      if (problem !== undefined) issues.add(['hooks', name, 'command', 0], problem);
    }
  }
  issues.throwIfAny();

  const journal = abs(config.journal);
  const audit = abs(config.audit);
  return {
    file,
    ...(config.id !== undefined ? { id: config.id } : {}),
    providers,
    providerIds,
    watch: config.protect.regions,
    groups: (config.protect.groups ?? []).map((g) => ({ ...g })),
    databases: config.protect.databases ?? [],
    probes: config.probes ?? {},
    policy: { ...(config.policy ?? {}), ...(config.mode !== undefined ? { mode: config.mode } : {}) },
    api: {
      listen,
      ...(config.api?.token !== undefined ? { token: config.api.token } : {}),
      ...(config.api?.tokenEnv !== undefined ? { tokenEnv: config.api.tokenEnv } : {}),
      ...(config.api?.readToken !== undefined ? { readToken: config.api.readToken } : {}),
      ...(config.api?.readTokenEnv !== undefined ? { readTokenEnv: config.api.readTokenEnv } : {}),
      ...(config.api?.hosts !== undefined ? { hosts: config.api.hosts } : {}),
      ...(config.api?.tls !== undefined ? { tls: { cert: abs(config.api.tls.cert), key: abs(config.api.tls.key) } } : {}),
      ...(config.api?.requireTls !== undefined ? { requireTls: config.api.requireTls } : {}),
      ...(config.api?.healthChecks !== undefined
        ? {
            healthChecks: {
              ...(config.api.healthChecks.withoutToken !== undefined ? { withoutToken: config.api.healthChecks.withoutToken } : {}),
              ...(config.api.healthChecks.maxPictureAge !== undefined ? { maxPictureAgeSeconds: config.api.healthChecks.maxPictureAge } : {}),
            },
          }
        : {}),
    },
    journal,
    audit,
    reports: config.reports !== undefined ? abs(config.reports) : dirname(audit),
    ...(etcd !== undefined ? { etcd } : {}),
    ...(config.hooks !== undefined ? { hooks: config.hooks } : {}),
    ...(config.notifications !== undefined
      ? { notifications: { ...config.notifications, webhooks: (config.notifications.webhooks ?? []).map((w) => (w.secretFile !== undefined ? { ...w, secretFile: abs(w.secretFile) } : w)) } }
      : {}),
  };
}
