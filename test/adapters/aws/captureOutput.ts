import { format, inspect } from 'node:util';

/** Everything written to stdout, stderr, the console and process warnings while capturing. */
export interface CapturedOutput {
  text(): string;
  restore(): void;
}

/** Starts capturing output (still passed through, so test logs stay visible). */
export function captureOutput(): CapturedOutput {
  const chunks: string[] = [];
  const stdoutWrite = process.stdout.write.bind(process.stdout);
  const stderrWrite = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: unknown, ...rest: unknown[]) => {
    chunks.push(String(chunk));
    return (stdoutWrite as (...args: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: unknown, ...rest: unknown[]) => {
    chunks.push(String(chunk));
    return (stderrWrite as (...args: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stderr.write;
  const methods = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;
  const originals = methods.map((name) => console[name]);
  for (const name of methods) {
    const original = console[name];
    console[name] = (...args: unknown[]) => {
      chunks.push(format(...args));
      original.apply(console, args);
    };
  }
  const onWarning = (warning: Error) => chunks.push(`${warning.name}: ${warning.message}\n${warning.stack ?? ''}`);
  process.on('warning', onWarning);
  return {
    text: () => chunks.join('\n'),
    restore: () => {
      process.stdout.write = stdoutWrite;
      process.stderr.write = stderrWrite;
      methods.forEach((name, i) => (console[name] = originals[i]!));
      process.off('warning', onWarning);
    },
  };
}

/** Every way an error can end up in a log: message, stack, inspection (hidden fields, causes) and JSON. */
export function everythingAbout(error: unknown): string {
  const parts = [inspect(error, { depth: Infinity, showHidden: true })];
  if (error instanceof Error) parts.push(error.message, error.stack ?? '');
  try {
    parts.push(JSON.stringify(error));
  } catch {
    // Circular structures are covered by inspect.
  }
  return parts.join('\n');
}

/** Runs `promise` and returns what it rejected with; fails if it resolved. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection, but the call resolved');
}
