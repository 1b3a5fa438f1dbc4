import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { describe, test } from 'vitest';

/** A real server some tests need (etcd, Chromium, HAProxy, PostgreSQL), found on `PATH`. */
export interface RequiredServer {
  /** What it is, for messages ("etcd"). */
  readonly name: string;
  /** Absolute path of the executable, or `undefined` when it is not on `PATH`. */
  readonly path: string | undefined;
  /** Why it is missing and how to install it (empty when present). */
  readonly missing: string;
  /**
   * Whether the tests that need it must be skipped here: `true` only when it is
   * missing outside CI. Under CI (`CI` set, and not `false` or `0`) a missing
   * server is a failure, never a skip: calling this registers a failing test
   * that names it, so CI cannot go green with those tests skipped. Outside CI
   * the skip is registered as a visible skipped test with the reason.
   * Call it once per test file, at the top level (it registers tests).
   */
  skip(): boolean;
}

/** Whether this run is CI's: a missing server fails instead of skipping. */
export function underCi(env: NodeJS.ProcessEnv = process.env): boolean {
  const ci = env['CI'];
  return ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0';
}

/** The first executable called `command` on `PATH`, as a shell would find it. */
export function findOnPath(command: string, path = process.env['PATH'] ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The server run as `command` (looked up on `PATH`); `install` says how to get it (`apt-get install -y etcd-server`). */
export function requiredServer(name: string, command: string, install: string): RequiredServer {
  const path = findOnPath(command);
  const missing = path === undefined ? `${name} (${command}) not found on PATH: ${install}; .ci/run installs it` : '';
  return {
    name,
    path,
    missing,
    skip() {
      if (path !== undefined) return false;
      if (underCi()) {
        describe(`needs ${name}`, () => {
          test(`${name} is installed (under CI a missing server fails the run instead of skipping its tests)`, () => {
            throw new Error(missing);
          });
        });
        return true;
      }
      describe(`needs ${name}`, () => {
        test.skip(`skipped: ${missing}`, () => undefined);
      });
      return true;
    },
  };
}
