import { request, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { SystemClock } from '../../../src/core/clock/SystemClock.js';
import { tokenMatches } from '../../../src/apps/daemon/api/ApiTokens.js';
import { parseDaemonConfig } from '../../../src/apps/daemon/config/loadDaemonConfig.js';
import { Daemon } from '../../../src/apps/daemon/Daemon.js';
import { DaemonApi, type DaemonApiOptions } from '../../../src/apps/daemon/DaemonApi.js';
import { buildRuntime } from '../../../src/apps/daemon/runtime/buildRuntime.js';
import { waitFor } from './daemonProcess.js';

const OPERATE = 'operate-token-0123456789abcdef';
const READ = 'read-token-0123456789abcdef-xyz';
const CONFIG = `id: api-security
providers:
  - type: sim
    topology:
      providers:
        - id: local
          regions: [{ id: local, zones: [local-a, local-b] }]
      databases:
        - id: orders
          primary: { provider: local, region: local, zone: local-a }
          replicas: [{ id: orders-b, provider: local, region: local, zone: local-b, mode: sync }]
protect:
  regions: [{ provider: local, region: local }]
policy: { probeInterval: 200ms, probeTimeout: 150ms, observeInterval: 1s, suspectObserveInterval: 200ms, callTimeout: 3s }
journal: state/journal.json
audit: state/audit.jsonl
`;

interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** One raw HTTP request (fetch would not let a test set Host or send a path unnormalized). */
function raw(port: number, method: string, path: string, headers: Record<string, string | number> = {}, body?: string | Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: { host: `127.0.0.1:${port}`, ...headers }, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

describe('daemon API security', () => {
  let dir: string;
  let abort: AbortController;
  let running: Promise<unknown>;
  let daemon: Daemon;
  const apis: DaemonApi[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lifeboat-apisec-'));
    const config = await parseDaemonConfig(CONFIG, join(dir, 'lifeboat.yaml'));
    const clock = new SystemClock();
    abort = new AbortController();
    const runtime = await buildRuntime(config, clock, abort.signal);
    daemon = new Daemon({ config, runtime, clock, id: 'api-security', random: () => 0.5 });
    running = Promise.all([runtime.run(abort.signal), daemon.run(abort.signal)]);
    await waitFor('first observation', 5000, () => (daemon.status().databases.length > 0 ? true : undefined));
  });
  afterEach(async () => {
    for (const api of apis.splice(0)) await api.close();
  });
  afterAll(async () => {
    abort.abort();
    await running;
    rmSync(dir, { recursive: true, force: true });
  });

  async function serve(tokens: { read?: string; operate?: string } = { read: READ, operate: OPERATE }, options: DaemonApiOptions = {}): Promise<number> {
    const api = new DaemonApi(daemon, tokens, abort.signal, options);
    apis.push(api);
    return api.listen('127.0.0.1', 0);
  }
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  test('the Host header must name this daemon (DNS rebinding)', async () => {
    const port = await serve({ operate: OPERATE }, { hosts: ['lifeboat.internal'] });
    const rebound = await raw(port, 'GET', '/status', { host: `attacker.example:${port}` });
    expect(rebound.status).toBe(421);
    expect(rebound.body).not.toContain('orders');
    expect((await raw(port, 'GET', '/healthz', { host: 'attacker.example' })).status).toBe(421);
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, '[::1]', 'LIFEBOAT.internal.', `lifeboat.internal:${port}`]) {
      expect((await raw(port, 'GET', '/status', { host })).status, host).toBe(200);
    }
    expect((await raw(port, 'GET', '/status', { host: 'a b' })).status).toBe(421);
  });

  test('every response carries the security headers; the dashboard a CSP that allows only its own script', async () => {
    const port = await serve();
    const answers = [
      await raw(port, 'GET', '/healthz'),
      await raw(port, 'GET', '/status', bearer(READ)),
      await raw(port, 'GET', '/metrics', bearer(READ)),
      await raw(port, 'GET', '/status'),
      await raw(port, 'GET', '/nope'),
      await raw(port, 'DELETE', '/status'),
      await raw(port, 'POST', '/pause', bearer(OPERATE), '{nope'),
      await raw(port, 'GET', '/status', { host: 'evil.example' }),
    ];
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 401, 404, 405, 400, 421]);
    for (const a of answers) {
      expect(a.headers['x-content-type-options']).toBe('nosniff');
      expect(a.headers['cache-control']).toBe('no-store');
      expect(a.headers['x-frame-options']).toBe('DENY');
      expect(a.headers['content-security-policy']).toMatch(/^default-src 'none'/);
    }
    const dashboard = await raw(port, 'GET', '/');
    expect(dashboard.status).toBe(200);
    expect(dashboard.headers['x-content-type-options']).toBe('nosniff');
    expect(dashboard.headers['content-security-policy']).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(dashboard.headers['content-security-policy']).toContain("connect-src 'self'");
    expect(dashboard.headers['content-security-policy']).not.toContain('unsafe-inline');
  });

  test('token roles: read reads, operate reads and operates; the Bearer scheme is case-insensitive', async () => {
    const port = await serve();
    expect((await raw(port, 'GET', '/healthz')).status).toBe(200);
    expect((await raw(port, 'GET', '/')).status).toBe(200);
    for (const path of ['/status', '/events', '/metrics']) {
      expect((await raw(port, 'GET', path)).status, path).toBe(401);
      expect((await raw(port, 'GET', path, bearer('wrong-token-0123456789abcdef'))).status, path).toBe(401);
      expect((await raw(port, 'GET', path, bearer(READ))).status, path).toBe(200);
      expect((await raw(port, 'GET', path, bearer(OPERATE))).status, path).toBe(200);
    }
    const readPause = await raw(port, 'POST', '/pause', bearer(READ));
    expect(readPause.status).toBe(403);
    expect(JSON.parse(readPause.body)).toEqual({ error: 'the read token cannot do this: it needs the operate token' });
    expect(daemon.paused).toBe(false);
    for (const scheme of ['bearer', 'BEARER', 'BeArEr']) {
      expect((await raw(port, 'POST', '/pause', { authorization: `${scheme} ${OPERATE}` })).status, scheme).toBe(200);
      expect((await raw(port, 'POST', '/resume', { authorization: `${scheme} ${OPERATE}` })).status, scheme).toBe(200);
    }
    expect((await raw(port, 'POST', '/pause', { authorization: `Basic ${OPERATE}` })).status).toBe(401);
    expect(daemon.paused).toBe(false);
  });

  test('without a read token reads stay open; without an operate token nothing mutates', async () => {
    const port = await serve({});
    expect((await raw(port, 'GET', '/status')).status).toBe(200);
    expect((await raw(port, 'POST', '/pause', bearer(OPERATE))).status).toBe(403);
    expect(daemon.paused).toBe(false);
  });

  test('HEAD is allowed where GET is; 405 says what is allowed', async () => {
    const port = await serve({ operate: OPERATE });
    const head = await raw(port, 'HEAD', '/status');
    expect(head.status).toBe(200);
    expect(head.headers['content-type']).toBe('application/json');
    expect(head.body).toBe('');
    expect((await raw(port, 'HEAD', '/healthz')).status).toBe(200);
    expect((await raw(port, 'HEAD', '/')).status).toBe(200);
    const wrong = await raw(port, 'HEAD', '/pause');
    expect(wrong.status).toBe(405);
    expect(wrong.headers.allow).toBe('POST');
    expect((await raw(port, 'PUT', '/status')).headers.allow).toBe('GET, HEAD');
  });

  test('/events?limit= must be a whole number from 1 to 10000', async () => {
    const port = await serve({});
    for (const limit of ['-1', '0', 'abc', '1.5', '10001', '', '1e3']) {
      const answer = await raw(port, 'GET', `/events?limit=${limit}`);
      expect(answer.status, limit).toBe(400);
      expect(JSON.parse(answer.body).error).toMatch(/^limit: expected a whole number from 1 to 10000/);
    }
    expect((await raw(port, 'GET', '/events?limit=5')).status).toBe(200);
    expect((await raw(port, 'GET', '/events')).status).toBe(200);
  });

  test('bodies over the limit get 413 before they are read whole', async () => {
    const port = await serve({ operate: OPERATE });
    // Declares 10 MB but sends 1 KB and never finishes: the answer comes anyway, so the server did not wait for the body.
    const declared = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/pause', agent: false, headers: { ...bearer(OPERATE), 'content-length': 10 * 1024 * 1024 } }, (res) => {
        resolve(res.statusCode!);
        res.resume();
        req.destroy();
      });
      req.on('error', reject);
      req.write(Buffer.alloc(1024, 0x20));
    });
    expect(declared).toBe(413);
    // A chunked body (no length declared) is cut off as soon as it passes the limit.
    const chunked = await new Promise<Answer>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/pause', agent: false, headers: { ...bearer(OPERATE), 'transfer-encoding': 'chunked' } }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
      });
      req.on('error', () => undefined);
      for (let i = 0; i < 80; i++) req.write(Buffer.alloc(1024, 0x20));
      setTimeout(() => req.destroyed || reject(new Error('no answer to an endless chunked body')), 5000);
    });
    expect(chunked.status).toBe(413);
    expect(JSON.parse(chunked.body)).toEqual({ error: 'request body too large (at most 65536 bytes)' });
    expect(daemon.paused).toBe(false);
    // Unauthenticated bodies are not read at all: 401 first.
    expect((await raw(port, 'POST', '/pause', { 'content-length': 10 * 1024 * 1024 }, 'x')).status).toBe(401);
  });

  test('a slow client is cut off after the header timeout and does not hold up others', async () => {
    const port = await serve({}, { headersTimeoutMs: 300, requestTimeoutMs: 600 });
    const started = Date.now();
    const slow = connect(port, '127.0.0.1');
    slow.write(`GET /status HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n`);
    let received = '';
    slow.on('data', (c: Buffer) => (received += c.toString()));
    expect((await raw(port, 'GET', '/healthz')).status).toBe(200);
    await new Promise<void>((resolve) => slow.once('close', () => resolve()));
    expect(Date.now() - started).toBeLessThan(5000);
    expect(received).toMatch(/^HTTP\/1\.1 408/);
  });

  test('paths that try to leave the API (traversal) are 404 and serve no file', async () => {
    const port = await serve({});
    for (const path of ['/../../../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/status/../../etc/passwd', '//etc/passwd', '/..%2f..%2fetc%2fpasswd', '/static/..%5c..%5cpackage.json']) {
      const answer = await raw(port, 'GET', path);
      expect(answer.status, path).toBe(404);
      expect(answer.body, path).not.toMatch(/root:|"name": ?"lifeboat"/);
    }
  });

  test('listen resolves the host and checks every address: loopback only without a token', async () => {
    const lan = async () => ['10.1.2.3'];
    const mixed = async () => ['127.0.0.1', '192.168.1.9'];
    const loop = async () => ['127.0.0.1'];
    await expect(new DaemonApi(daemon, {}, abort.signal, { resolver: lan }).listen('127.0.0.1.lan.example', 0)).rejects.toThrow(
      'refusing to listen on 127.0.0.1.lan.example without an API token: it resolves to 10.1.2.3, which is not loopback',
    );
    await expect(new DaemonApi(daemon, {}, abort.signal, { resolver: mixed }).listen('both.example', 0)).rejects.toThrow(/resolves to 192\.168\.1\.9, which is not loopback/);
    await expect(new DaemonApi(daemon, {}, abort.signal).listen('0.0.0.0', 0)).rejects.toThrow(/not loopback/);
    await expect(new DaemonApi(daemon, {}, abort.signal).listen('::', 0)).rejects.toThrow(/not loopback/);
    await expect(new DaemonApi(daemon, {}, abort.signal).listen('127.0.0.1.nip.invalid', 0)).rejects.toThrow(/cannot resolve the listen host 127\.0\.0\.1\.nip\.invalid/);
    // A name that resolves to loopback only is bound by its (checked) address.
    const named = new DaemonApi(daemon, {}, abort.signal, { resolver: loop });
    apis.push(named);
    await named.listen('lifeboat.test', 0);
    expect(named.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    // requireTls refuses plain HTTP off loopback even with a token (checked before anything is bound).
    await expect(new DaemonApi(daemon, { operate: OPERATE }, abort.signal, { resolver: lan, requireTls: true }).listen('lifeboat.lan', 0)).rejects.toThrow(/api\.requireTls is set/);
  });
});

describe('token comparison', () => {
  test('accepts only the exact token, of any length, without throwing', () => {
    expect(tokenMatches(OPERATE, OPERATE)).toBe(true);
    expect(tokenMatches(`${OPERATE}x`, OPERATE)).toBe(false);
    expect(tokenMatches(OPERATE.slice(0, -1), OPERATE)).toBe(false);
    expect(tokenMatches('', OPERATE)).toBe(false);
  });

  test('takes as long for a guess wrong in its first character as in its last (constant time)', () => {
    const expected = 'k'.repeat(256 * 1024);
    const early = `x${expected.slice(1)}`;
    const late = `${expected.slice(0, -1)}x`;
    // Interleaved samples share whatever else the machine is doing; medians drop the outliers.
    const [early$, late$]: [number[], number[]] = [[], []];
    const sample = (guess: string, into: number[]) => {
      const t = process.hrtime.bigint();
      tokenMatches(guess, expected);
      into.push(Number(process.hrtime.bigint() - t));
    };
    for (let i = 0; i < 5; i++) sample(late, []);
    for (let i = 0; i < 61; i++) {
      sample(early, early$);
      sample(late, late$);
    }
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[30]!;
    const [e, l] = [median(early$), median(late$)];
    // A comparison that stops at the first difference is orders of magnitude faster on `early`; hashing both sides costs the same.
    expect(e / l).toBeGreaterThan(0.5);
    expect(e / l).toBeLessThan(2);
  });
});
