import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requiredServer } from '../../support/requiredServer.js';
import { waitFor } from './daemonProcess.js';

/** Debian's `etcd-server` (`.ci/run` installs it), found on PATH. Under CI its absence fails the run. */
export const ETCD = requiredServer('etcd', 'etcd', "install Debian's etcd-server (apt-get install -y etcd-server)");

/** A real single-member etcd on loopback with ephemeral ports and a temp data dir. */
export interface EtcdServer {
  readonly url: string;
  readonly child: ChildProcess;
  output(): string;
  /** Kills it and removes its data dir. */
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Starts etcd and waits until `/health` says so. */
export async function startEtcd(): Promise<EtcdServer> {
  const dir = mkdtempSync(join(tmpdir(), 'lifeboat-etcd-'));
  const [client, peer] = [await freePort(), await freePort()];
  const url = `http://127.0.0.1:${client}`;
  const peerUrl = `http://127.0.0.1:${peer}`;
  if (ETCD.path === undefined) throw new Error(ETCD.missing);
  const child = spawn(
    ETCD.path,
    [
      '--name', 'test',
      '--data-dir', join(dir, 'data'),
      '--listen-client-urls', url,
      '--advertise-client-urls', url,
      '--listen-peer-urls', peerUrl,
      '--initial-advertise-peer-urls', peerUrl,
      '--initial-cluster', `test=${peerUrl}`,
      '--log-level', 'warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGCONT');
      child.kill('SIGKILL');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor('etcd /health', 15_000, async () => {
      if (child.exitCode !== null) throw new Error(`etcd exited: ${out}`);
      const response = await fetch(`${url}/health`);
      return response.ok && ((await response.json()) as { health: string }).health === 'true' ? true : undefined;
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, child, output: () => out, stop };
}
