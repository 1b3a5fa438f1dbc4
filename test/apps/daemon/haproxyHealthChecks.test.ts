// The documented HAProxy configuration (deploy/haproxy-postgres.cfg), run by a real HAProxy against a
// daemon over a simulated world: clients connecting through HAProxy reach the primary's stand-in, and
// after the daemon fails the database over (the primary's zone goes dark) the new primary's, with the
// sessions to the old one cut. Also the health checks' token rule, which the config relies on.
import { spawn, type ChildProcess } from 'node:child_process';
import { get } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SystemClock } from '../../../src/core/clock/SystemClock.js';
import { parseDaemonConfig } from '../../../src/apps/daemon/config/loadDaemonConfig.js';
import { Daemon } from '../../../src/apps/daemon/Daemon.js';
import { DaemonApi } from '../../../src/apps/daemon/DaemonApi.js';
import type { DaemonStatus } from '../../../src/apps/daemon/DaemonStatus.js';
import { buildRuntime, type Runtime } from '../../../src/apps/daemon/runtime/buildRuntime.js';
import { requiredServer } from '../../support/requiredServer.js';
import { waitFor } from './daemonProcess.js';
import { failoverWorld, fastDaemonConfig } from './failoverWorld.js';

const haproxy = requiredServer('HAProxy', 'haproxy', 'apt-get install -y haproxy');
const READ_TOKEN = 'haproxy-read-token-0123456789';
const INSTANCES = ['orders', 'orders-b', 'orders-c'] as const;
const DEPLOYED = readFileSync(new URL('../../../deploy/haproxy-postgres.cfg', import.meta.url), 'utf8');
// local-a (the primary's zone) goes dark 8 s after the world starts: time for HAProxy to start and settle first.
const WORLD = failoverWorld({ name: 'haproxy-test', impairAt: '8s', latency: 'promoteReplica: 300ms, repointReplica: 300ms' });

/** A stand-in for one database instance: says its name on every connection and keeps it open. */
async function standIn(name: string): Promise<{ server: Server; port: number }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.write(`${name}\n`);
  });
  server.on('close', () => sockets.forEach((s) => s.destroy()));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port };
}

/** A free loopback port (taken, then released for HAProxy to bind). */
async function freePort(): Promise<number> {
  const { server, port } = await standIn('probe');
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Connects through HAProxy and reads the name the instance behind it says; keeps the socket open when `hold`. */
function reach(port: number, hold = false): Promise<{ name: string; socket: Socket }> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let text = '';
    const timer = setTimeout(() => (socket.destroy(), reject(new Error('no answer within 2 s'))), 2000);
    socket.on('error', (error) => (clearTimeout(timer), reject(error)));
    socket.on('close', () => (clearTimeout(timer), reject(new Error('closed before a name'))));
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (!text.includes('\n')) return;
      clearTimeout(timer);
      socket.removeAllListeners('close');
      if (!hold) socket.destroy();
      resolve({ name: text.trim(), socket });
    });
  });
}

/** The deployed config with its addresses pointed at the stand-ins, the frontends and the daemon here. */
function templated(deployed: string, ports: { primary: number; replicas: number; daemon: number; socket: string; instances: Record<string, number> }): string {
  let servers = 0;
  const text = deployed
    .replace('bind 0.0.0.0:5000', `bind 127.0.0.1:${ports.primary}`)
    .replace('bind 0.0.0.0:5001', `bind 127.0.0.1:${ports.replicas}`)
    .replace(/^(\s*server (\S+)\s+)\S+:5432 check addr \S+ port 7400$/gm, (_line, head: string, name: string) => {
      servers++;
      return `${head}127.0.0.1:${ports.instances[name]} check addr 127.0.0.1 port ${ports.daemon}`;
    });
  // The file's shape is what this test exercises: if it changes, the template must follow.
  expect(servers).toBe(6);
  expect(text).toContain(`bind 127.0.0.1:${ports.primary}`);
  expect(text).toContain(`bind 127.0.0.1:${ports.replicas}`);
  // Test only: the runtime API, to see what HAProxy's checks concluded (a second global section adds to the first).
  return `${text}\nglobal\n    stats socket ${ports.socket} mode 600 level admin\n`;
}

if (!haproxy.skip()) {
  describe('deploy/haproxy-postgres.cfg against a real HAProxy', () => {
    let dir: string;
    let abort: AbortController;
    let runtime: Runtime;
    let daemon: Daemon;
    let api: DaemonApi;
    let openApi: DaemonApi;
    let base: string;
    let openBase: string;
    let running: Promise<unknown> | undefined;
    let proxy: ChildProcess | undefined;
    let proxyOutput = '';
    const standIns = new Map<string, { server: Server; port: number }>();
    let ports: { primary: number; replicas: number };

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'lifeboat-haproxy-'));
      writeFileSync(join(dir, 'world.yaml'), WORLD);
      const config = await parseDaemonConfig(
        fastDaemonConfig({ id: 'haproxy-test', provider: 'world: world.yaml' }).replace('api: { listen: "127.0.0.1:0" }', `api: { listen: "127.0.0.1:0", readToken: ${READ_TOKEN} }`),
        join(dir, 'lifeboat.yaml'),
      );
      expect(config.api.readToken).toBe(READ_TOKEN);
      const clock = new SystemClock();
      abort = new AbortController();
      runtime = await buildRuntime(config, clock, abort.signal);
      daemon = new Daemon({ config, runtime, clock, id: 'haproxy-test', random: () => 0.5 });
      api = new DaemonApi(daemon, { read: READ_TOKEN }, abort.signal, { clock });
      const daemonPort = await api.listen('127.0.0.1', 0);
      base = `http://127.0.0.1:${daemonPort}`;
      openApi = new DaemonApi(daemon, { read: READ_TOKEN }, abort.signal, { clock, healthChecks: { withoutToken: true } });
      openBase = `http://127.0.0.1:${await openApi.listen('127.0.0.1', 0)}`;
      for (const name of INSTANCES) standIns.set(name, await standIn(name));
      ports = { primary: await freePort(), replicas: await freePort() };
      const socket = join(dir, 'haproxy.sock');
      const cfg = templated(DEPLOYED, { ...ports, daemon: daemonPort, socket, instances: Object.fromEntries([...standIns].map(([n, s]) => [n, s.port])) });
      writeFileSync(join(dir, 'haproxy.cfg'), cfg);
      running = Promise.all([runtime.run(abort.signal), daemon.run(abort.signal)]);
      await waitFor('the first observation', 5000, async () => ((await status()).observedAt ? true : undefined));
      proxy = spawn(haproxy.path!, ['-db', '-f', join(dir, 'haproxy.cfg')], { env: { ...process.env, LIFEBOAT_READ_TOKEN: READ_TOKEN }, stdio: ['ignore', 'pipe', 'pipe'] });
      proxy.stdout!.on('data', (c: Buffer) => (proxyOutput += c.toString()));
      proxy.stderr!.on('data', (c: Buffer) => (proxyOutput += c.toString()));
      // HAProxy counts every server up until its first check: wait until its checks have spoken.
      await waitFor('HAProxy to mark only the primary up, and only the replicas up for readers', 5000, async () => {
        const writers = await haproxyServers(socket, 'orders_primary');
        const readers = await haproxyServers(socket, 'orders_replicas');
        return writers.get('orders') === 'up' && writers.get('orders-b') === 'down' && writers.get('orders-c') === 'down' && readers.get('orders') === 'down'
          ? true
          : undefined;
      }).catch((error: Error) => {
        throw new Error(`${error.message}\nHAProxy said:\n${proxyOutput}`);
      });
    }, 30_000);

    afterAll(async () => {
      proxy?.kill('SIGKILL');
      abort?.abort();
      await running?.catch(() => undefined);
      await api?.close();
      await openApi?.close();
      await runtime?.close();
      for (const s of standIns.values()) await new Promise<void>((resolve) => s.server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    });

    const status = async () => (await (await fetch(`${base}/status`, { headers: { authorization: `Bearer ${READ_TOKEN}` } })).json()) as DaemonStatus;

    test('the health checks need the read token unless api.healthChecks.withoutToken opens them (and only them)', async () => {
      expect((await fetch(`${base}/primary/orders/orders`)).status).toBe(401);
      expect((await fetch(`${base}/primary/orders/orders`, { headers: { authorization: `Bearer ${READ_TOKEN}` } })).status).toBe(200);
      const open = await fetch(`${openBase}/primary/orders/orders`);
      expect(open.status).toBe(200);
      expect(await open.json()).toMatchObject({ check: 'primary', target: ['orders', 'orders'], ok: true, leader: 'haproxy-test' });
      expect((await fetch(`${openBase}/primary/orders/orders-b`)).status).toBe(503);
      expect((await fetch(`${openBase}/status`)).status).toBe(401);
      expect((await fetch(`${openBase}/primary/orders/orders`, { method: 'POST' })).status).toBe(405);
      // fetch cannot set Host: node:http can (a DNS-rebinding page's request is refused here too).
      const rebound = await new Promise<number | undefined>((resolve, reject) => get(`${openBase}/primary/orders/orders`, { headers: { host: 'evil.example' } }, (res) => (res.resume(), resolve(res.statusCode))).on('error', reject));
      expect(rebound).toBe(421);
    });

    test('clients reach the primary through HAProxy, and the new primary after the daemon fails the database over', async () => {
      const before = await reach(ports.primary, true);
      expect(before.name).toBe('orders');
      expect(['orders-b', 'orders-c']).toContain((await reach(ports.replicas)).name);
      let cut = false;
      before.socket.on('close', () => (cut = true));

      const failedOver = await waitFor('the daemon to fail orders over to orders-b', 20_000, async () => {
        const s = await status();
        return s.databases[0]?.primary === 'orders-b' && s.databases[0]?.primaryHealth?.writable ? Date.now() : undefined;
      });
      // Checks every 1 s (500 ms while changing), two failures out, one success in: a few seconds at most.
      const reached = await waitFor('HAProxy to send clients to orders-b', 5_000, async () => ((await reach(ports.primary).catch(() => undefined))?.name === 'orders-b' ? Date.now() : undefined));
      expect(reached - failedOver).toBeLessThan(5_000);
      // The session to the old primary was cut (on-marked-down shutdown-sessions), not left writing to it.
      await waitFor('the old session to be cut', 3_000, () => (cut ? true : undefined));
      // And no client is sent to the old primary any more.
      for (let i = 0; i < 5; i++) expect((await reach(ports.primary)).name).toBe('orders-b');
      const state = await haproxyServers(join(dir, 'haproxy.sock'), 'orders_primary');
      expect(Object.fromEntries(state)).toEqual({ orders: 'down', 'orders-b': 'up', 'orders-c': 'down' });
    }, 40_000);
  });
}

/** `show servers state <backend>` over HAProxy's runtime API: each server's operational state. */
async function haproxyServers(socketPath: string, backend: string): Promise<Map<string, 'up' | 'down' | string>> {
  const text = await new Promise<string>((resolve, reject) => {
    const socket = createConnection(socketPath);
    let out = '';
    socket.on('error', reject);
    socket.on('data', (c: Buffer) => (out += c.toString()));
    socket.on('end', () => resolve(out));
    socket.write(`show servers state ${backend}\n`);
  });
  const states = new Map<string, string>();
  for (const line of text.split('\n')) {
    const fields = line.split(' ');
    // be_id be_name srv_id srv_name srv_addr srv_op_state ...: op state 2 is running, 0 stopped.
    if (fields.length < 6 || fields[1] !== backend) continue;
    states.set(fields[3]!, fields[5] === '2' ? 'up' : fields[5] === '0' ? 'down' : `state ${fields[5]}`);
  }
  return states;
}
