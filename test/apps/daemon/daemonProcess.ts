import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The built CLI (`npm test` builds first). */
export const CLI = fileURLToPath(new URL('../../../bin/lifeboat.js', import.meta.url));
const BUILT = fileURLToPath(new URL('../../../dist/src/apps/cli/main.js', import.meta.url));
/** The test-only daemon entry with a failpoint (it runs the built `runDaemonCommand`). */
const CRASHING_DAEMON = fileURLToPath(new URL('./crashingDaemon.mjs', import.meta.url));

/** A child process of the real CLI with its output collected. */
export interface CliProcess {
  readonly child: ChildProcess;
  output(): string;
  /** Resolves with the exit code, or the signal that killed it. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Spawns `lifeboat ...args`. */
export function spawnCli(args: readonly string[], env: NodeJS.ProcessEnv = {}, cwd?: string): CliProcess {
  return spawnScript(CLI, args, env, cwd);
}

/**
 * Spawns `lifeboat daemon ...args` that SIGKILLs itself when it reaches the
 * checkpoint `crashAt` (`before:op`, `after:op`, `done:op`), through the
 * test-only entry `crashingDaemon.mjs`: the production CLI has no failpoint.
 */
export function spawnCrashingDaemon(args: readonly string[], crashAt: string, env: NodeJS.ProcessEnv = {}): CliProcess {
  return spawnScript(CRASHING_DAEMON, args, { ...env, LIFEBOAT_TEST_CRASH_AT: crashAt }, undefined);
}

function spawnScript(script: string, args: readonly string[], env: NodeJS.ProcessEnv, cwd: string | undefined): CliProcess {
  if (!existsSync(BUILT)) throw new Error('the CLI is not built: run `npm run build` (npm test does it) first');
  const child = spawn(process.execPath, [script, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], ...(cwd ? { cwd } : {}) });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, output: () => out, exited };
}

/** Polls `check` every 100 ms until it returns a value, or fails after `ms`. */
export async function waitFor<T>(what: string, ms: number, check: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
}

/** Stops a child if it still runs. */
export async function stop(p: CliProcess | undefined): Promise<void> {
  if (!p || p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill('SIGKILL');
  await p.exited;
}
