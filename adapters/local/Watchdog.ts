import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { WATCHDOG_SCRIPT } from './watchdogScript.js';

/**
 * The adapter's side of the watchdog process (see {@link WATCHDOG_SCRIPT}):
 * it cleans up `root` when this process dies without calling `close()`.
 */
export class Watchdog {
  private constructor(private readonly child: ChildProcess) {}

  /** Writes the script into `root` and starts it, detached from our process group. */
  static async start(root: string): Promise<Watchdog> {
    const script = path.join(root, 'watchdog.cjs');
    await fs.writeFile(script, WATCHDOG_SCRIPT, { mode: 0o600 });
    const child = spawn(process.execPath, [script, root], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    child.on('error', () => undefined);
    child.stdin?.on('error', () => undefined);
    // Neither the child nor our end of its pipe may keep the event loop alive.
    child.unref();
    (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    return new Watchdog(child);
  }

  /** Dismisses the watchdog after a clean close: there is nothing left for it to do. */
  stop(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
  }

  /** Closes our end of the pipe, exactly what the kernel does when this process dies. */
  abandon(): void {
    this.child.stdin?.destroy();
  }
}
