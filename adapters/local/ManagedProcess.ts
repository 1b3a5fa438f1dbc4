import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { childPids } from './childPids.js';

/** How a managed process ended. */
export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** What kind of process a pid file describes; the watchdog treats them differently. */
export type ManagedProcessKind = 'postgres' | 'node' | 'haproxy';

/** Options of {@link ManagedProcess.spawn}. */
export interface SpawnOptions {
  readonly kind: ManagedProcessKind;
  readonly command: string;
  readonly args: readonly string[];
  /** Appends the process's stdout and stderr here. */
  readonly logFile: string;
  /** Written with `<pid> <kind>` while the process lives, for the watchdog. */
  readonly pidFile: string;
  /** Run as this user (PostgreSQL refuses root). */
  readonly owner?: { readonly uid: number; readonly gid: number };
  readonly env?: NodeJS.ProcessEnv;
  /** Open an IPC channel: a Node child learns of our death when it closes. */
  readonly ipc?: boolean;
}

/**
 * One child process and the processes it forks (a postmaster and its
 * backends): `SIGSTOP` to all of them freezes a whole server, `SIGKILL` is a
 * power cut. It runs in its own session, so a Ctrl-C meant for us does not
 * reach it half-way; it never keeps our event loop alive, and the watchdog
 * and the exit hook make sure it does not outlive us.
 */
export class ManagedProcess {
  readonly pid: number;
  readonly kind: ManagedProcessKind;
  /** Resolves when the process has exited. Never rejects. */
  readonly exited: Promise<ProcessExit>;
  private exit: ProcessExit | undefined;
  private frozenState = false;

  private constructor(pid: number, kind: ManagedProcessKind, exited: Promise<ProcessExit>) {
    this.pid = pid;
    this.kind = kind;
    this.exited = exited.then((exit) => (this.exit = exit));
  }

  /** Starts a process in a session of its own. Rejects when it cannot be started at all. */
  static async spawn(options: SpawnOptions): Promise<ManagedProcess> {
    const log = fs.openSync(options.logFile, 'a');
    try {
      const child = spawn(options.command, [...options.args], {
        detached: true,
        stdio: options.ipc ? ['ignore', log, log, 'ipc'] : ['ignore', log, log],
        env: options.env ?? process.env,
        ...(options.owner ? { uid: options.owner.uid, gid: options.owner.gid } : {}),
      });
      const exited = new Promise<ProcessExit>((resolve) => {
        child.once('exit', (code, signal) => {
          fs.rmSync(options.pidFile, { force: true });
          resolve({ code, signal });
        });
      });
      await new Promise<void>((resolve, reject) => {
        child.once('spawn', resolve);
        child.once('error', reject);
      });
      child.on('error', () => undefined);
      const pid = child.pid;
      if (pid === undefined) throw new Error(`${options.command} started without a pid`);
      child.unref();
      child.channel?.unref();
      fs.writeFileSync(options.pidFile, `${pid} ${options.kind}\n`);
      return new ManagedProcess(pid, options.kind, exited);
    } finally {
      fs.closeSync(log);
    }
  }

  /** True until the process has exited. */
  get running(): boolean {
    return this.exit === undefined;
  }

  /** True while stopped by {@link freeze}. */
  get frozen(): boolean {
    return this.frozenState && this.running;
  }

  /** How it ended, once it has. */
  get exitStatus(): ProcessExit | undefined {
    return this.exit;
  }

  /** Sends `signal` to the leader only (a postmaster's shutdown modes are signals to it alone). */
  signalLeader(signal: NodeJS.Signals): void {
    if (this.running) sendSignal(this.pid, signal);
  }

  /**
   * Stops the process and its children (`SIGSTOP`): connections to it hang,
   * established ones included. The leader first, so that it forks no new
   * child while we list them.
   */
  freeze(): void {
    if (!this.running) return;
    sendSignal(this.pid, 'SIGSTOP');
    for (const child of childPids(this.pid)) sendSignal(child, 'SIGSTOP');
    this.frozenState = true;
  }

  /** Resumes a frozen process and its children (`SIGCONT`). */
  thaw(): void {
    this.frozenState = false;
    if (!this.running) return;
    for (const child of childPids(this.pid)) sendSignal(child, 'SIGCONT');
    sendSignal(this.pid, 'SIGCONT');
  }

  /**
   * Kills the process and its children at once (`SIGKILL`), like pulling
   * the power. The leader is stopped first: once it dies its children are
   * re-parented and can no longer be found.
   */
  kill(): void {
    if (!this.running) return;
    sendSignal(this.pid, 'SIGSTOP');
    const children = childPids(this.pid);
    sendSignal(this.pid, 'SIGKILL');
    for (const child of children) sendSignal(child, 'SIGKILL');
  }
}

function sendSignal(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch (error) {
    // ESRCH: already gone, which is what every caller wants anyway.
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}
