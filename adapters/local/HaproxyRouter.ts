import fs from 'node:fs/promises';
import type { Clock } from '../../src/core/clock/Clock.js';
import type { EndpointRouter, RouterServer } from './EndpointRouter.js';
import { haproxyCommand } from './haproxyCommand.js';
import { ManagedProcess } from './ManagedProcess.js';

/** Where one HAProxy's files go, and what it may use. */
export interface HaproxyRouterOptions {
  /** The `haproxy` executable. */
  readonly binary: string;
  readonly configFile: string;
  /** Runtime API socket (`stats socket`, mode 600, level admin). Unix sockets allow about 100 bytes of path. */
  readonly socketPath: string;
  readonly logFile: string;
  /** Pid file for the watchdog. */
  readonly pidFile: string;
  /** Every instance the endpoint may point at, with the one it points at first. */
  readonly servers: readonly RouterServer[];
  readonly target: string;
  readonly clock: Clock;
  allocatePort(): Promise<number>;
}

/** The one backend of each HAProxy process: one process per endpoint, so a new endpoint never reloads another. */
const BACKEND = 'endpoint';
/** How long a starting HAProxy has to answer on its socket. */
const START_BUDGET_MS = 10_000;
/** Ports to try when the one we were given was taken before HAProxy bound it. */
const PORT_ATTEMPTS = 5;
/**
 * `srv_admin_state` bits that keep a server out of service (HAProxy's
 * `SRV_ADMF_*`: forced, inherited, resolution and hostname maintenance).
 * `0x04` (configured `disabled`) stays set after `state ready` and means
 * nothing on its own.
 */
const MAINT_BITS = 0x01 | 0x02 | 0x20 | 0x40;
/** `srv_op_state` of a server that takes connections (`SRV_ST_RUNNING`). */
const OP_RUNNING = 2;

/**
 * A real HAProxy in TCP mode in front of a cluster's PostgreSQL servers:
 * one `server` line per instance, all but the target in `maint`, driven
 * through its runtime API. Runs in the foreground (`-db`) as a
 * {@link ManagedProcess}, with its own config file.
 */
export class HaproxyRouter implements EndpointRouter {
  readonly kind = 'haproxy';
  private readonly known = new Set<string>();

  private constructor(
    readonly port: number,
    private readonly process: ManagedProcess,
    private readonly options: HaproxyRouterOptions,
    servers: readonly RouterServer[],
  ) {
    for (const server of servers) this.known.add(server.id);
  }

  /** Writes the config, starts HAProxy and resolves once its runtime API answers. */
  static async start(options: HaproxyRouterOptions, signal: AbortSignal): Promise<HaproxyRouter> {
    let lastFailure = '';
    for (let attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
      const port = await options.allocatePort();
      await fs.writeFile(options.configFile, haproxyConfig(port, options), { mode: 0o600 });
      await fs.rm(options.socketPath, { force: true });
      const process = await ManagedProcess.spawn({
        kind: 'haproxy',
        command: options.binary,
        args: ['-f', options.configFile, '-db'],
        logFile: options.logFile,
        pidFile: options.pidFile,
      });
      const router = new HaproxyRouter(port, process, options, options.servers);
      const deadline = options.clock.now() + START_BUDGET_MS;
      while (process.running && options.clock.now() < deadline) {
        try {
          await router.served(signal);
          return router;
        } catch (error) {
          if (signal.aborted) {
            process.kill();
            throw error;
          }
          await options.clock.sleep(50, signal).catch(() => undefined);
        }
      }
      process.kill();
      await process.exited;
      const log = await fs.readFile(options.logFile, 'utf8').catch(() => '');
      lastFailure = log.trim().split('\n').slice(-3).join(' / ');
      // Anything but a taken port is a configuration problem another port will not fix.
      if (!/cannot bind socket|Address already in use/i.test(log)) break;
    }
    throw new Error(`HAProxy did not start (see ${options.logFile}): ${lastFailure || 'no answer on its runtime API'}`);
  }

  async point(server: RouterServer, signal: AbortSignal): Promise<void> {
    const name = `${BACKEND}/${server.id}`;
    if (!this.known.has(server.id)) {
      // Dynamic servers start in maintenance; the state change below brings this one in.
      await this.run(`add server ${name} 127.0.0.1:${server.port}`, signal, /New server registered/);
      this.known.add(server.id);
    } else {
      await this.run(`set server ${name} addr 127.0.0.1 port ${server.port}`, signal);
    }
    const others = [...this.known].filter((id) => id !== server.id);
    // One line: HAProxy runs it in one go, so no new connection reaches an old server, and the
    // old one's sessions are cut after it stopped taking new ones.
    const commands = [
      ...others.map((id) => `set server ${BACKEND}/${id} state maint`),
      `set server ${name} state ready`,
      ...others.map((id) => `shutdown sessions server ${BACKEND}/${id}`),
    ];
    await this.run(commands.join('; '), signal);
  }

  async served(signal: AbortSignal): Promise<string[]> {
    const answer = await haproxyCommand(this.options.socketPath, `show servers state ${BACKEND}`, signal);
    if (!answer.startsWith('1\n')) throw new Error(`HAProxy answered "show servers state" with ${JSON.stringify(answer.slice(0, 200))}`);
    const served: string[] = [];
    for (const line of answer.split('\n')) {
      const fields = line.trim().split(/\s+/);
      // be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state ...
      if (fields.length < 7 || fields[1] !== BACKEND) continue;
      if (Number(fields[5]) === OP_RUNNING && (Number(fields[6]) & MAINT_BITS) === 0) served.push(fields[3]!);
    }
    return served;
  }

  async close(): Promise<void> {
    // SIGUSR1 would wait for open connections to finish: a closing adapter does not.
    this.process.kill();
    // The child is unref'd: wait on our clock too, or a process with nothing else to do would
    // end its event loop while it waits here.
    while (this.process.running) await Promise.race([this.process.exited, this.options.clock.sleep(50)]);
  }

  kill(): void {
    this.process.kill();
  }

  /** Runs commands; any answer that looks like a refusal (or does not match `expected`) is an error. */
  private async run(command: string, signal: AbortSignal, expected?: RegExp): Promise<void> {
    const answer = (await haproxyCommand(this.options.socketPath, command, signal)).trim();
    const refused = expected ? !expected.test(answer) : /no such|unknown|error|invalid|require|denied|fail/i.test(answer);
    if (refused) throw new Error(`HAProxy refused "${command}": ${answer}`);
  }
}

/** The config of one endpoint's HAProxy: TCP mode, one server line per instance, all but the target disabled. */
export function haproxyConfig(port: number, options: Pick<HaproxyRouterOptions, 'socketPath' | 'servers' | 'target'>): string {
  const servers = options.servers.map(
    (server) => `  server ${server.id} 127.0.0.1:${server.port}${server.id === options.target ? '' : ' disabled'}`,
  );
  return [
    '# Written by the lifeboat local adapter; driven through the runtime API below.',
    'global',
    `  stats socket ${options.socketPath} mode 600 level admin`,
    '  maxconn 1024',
    'defaults',
    '  mode tcp',
    '  timeout connect 2s',
    // Database sessions idle for long; the endpoint cuts them itself when it moves.
    '  timeout client 1h',
    '  timeout server 1h',
    'frontend clients',
    `  bind 127.0.0.1:${port}`,
    `  default_backend ${BACKEND}`,
    `backend ${BACKEND}`,
    ...servers,
    '',
  ].join('\n');
}
