import { accessSync, constants } from 'node:fs';
import path from 'node:path';

/**
 * The `haproxy` executable: the first on `PATH`, else in the sbin folders
 * where distributions install it (Debian's `/usr/sbin` is not on a normal
 * user's `PATH`). `undefined` when it is not installed.
 */
export function findHaproxy(searchPath = process.env['PATH'] ?? ''): string | undefined {
  const dirs = [...searchPath.split(path.delimiter), '/usr/sbin', '/usr/local/sbin', '/opt/homebrew/sbin', '/opt/homebrew/bin'];
  for (const dir of dirs) {
    if (dir === '') continue;
    const candidate = path.join(dir, 'haproxy');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** How to get HAProxy, for messages where the built-in forwarder stood in for it. */
export const HAPROXY_INSTALL_HINT = 'install HAProxy (Debian/Ubuntu: apt-get install -y haproxy; macOS: brew install haproxy) to route through a real one';
