import fs from 'node:fs/promises';
import type { Clock } from '../../src/core/clock/Clock.js';
import { haproxyCommand } from './haproxyCommand.js';
import { ManagedProcess } from './ManagedProcess.js';

/** Where one HAProxy's files go, and what it may use. */
export interface HaproxyProcessOptions {
  /** The `haproxy` executable. */
  readonly binary: string;
  readonly configFile: string;
  /** Runtime API socket (`stats socket`, mode 600, level admin). Unix sockets allow about 100 bytes of path. */
  readonly socketPath: string;
  readonly logFile: string;
  /** Pid file for the watchdog. */
  readonly pidFile: string;
  readonly clock: Clock;
  allocatePort(): Promise<number>;
}

/** One server line of `show servers state`, the fields the adapter reads. */
export interface HaproxyServerState {
  readonly backend: string;
  readonly name: string;
  readonly port: number;
  /** `srv_op_state`: 0 stopped (down, or checks paused in maintenance), 1 starting, 2 running, 3 stopping. */
  readonly opState: number;
  /** `srv_admin_state` bits (`SRV_ADMF_*`). */
  readonly adminState: number;
}

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

/** True when HAProxy sends new connections to this server: running, and in no kind of maintenance. */
export function isServing(server: HaproxyServerState): boolean {
  return server.opState === OP_RUNNING && !inMaintenance(server);
}

/** True when the server is in maintenance (forced or otherwise); its health checks are paused meanwhile. */
export function inMaintenance(server: HaproxyServerState): boolean {
  return (server.adminState & MAINT_BITS) !== 0;
}

/**
 * A real HAProxy run by the `local` adapter: in the foreground (`-db`) as a
 * {@link ManagedProcess}, with its own config file, driven through its
 * runtime API. The writer endpoints' and the load balancers' routers each
 * own one.
 */
export class HaproxyProcess {
  private constructor(
    /** The port its config binds on 127.0.0.1. */
    readonly port: number,
    private readonly process: ManagedProcess,
    private readonly options: HaproxyProcessOptions,
  ) {}

  /**
   * Writes `config(port)` for a port from `allocatePort`, starts HAProxy and
   * resolves once its runtime API answers; another port when the one given
   * was taken meanwhile.
   */
  static async start(options: HaproxyProcessOptions, config: (port: number) => string, signal: AbortSignal): Promise<HaproxyProcess> {
    let lastFailure = '';
    for (let attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
      const port = await options.allocatePort();
      await fs.writeFile(options.configFile, config(port), { mode: 0o600 });
      await fs.rm(options.socketPath, { force: true });
      const process = await ManagedProcess.spawn({
        kind: 'haproxy',
        command: options.binary,
        args: ['-f', options.configFile, '-db'],
        logFile: options.logFile,
        pidFile: options.pidFile,
      });
      const haproxy = new HaproxyProcess(port, process, options);
      const deadline = options.clock.now() + START_BUDGET_MS;
      while (process.running && options.clock.now() < deadline) {
        try {
          await haproxy.serversState(undefined, signal);
          return haproxy;
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

  /**
   * Runs one line of commands (`;`-separated, run in order in one go); any
   * answer that looks like a refusal (or does not match `expected`) is an error.
   */
  async run(command: string, signal: AbortSignal, expected?: RegExp): Promise<void> {
    const answer = (await haproxyCommand(this.options.socketPath, command, signal)).trim();
    const refused = expected ? !expected.test(answer) : /no such|unknown|error|invalid|require|denied|fail/i.test(answer);
    if (refused) throw new Error(`HAProxy refused "${command}": ${answer}`);
  }

  /** `show servers state [backend]`: every server as HAProxy itself sees it. */
  async serversState(backend: string | undefined, signal: AbortSignal): Promise<HaproxyServerState[]> {
    const command = backend === undefined ? 'show servers state' : `show servers state ${backend}`;
    const answer = await haproxyCommand(this.options.socketPath, command, signal);
    if (!answer.startsWith('1\n')) throw new Error(`HAProxy answered "${command}" with ${JSON.stringify(answer.slice(0, 200))}`);
    const servers: HaproxyServerState[] = [];
    for (const line of answer.split('\n')) {
      if (line.startsWith('#')) continue;
      const fields = line.trim().split(/\s+/);
      // be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state ... (srv_port is the 19th)
      if (fields.length < 19) continue;
      servers.push({ backend: fields[1]!, name: fields[3]!, opState: Number(fields[5]), adminState: Number(fields[6]), port: Number(fields[18]) });
    }
    return servers;
  }

  /** Stops HAProxy at once (SIGUSR1 would wait for open connections to finish) and waits for it. */
  async close(): Promise<void> {
    this.process.kill();
    // The child is unref'd: wait on our clock too, or a process with nothing else to do would
    // end its event loop while it waits here.
    while (this.process.running) await Promise.race([this.process.exited, this.options.clock.sleep(50)]);
  }

  /** Last-chance clean-up on process exit: synchronous only. */
  kill(): void {
    this.process.kill();
  }
}
