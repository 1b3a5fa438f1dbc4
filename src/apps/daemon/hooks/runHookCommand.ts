import { spawn } from 'node:child_process';
import type { Clock } from '../../../core/clock/Clock.js';

/** How a hook command ended. */
export type HookExit =
  /** It exited by itself with this code. */
  | { readonly kind: 'exited'; readonly code: number; readonly output: string; readonly ms: number }
  /** It was killed by a signal it was not sent by us (a crash). */
  | { readonly kind: 'crashed'; readonly signal: string; readonly output: string; readonly ms: number }
  /** It did not exit within its timeout (or the daemon stopped): it was killed. */
  | { readonly kind: 'timeout'; readonly output: string; readonly ms: number }
  /** It could not be started (no such file, not executable). */
  | { readonly kind: 'failed-to-start'; readonly message: string; readonly output: string; readonly ms: number };

/** Output kept per hook run (the end of stdout and stderr, for the audit log). */
const OUTPUT_LIMIT = 2000;
/** After SIGTERM, a hook that does not exit is SIGKILLed this much later. */
const KILL_GRACE_MS = 2000;

/**
 * Runs `command` (argv, no shell) with `env` added to the daemon's
 * environment, stdin closed, and resolves when it ends or `timeoutMs` after
 * the start, whichever is first: a hook that hangs is sent SIGTERM then
 * SIGKILL, and the answer does not wait for it to die. Never rejects.
 */
export function runHookCommand(command: readonly string[], env: Readonly<Record<string, string>>, timeoutMs: number, clock: Clock, signal?: AbortSignal): Promise<HookExit> {
  const started = clock.now();
  const elapsed = () => clock.now() - started;
  return new Promise<HookExit>((resolve) => {
    let output = '';
    let settled = false;
    let timedOut = false;
    const cancels: (() => void)[] = [];
    const finish = (exit: HookExit) => {
      if (settled) return;
      settled = true;
      for (const cancel of cancels) cancel();
      resolve(exit);
    };
    let child;
    try {
      child = spawn(command[0]!, command.slice(1), { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (error) {
      finish({ kind: 'failed-to-start', message: (error as Error).message, output: '', ms: elapsed() });
      return;
    }
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-OUTPUT_LIMIT);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    child.once('error', (error) => finish({ kind: 'failed-to-start', message: error.message, output, ms: elapsed() }));
    child.once('close', (code, killedBy) => {
      if (timedOut) return;
      if (code !== null) finish({ kind: 'exited', code, output: output.trim(), ms: elapsed() });
      else finish({ kind: 'crashed', signal: killedBy ?? 'unknown', output: output.trim(), ms: elapsed() });
    });
    const kill = () => {
      if (settled) return;
      timedOut = true;
      child.kill('SIGTERM');
      // The answer is given now; the hook gets a grace period to clean up, then it is killed for good.
      const cancelKill = clock.setTimer(KILL_GRACE_MS, () => child.exitCode === null && child.signalCode === null && child.kill('SIGKILL'));
      child.once('close', cancelKill);
      finish({ kind: 'timeout', output: output.trim(), ms: elapsed() });
    };
    cancels.push(clock.setTimer(timeoutMs, kill));
    if (signal) {
      if (signal.aborted) kill();
      signal.addEventListener('abort', kill, { once: true });
      cancels.push(() => signal.removeEventListener('abort', kill));
    }
  });
}

/** One line for the audit log: how the hook ended, and the last line it printed. */
export function describeHookExit(exit: HookExit): string {
  const last = exit.output.split('\n').filter((l) => l.trim() !== '').pop();
  const said = last ? `: ${last.slice(0, 300)}` : '';
  switch (exit.kind) {
    case 'exited':
      return `exit ${exit.code} after ${exit.ms} ms${said}`;
    case 'crashed':
      return `killed by ${exit.signal} after ${exit.ms} ms${said}`;
    case 'timeout':
      return `no exit within ${exit.ms} ms; killed${said}`;
    case 'failed-to-start':
      return `could not start: ${exit.message}`;
  }
}
