import { accessSync, constants, statSync, type Stats } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';

/** Where a hook's program is looked up, as the daemon's `spawn` does it. */
export interface HookLookup {
  /** `PATH`, for a program named without a `/`. */
  readonly path: string | undefined;
  /** The working directory a relative program path (and an empty `PATH` entry) is taken from. */
  readonly cwd: string;
}

/**
 * Why `program` (a hook command's first word) could not be run, or
 * `undefined` when it can: it must be an existing regular file this user may
 * execute. A name with a `/` is taken as a path (relative to `cwd`); a bare
 * name is searched in `PATH` as `execvp` does (the first executable regular
 * file wins; a candidate that is not one is skipped).
 */
export function hookExecutableProblem(program: string, lookup: HookLookup): string | undefined {
  if (program.includes('/')) {
    const file = isAbsolute(program) ? program : resolve(lookup.cwd, program);
    const shown = file === program ? program : `${program} (${file})`;
    return problemOf(file, shown);
  }
  const dirs = (lookup.path ?? '').split(delimiter);
  let first: string | undefined;
  for (const dir of dirs) {
    const file = join(dir === '' ? lookup.cwd : dir, program);
    const problem = problemOf(file, file);
    if (problem === undefined) return undefined;
    // A file that is there but cannot be run says more than "not found" does.
    if (first === undefined && !problem.endsWith('does not exist')) first = problem;
  }
  return first ?? `${program} is not found in PATH (${lookup.path ?? 'unset'}); give the program's absolute path`;
}

function problemOf(file: string, shown: string): string | undefined {
  let stat: Stats;
  try {
    stat = statSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR' ? `${shown} does not exist` : `cannot look at ${shown}: ${code ?? (error as Error).message}`;
  }
  if (!stat.isFile()) return `${shown} is ${kindOf(stat)}, not a regular file`;
  try {
    accessSync(file, constants.X_OK);
  } catch {
    return `${shown} is not executable (mode ${(stat.mode & 0o7777).toString(8).padStart(4, '0')}); chmod +x it`;
  }
  return undefined;
}

function kindOf(stat: Stats): string {
  if (stat.isDirectory()) return 'a directory';
  if (stat.isFIFO()) return 'a named pipe (FIFO)';
  if (stat.isSocket()) return 'a socket';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  return 'not a file';
}
