// What the peer stacks need from the machine: root, Debian packages, a non-root user for
// PostgreSQL (it refuses to run as root), free loopback ports and processes we can stop.
import { execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, openSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { killTrees, signalAll, tree } from './processTree.js';

/** PostgreSQL 15's binaries from Debian's `postgresql-15`. */
export const PG_BIN = '/usr/lib/postgresql/15/bin';

/** The Debian packages each peer stack needs, with a binary that shows it is there. */
export const PEER_PACKAGES = {
  patroni: { packages: ['patroni', 'etcd-server', 'haproxy', 'postgresql-15'], binaries: ['/usr/bin/patroni', '/usr/bin/etcd', '/usr/sbin/haproxy', `${PG_BIN}/postgres`] },
  pgAutoFailover: { packages: ['postgresql-15-auto-failover', 'postgresql-15'], binaries: ['/usr/bin/pg_autoctl', `${PG_BIN}/postgres`] },
};

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
export { sleep };

/**
 * Makes sure the packages of `stack` are installed: apt-get when root, once. Returns
 * `undefined` when ready, else why the stack is skipped.
 */
export function ensurePackages(stack) {
  const need = PEER_PACKAGES[stack];
  if (need.binaries.every((b) => existsSync(b))) return undefined;
  if (process.getuid?.() !== 0) return `not root, and ${need.packages.join(', ')} not installed`;
  try {
    execFileSync('which', ['apt-get'], { stdio: 'ignore' });
  } catch {
    return 'no apt-get on this machine';
  }
  try {
    if (!ensurePackages.updated) execFileSync('apt-get', ['update', '-qq'], { stdio: 'ignore', timeout: 300_000 });
    ensurePackages.updated = true;
    execFileSync('apt-get', ['install', '-y', '-qq', ...need.packages], { stdio: 'ignore', timeout: 600_000, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  } catch (error) {
    return `apt-get install ${need.packages.join(' ')} failed: ${error.message.split('\n')[0]}`;
  }
  return need.binaries.every((b) => existsSync(b)) ? undefined : `${need.packages.join(', ')} installed but ${need.binaries.join(', ')} missing`;
}

/** uid and gid of the `postgres` user (created by Debian's postgresql-common). */
export function postgresUser() {
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

/** A fresh directory owned by the postgres user. */
export function ownedTempDir(prefix, user) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chownSync(dir, user.uid, user.gid);
  return dir;
}

/** Gives `dir` and everything in it to `user`. */
export function chownTree(dir, user) {
  chownSync(dir, user.uid, user.gid);
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) chownTree(path, user);
    else chownSync(path, user.uid, user.gid);
  }
}

/** A free TCP port on 127.0.0.1 (released before it is returned). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Several distinct free ports. */
export async function freePorts(count) {
  const ports = new Set();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

/**
 * Starts a long-running process (its own process group, output to `log`), optionally as
 * `user`. Returns its pid and a `stop()` that asks it to stop (SIGTERM), waits up to
 * `graceMs`, then kills what is left of its tree.
 */
export function startProcess(command, args, { log, user, env = {}, cwd } = {}) {
  const fd = openSync(log, 'a');
  const child = spawn(command, args, {
    stdio: ['ignore', fd, fd],
    detached: true,
    env: { ...process.env, ...env },
    ...(cwd ? { cwd } : {}),
    ...(user ? { uid: user.uid, gid: user.gid } : {}),
  });
  child.unref();
  let exited = false;
  const done = new Promise((resolve) => child.once('exit', () => { exited = true; resolve(); }));
  return {
    pid: child.pid,
    get exited() { return exited; },
    async stop(graceMs = 10_000) {
      if (exited) return;
      const pids = tree(child.pid);
      signalAll(pids, 'SIGCONT');
      signalAll([child.pid], 'SIGTERM');
      await Promise.race([done, sleep(graceMs)]);
      killTrees([child.pid]);
      signalAll(pids, 'SIGKILL');
      await Promise.race([done, sleep(2000)]);
    },
  };
}

/** Polls `check` (async, truthy when done) every `everyMs` until `limitMs`; throws with `what` past it. */
export async function waitFor(what, limitMs, check, everyMs = 250) {
  const deadline = Date.now() + limitMs;
  let last;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() >= deadline) throw new Error(`${what}: not within ${limitMs / 1000} s${last ? ` (last error: ${last.message})` : ''}`);
    await sleep(everyMs);
  }
}

/** First line of `command --version`-style output, or `unknown`. */
export function versionOf(command, args = ['--version']) {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).split('\n')[0].trim();
  } catch {
    return 'unknown';
  }
}

/** Installed version of a Debian package, or `unknown`. */
export function debianVersion(pkg) {
  return versionOf('dpkg-query', ['-W', '-f=${Version}', pkg]);
}
