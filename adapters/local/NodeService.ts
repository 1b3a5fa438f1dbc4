import path from 'node:path';
import { abortError, timeoutSignal, type Clock } from '../../src/core/clock/Clock.js';
import { httpHealth } from './httpHealth.js';
import { ManagedProcess } from './ManagedProcess.js';
import { ADDRESS_IN_USE_EXIT_CODE } from './nodeServiceScript.js';

/** What every node service of one adapter shares. */
export interface NodeServiceEnvironment {
  /** The written {@link NODE_SERVICE_SCRIPT}. */
  readonly script: string;
  readonly clock: Clock;
  readonly allocatePort: () => Promise<number>;
  readonly pidDir: string;
  readonly logDir: string;
}

const PORT_ATTEMPTS = 5;
const POLL_MS = 100;

/**
 * The process behind one local node: `node node-service.cjs`, running until
 * stopped. Keeps its port across restarts, as a VM keeps its address, unless
 * the port was taken meanwhile.
 */
export class NodeService {
  port: number | undefined;
  private process: ManagedProcess | undefined;

  constructor(
    readonly id: string,
    readonly zone: string,
    private readonly env: NodeServiceEnvironment,
  ) {}

  /** The running process, if any. */
  get current(): ManagedProcess | undefined {
    return this.process?.running ? this.process : undefined;
  }

  /**
   * Spawns the service and resolves once `GET /health` answers. Picks
   * another port when its port is taken. `onSpawn` sees each process as soon
   * as it exists, so that a zone fault injected meanwhile reaches it.
   */
  async start(signal: AbortSignal, onSpawn: (process: ManagedProcess) => void): Promise<void> {
    if (this.current) throw new Error(`node ${this.id} is already running (pid ${this.current.pid})`);
    for (let attempt = 1; ; attempt++) {
      this.port ??= await this.env.allocatePort();
      // Never spawn for a transition (or an adapter) that is already over.
      if (signal.aborted) throw abortError(signal);
      const process = await ManagedProcess.spawn({
        kind: 'node',
        command: globalThis.process.execPath,
        args: [this.env.script, String(this.port), this.id, this.zone],
        logFile: path.join(this.env.logDir, `node-${this.id}.log`),
        pidFile: path.join(this.env.pidDir, `node-${this.id}.pid`),
        ipc: true,
      });
      this.process = process;
      onSpawn(process);
      for (;;) {
        if (!process.running) break;
        const attemptSignal = timeoutSignal(this.env.clock, 1000, signal);
        const answer = await httpHealth('127.0.0.1', this.port, attemptSignal.signal, this.id);
        attemptSignal.dispose();
        if (signal.aborted) throw abortError(signal);
        if (answer === 'ok') return;
        await Promise.race([process.exited, this.env.clock.sleep(POLL_MS, signal)]);
      }
      const exit = process.exitStatus;
      if (exit?.code === ADDRESS_IN_USE_EXIT_CODE && attempt < PORT_ATTEMPTS) {
        this.port = undefined;
        continue;
      }
      throw new Error(`node ${this.id} exited while starting (${exit?.signal ?? `code ${exit?.code}`})`);
    }
  }

  /** `SIGTERM` (resumed first if frozen, so it can act on it), `SIGKILL` after 5 s. Resolves on exit. */
  async stop(): Promise<void> {
    const process = this.current;
    if (!process) return;
    process.signalLeader('SIGTERM');
    if (process.frozen) process.thaw();
    const escalate = new AbortController();
    this.env.clock.sleep(5000, escalate.signal).then(
      () => process.kill(),
      () => undefined,
    );
    await process.exited;
    escalate.abort();
  }
}
