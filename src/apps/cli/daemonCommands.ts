import { writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { RealtimeSimDriver, SimServer, SimWorld } from '../../../adapters/sim/index.js';
import { SystemClock } from '../../core/clock/SystemClock.js';
import type { Provider } from '../../core/contract/Provider.js';
import { VirtualClock } from '../../core/clock/VirtualClock.js';
import { loadDaemonConfig, type DaemonConfigChecks } from '../daemon/config/loadDaemonConfig.js';
import { daemonConfigSchema } from '../daemon/config/daemonConfigSchema.js';
import { STARTER_CONFIG } from '../daemon/config/starterConfig.js';
import { ConfigReloadRefused, Daemon, webhookOutboxFolder } from '../daemon/Daemon.js';
import { isApiSetupError } from '../daemon/api/ApiSetupError.js';
import { isHookSetupError } from '../daemon/hooks/HookSetupError.js';
import { checkProtectedResources, describeMissing, describeUnreadable } from '../daemon/truth/checkProtectedResources.js';
import { createDaemonLogger, defaultLogFormat, LOG_LEVELS, type LogFormat, type LogLevel } from '../daemon/logging/createDaemonLogger.js';
import { readApiTokens } from '../daemon/api/ApiTokens.js';
import { TlsCredentials } from '../daemon/api/TlsCredentials.js';
import { DaemonApi } from '../daemon/DaemonApi.js';
import { LocalLock } from '../daemon/LocalLock.js';
import { EtcdLeadership } from '../daemon/leader/EtcdLeadership.js';
import { buildRuntime } from '../daemon/runtime/buildRuntime.js';
import { containUnhandledRejections } from './containUnhandledRejections.js';
import { isInputFileError } from '../../core/util/InputFileError.js';
import { checkInputPath } from '../../core/util/readInputFile.js';
import { INPUT_LIMITS } from '../replay/scenario/inputLimits.js';
import { loadScenarioFile } from '../replay/scenario/loadScenario.js';
import { isScenarioError } from '../replay/scenario/ScenarioError.js';
import type { DaemonConfig } from '../daemon/config/DaemonConfig.js';

/** The published JSON Schema of the daemon config (`lifeboat config schema`). */
export function configJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(daemonConfigSchema, { io: 'input', unrepresentable: 'any' }),
    title: 'Lifeboat daemon config',
  };
}

async function readConfig(file: string, command: string, checks: DaemonConfigChecks = {}): Promise<DaemonConfig | undefined> {
  try {
    return await loadDaemonConfig(file, checks);
  } catch (error) {
    if (!isScenarioError(error)) throw error;
    process.stderr.write(`lifeboat ${command}: invalid config:\n${error.message}\n`);
    return undefined;
  }
}

/** `lifeboat config check FILE` (exit 0 valid, 2 invalid) and `lifeboat config schema`. */
export async function runConfigCommand(argv: readonly string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'schema') {
    process.stdout.write(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
    return 0;
  }
  const online = rest.includes('--online');
  const files = rest.filter((a) => a !== '--online');
  if (sub !== 'check' || files.length !== 1) {
    process.stderr.write('usage: lifeboat config check <file> [--online] | lifeboat config schema\n');
    return 2;
  }
  // Hook programs are looked up as the daemon would, from here: run the check as the daemon's user, in its working directory.
  const config = await readConfig(files[0]!, 'config check', { hookExecutables: { path: process.env.PATH, cwd: process.cwd() } });
  if (!config) return 2;
  const summary = `${config.providerIds.length} provider(s), ${config.watch.length} region(s), ${config.groups.length} group(s)`;
  if (!online) {
    process.stdout.write(`${files[0]}: valid (${summary})\n`);
    return 0;
  }
  return checkOnline(config, files[0]!, summary);
}

/**
 * `config check --online`: builds the providers as the daemon would (the
 * same credentials) and checks each protected resource against what they
 * list. Exit 0 when all exist, 2 when one is missing or a provider cannot
 * be read (then nothing could be checked there).
 */
async function checkOnline(config: DaemonConfig, file: string, summary: string): Promise<number> {
  const clock = new SystemClock();
  const abort = new AbortController();
  let runtime;
  try {
    runtime = await buildRuntime(config, clock, abort.signal);
  } catch (error) {
    process.stderr.write(`lifeboat config check: cannot start the providers: ${(error as Error).message}\n`);
    return 2;
  }
  try {
    const { missing, unreadable } = await checkProtectedResources(config, runtime.providers, clock, abort.signal);
    if (missing.length > 0) process.stderr.write(`lifeboat config check: protected resources the providers do not list:\n${describeMissing(file, missing)}\n`);
    if (unreadable.length > 0) process.stderr.write(`lifeboat config check: could not read (nothing checked there):\n${describeUnreadable(unreadable)}\n`);
    if (missing.length > 0 || unreadable.length > 0) return 2;
    process.stdout.write(`${file}: valid, and every protected resource exists (${summary})\n`);
    return 0;
  } finally {
    abort.abort();
    await runtime.close();
  }
}

/** `lifeboat init [--out FILE]`: writes the starter config (refuses to overwrite). */
export async function runInitCommand(argv: readonly string[]): Promise<number> {
  let out: string;
  try {
    out = parseArgs({ args: [...argv], options: { out: { type: 'string', default: 'lifeboat.yaml' } } }).values.out!;
  } catch (error) {
    process.stderr.write(`lifeboat init: ${(error as Error).message}\n`);
    return 2;
  }
  try {
    await writeFile(out, STARTER_CONFIG, { flag: 'wx' });
  } catch (error) {
    process.stderr.write(`lifeboat init: cannot write ${out}: ${(error as NodeJS.ErrnoException).code === 'EEXIST' ? 'it exists already' : (error as Error).message}\n`);
    return 2;
  }
  process.stdout.write(`wrote ${out}; run: lifeboat daemon --config ${out}\n`);
  return 0;
}

/** Waits for SIGTERM or SIGINT; returns an AbortSignal that fires on the first. */
function signalOnTermination(): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const stop = (name: string) => () => controller.abort(new Error(name));
  const term = stop('SIGTERM');
  const int = stop('SIGINT');
  process.once('SIGTERM', term);
  process.once('SIGINT', int);
  return { signal: controller.signal, dispose: () => (process.off('SIGTERM', term), process.off('SIGINT', int)) };
}

/**
 * The journal and its lock files, read at start, where they exist: regular
 * files within their limit (a FIFO there would hang the start, a huge file
 * would eat memory). A missing one is normal (first start). Returns the
 * problem, or `undefined`.
 */
async function checkStateFiles(config: DaemonConfig): Promise<string | undefined> {
  for (const [what, file] of [
    ['journal', config.journal],
    ['journal lock', `${config.journal}.lock`],
    ['webhook outbox lock', `${webhookOutboxFolder(config.journal)}.lock`],
  ] as const) {
    try {
      await checkInputPath(file, { maxBytes: INPUT_LIMITS.journalBytes });
    } catch (error) {
      if (!isInputFileError(error)) throw error;
      if (error.code === 'ENOENT') continue;
      return `${what} ${error.message}`;
    }
  }
  return undefined;
}

/** Programmatic hooks into {@link runDaemonCommand}; the CLI passes none. */
export interface DaemonCommandHooks {
  /**
   * Wraps each provider the runtime built before the daemon uses it (an
   * embedding program's own instrumentation; the kill-at-every-step tests
   * inject their crash failpoints this way, from their own entry script).
   */
  readonly decorateProvider?: (provider: Provider) => Provider;
}

const DAEMON_USAGE = 'usage: lifeboat daemon --config <file> [--listen HOST:PORT] [--log-format json|pretty] [--log-level debug|info|warn|error]\n';

/**
 * `lifeboat daemon --config FILE [--listen HOST:PORT] [--log-format json|pretty] [--log-level LEVEL]`.
 * Exit 0 after SIGTERM/SIGINT, 2 on bad config. Logs go to stderr: one JSON
 * object per line (the default when stderr is not a terminal), or text.
 */
export async function runDaemonCommand(argv: readonly string[], hooks: DaemonCommandHooks = {}): Promise<number> {
  let values;
  try {
    values = parseArgs({ args: [...argv], options: { config: { type: 'string' }, listen: { type: 'string' }, 'log-format': { type: 'string' }, 'log-level': { type: 'string' } } }).values;
  } catch (error) {
    process.stderr.write(`lifeboat daemon: ${(error as Error).message}\n`);
    return 2;
  }
  if (values.config === undefined) {
    process.stderr.write(DAEMON_USAGE);
    return 2;
  }
  const logFormat = values['log-format'] ?? defaultLogFormat();
  if (logFormat !== 'json' && logFormat !== 'pretty') {
    process.stderr.write(`lifeboat daemon: --log-format: expected json or pretty, got ${logFormat}\n${DAEMON_USAGE}`);
    return 2;
  }
  const logLevel = values['log-level'] ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    process.stderr.write(`lifeboat daemon: --log-level: expected one of ${LOG_LEVELS.join(', ')}, got ${logLevel}\n${DAEMON_USAGE}`);
    return 2;
  }
  const config = await readConfig(values.config, 'daemon');
  if (!config) return 2;
  const stateProblem = await checkStateFiles(config);
  if (stateProblem !== undefined) {
    process.stderr.write(`lifeboat daemon: ${stateProblem}\n`);
    return 2;
  }
  const listen = values.listen ?? config.api.listen;
  const hostPort = /^(.*):(\d+)$/.exec(listen);
  if (!hostPort) {
    process.stderr.write(`lifeboat daemon: --listen: expected HOST:PORT, got ${listen}\n`);
    return 2;
  }
  let tokens;
  try {
    tokens = readApiTokens(config.api, process.env);
  } catch (error) {
    if (!isApiSetupError(error)) throw error;
    process.stderr.write(`lifeboat daemon: ${error.message}\n`);
    return 2;
  }
  // Without etcd, the lock file keeps a single daemon: take it before anything is printed or started, so a second daemon says only why it refuses.
  const lock = config.etcd ? undefined : new LocalLock(`${config.journal}.lock`);
  try {
    lock?.acquire();
  } catch (error) {
    process.stderr.write(`lifeboat daemon: ${(error as Error).message}\n`);
    return 2;
  }
  const id = config.id ?? `${hostname()}-${process.pid}`;
  const logger = createDaemonLogger({ format: logFormat as LogFormat, level: logLevel as LogLevel }, { daemon: id });
  const log = (line: string) => logger.info(line);
  const { signal, dispose: disposeSignals } = signalOnTermination();
  const release = containUnhandledRejections((line) => logger.error(line));
  const dispose = () => (disposeSignals(), release());
  const clock = new SystemClock();
  let runtime;
  try {
    runtime = await buildRuntime(config, clock, signal, { log: (line) => logger.warn(line) });
  } catch (error) {
    dispose();
    lock?.release();
    process.stderr.write(`lifeboat daemon: cannot start the providers: ${(error as Error).message}\n`);
    return 2;
  }
  // Startup truth: a protected resource its provider does not list is a mistake in the config (a misspelt
  // database would be protected by nobody); a provider that cannot be read now is not (a restart during an outage must start).
  const truth = await checkProtectedResources(config, runtime.providers, clock, signal);
  if (truth.missing.length > 0) {
    dispose();
    await runtime.close();
    lock?.release();
    process.stderr.write(`lifeboat daemon: protected resources the providers do not list:\n${describeMissing(values.config, truth.missing)}\n`);
    return 2;
  }
  if (truth.unreadable.length > 0) logger.warn({ event: 'startup.unchecked', unreadable: truth.unreadable }, `could not check the protected resources of:\n${describeUnreadable(truth.unreadable)}`);
  const leadership = config.etcd ? new EtcdLeadership({ endpoints: config.etcd.endpoints, prefix: config.etcd.prefix, ttlSeconds: config.etcd.ttlSeconds, id, clock, log }) : undefined;
  const decorate = hooks.decorateProvider;
  if (decorate) runtime = { ...runtime, providers: runtime.providers.map((p) => decorate(p)) };
  let daemon: Daemon;
  try {
    daemon = new Daemon({
      config,
      runtime,
      clock,
      id,
      random: Math.random,
      logger,
      ...(leadership ? { leadership } : {}),
      ...(lock ? { lock } : {}),
    });
  } catch (error) {
    if (!isHookSetupError(error)) throw error;
    dispose();
    await runtime.close();
    lock?.release();
    process.stderr.write(`lifeboat daemon: ${error.message}\n`);
    return 2;
  }
  const api = new DaemonApi(daemon, tokens, signal, {
    ...(config.api.tls ? { tls: new TlsCredentials(config.api.tls.cert, config.api.tls.key) } : {}),
    ...(config.api.requireTls !== undefined ? { requireTls: config.api.requireTls } : {}),
    ...(config.api.hosts ? { hosts: config.api.hosts } : {}),
    ...(config.api.healthChecks ? { healthChecks: config.api.healthChecks } : {}),
    clock,
  });
  // SIGHUP (systemd's ExecReload) reloads the TLS certificate and the config's policy, hooks and protected
  // resources; what cannot be read or checked is refused, logged and audited, and the running config kept. Never fatal.
  let reloading = Promise.resolve();
  const reloadConfig = async () => {
    let next: DaemonConfig;
    try {
      next = await loadDaemonConfig(values.config!);
    } catch (error) {
      daemon.refuseReload(isScenarioError(error) || isInputFileError(error) ? error.message : (error as Error).message);
      return;
    }
    await daemon.reload(next).catch((error: unknown) => {
      if (!(error instanceof ConfigReloadRefused)) logger.error({ event: 'config.refused' }, `config reload failed: ${(error as Error).message}`);
    });
  };
  const reload = () => {
    try {
      log(api.reloadTls() ? 'reloaded the TLS certificate and key' : 'SIGHUP: no api.tls to reload');
    } catch (error) {
      logger.error(`SIGHUP: kept the current TLS certificate: ${(error as Error).message}`);
    }
    // One reload at a time, in the order the signals came.
    reloading = reloading.then(reloadConfig);
  };
  process.on('SIGHUP', reload);
  try {
    await api.listen(hostPort[1]!, Number(hostPort[2]));
    const access = tokens.operate ? (tokens.read ? 'read and operate tokens' : 'operate token; reads open') : tokens.read ? 'read token; read-only: no operate token' : 'read-only: no API token';
    log(`${id} listening on ${api.url} (${access})${config.etcd ? `; leader election on etcd ${config.etcd.endpoints.join(',')} (ttl ${config.etcd.ttlSeconds}s)` : ''}`);
    // When the daemon fails (another holds the lock), the runtime's background work must end too, or the process never exits.
    const failed = new AbortController();
    const both = AbortSignal.any([signal, failed.signal]);
    await Promise.all([
      runtime.run(both),
      daemon.run(both).catch((error: unknown) => {
        failed.abort(error);
        throw error;
      }),
    ]);
    log('stopped');
    return 0;
  } catch (error) {
    process.stderr.write(`lifeboat daemon: ${(error as Error).message}\n`);
    return 2;
  } finally {
    process.off('SIGHUP', reload);
    await reloading;
    dispose();
    await api.close();
    await runtime.close();
    lock?.release();
  }
}

/** `lifeboat sim-serve --world SCENARIO [--listen HOST:PORT] [--time-scale N]`: serves a simulated world to daemons in other processes. */
export async function runSimServeCommand(argv: readonly string[]): Promise<number> {
  let values;
  try {
    values = parseArgs({ args: [...argv], options: { world: { type: 'string' }, listen: { type: 'string', default: '127.0.0.1:0' }, 'time-scale': { type: 'string', default: '1' } } }).values;
  } catch (error) {
    process.stderr.write(`lifeboat sim-serve: ${(error as Error).message}\n`);
    return 2;
  }
  if (values.world === undefined) {
    process.stderr.write('usage: lifeboat sim-serve --world <scenario> [--listen HOST:PORT] [--time-scale N]\n');
    return 2;
  }
  let scenario;
  try {
    scenario = await loadScenarioFile(values.world);
  } catch (error) {
    if (!isScenarioError(error)) throw error;
    process.stderr.write(`lifeboat sim-serve: ${error.message}\n`);
    return 2;
  }
  const worldClock = new VirtualClock();
  const world = new SimWorld({ topology: scenario.topology, clock: worldClock, seed: scenario.seed, durationSeconds: scenario.durationSeconds });
  world.scheduleEvents(scenario.events);
  const [host, port] = [values.listen!.replace(/:\d+$/, ''), Number(/:(\d+)$/.exec(values.listen!)?.[1] ?? 0)];
  const server = new SimServer(world);
  const { signal, dispose } = signalOnTermination();
  const bound = await server.listen(host, port);
  process.stdout.write(`sim-serve listening on http://${host}:${bound}\n`);
  await new RealtimeSimDriver(worldClock, new SystemClock(), { timeScale: Number(values['time-scale']) || 1 }).run(signal);
  dispose();
  await server.close();
  return 0;
}
