import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { get } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { spawnCli, stop, waitFor, type CliProcess } from './daemonProcess.js';

/** A token that must never show up in any output, log, file or answer. */
const CANARY = 'canary-5e1f0c7a9b2d4e6f8a0b';
const READ_CANARY = 'readcanary-0f9e8d7c6b5a4f3e';

const config = (api: string) => `id: security-test
providers:
  - type: sim
    topology:
      providers:
        - id: local
          latency: { promoteReplica: 300ms, stopDatabase: 200ms, repointReplica: 300ms }
          regions: [{ id: local, zones: [local-a, local-b] }]
      databases:
        - id: orders
          primary: { provider: local, region: local, zone: local-a }
          replicas: [{ id: orders-b, provider: local, region: local, zone: local-b, mode: sync }]
protect:
  regions: [{ provider: local, region: local }]
policy: { probeInterval: 200ms, probeTimeout: 150ms, observeInterval: 1s, suspectObserveInterval: 200ms, callTimeout: 3s }
api: ${api}
journal: state/journal.json
audit: state/audit.jsonl
`;

const listening = (p: CliProcess) => /listening on (https?:\S+?)(?:;|\s|$)/.exec(p.output())?.[1];

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));
}

describe('lifeboat daemon security (real processes)', () => {
  const procs: CliProcess[] = [];
  let root: string | undefined;
  afterEach(async () => {
    for (const p of procs.splice(0)) await stop(p);
    if (root) rmSync(root, { recursive: true, force: true });
    root = undefined;
  });
  const start = (file: string, env: NodeJS.ProcessEnv = {}) => {
    const p = spawnCli(['daemon', '--config', file], env);
    procs.push(p);
    return p;
  };

  test('a token from the environment needs 16 characters too', async () => {
    root = mkdtempSync(join(tmpdir(), 'lifeboat-sec-'));
    const file = join(root, 'lifeboat.yaml');
    writeFileSync(file, config('{ listen: "127.0.0.1:0", tokenEnv: LIFEBOAT_API_TOKEN }'));
    const short = start(file, { LIFEBOAT_API_TOKEN: 'x' });
    expect(await short.exited).toEqual({ code: 2, signal: null });
    expect(short.output()).toBe(
      'lifeboat daemon: the operate token from the environment variable LIFEBOAT_API_TOKEN (api.tokenEnv) has 1 character(s); an API token needs at least 16 (for example: openssl rand -hex 32)\n',
    );
  }, 20_000);

  test('a second daemon on the same journal prints nothing but why it refuses; state is 0700', async () => {
    root = mkdtempSync(join(tmpdir(), 'lifeboat-sec-'));
    const file = join(root, 'lifeboat.yaml');
    writeFileSync(file, config('{ listen: "127.0.0.1:0" }'));
    const first = start(file);
    await waitFor('first daemon', 10_000, () => listening(first));
    const second = start(file);
    expect(await second.exited).toEqual({ code: 2, signal: null });
    expect(second.output()).toBe(`lifeboat daemon: another daemon (pid ${first.child.pid}) holds ${join(root, 'state', 'journal.json.lock')}\n`);
    expect(statSync(join(root, 'state')).mode & 0o777).toBe(0o700);
    first.child.kill('SIGTERM');
    expect(await first.exited).toEqual({ code: 0, signal: null });
  }, 30_000);

  test('the tokens never appear in any output, file or answer (canary)', async () => {
    root = mkdtempSync(join(tmpdir(), 'lifeboat-sec-'));
    const file = join(root, 'lifeboat.yaml');
    writeFileSync(file, config('{ listen: "127.0.0.1:0", tokenEnv: OPERATE_TOKEN, readTokenEnv: READ_TOKEN }'));
    const daemon = start(file, { OPERATE_TOKEN: CANARY, READ_TOKEN: READ_CANARY });
    const base = await waitFor('daemon API', 10_000, () => listening(daemon));
    const answers: string[] = [];
    const call = async (path: string, init: RequestInit = {}) => {
      const res = await fetch(`${base}${path}`, init);
      answers.push(JSON.stringify([...res.headers]), await res.text());
      return res.status;
    };
    const as = (token: string) => ({ authorization: `Bearer ${token}` });
    expect(await call('/status', { headers: as(`${CANARY}x`) })).toBe(401);
    expect(await call('/pause', { method: 'POST', headers: as(READ_CANARY) })).toBe(403);
    expect(await call('/pause', { method: 'POST', headers: as(CANARY.toUpperCase()) })).toBe(401);
    expect(await call('/pause', { method: 'POST', headers: as(CANARY), body: `{"reason": "maintenance ${'x'.repeat(10)}"}` })).toBe(200);
    expect(await call('/resume', { method: 'POST', headers: as(CANARY), body: '{nope' })).toBe(400);
    expect(await call('/resume', { method: 'POST', headers: as(CANARY) })).toBe(200);
    expect(await call('/switchover', { method: 'POST', headers: as(CANARY), body: '{"database":"orders"}' })).toBe(202);
    await waitFor('switchover', 15_000, async () => ((await (await fetch(`${base}/status`, { headers: as(READ_CANARY) })).json()) as { databases: { failovers: number }[] }).databases[0]?.failovers === 1 || undefined);
    for (const path of ['/status', '/events', '/metrics', '/', '/healthz']) expect(await call(path, { headers: as(READ_CANARY) })).toBe(200);
    daemon.child.kill('SIGTERM');
    expect(await daemon.exited).toEqual({ code: 0, signal: null });
    const files = filesUnder(root).filter((f) => f !== file);
    expect(files.some((f) => /postmortem-orders-/.test(f))).toBe(true);
    const everything = [daemon.output(), ...answers, ...files.map((f) => readFileSync(f, 'utf8'))].join('\n');
    expect(everything).toContain('maintenance');
    expect(everything).not.toContain(CANARY);
    expect(everything).not.toContain(READ_CANARY);
    expect(everything.toLowerCase()).not.toContain(CANARY.toLowerCase().slice(0, 12));
  }, 40_000);
});

const HAVE_OPENSSL = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** A fresh self-signed certificate and key for localhost, PEM. */
function selfSigned(dir: string, name: string): { cert: string; key: string } {
  const [cert, key] = [join(dir, `${name}.crt`), join(dir, `${name}.key`)];
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', `/CN=${name}`, '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
  return { cert: readFileSync(cert, 'utf8'), key: readFileSync(key, 'utf8') };
}

/** The certificate the server at `url` presents, by its fingerprint. */
function presented(url: string): Promise<{ fingerprint: string; status: number; hsts: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = get(`${url}/healthz`, { rejectUnauthorized: false, agent: false }, (res) => {
      const cert = res.socket && 'getPeerCertificate' in res.socket ? (res.socket as import('node:tls').TLSSocket).getPeerCertificate() : undefined;
      res.resume();
      resolve({ fingerprint: cert?.fingerprint256 ?? '', status: res.statusCode!, hsts: res.headers['strict-transport-security'] });
    });
    req.on('error', reject);
  });
}

describe.skipIf(!HAVE_OPENSSL)('TLS (openssl makes the certificates)', () => {
  const procs: CliProcess[] = [];
  let root: string | undefined;
  afterEach(async () => {
    for (const p of procs.splice(0)) await stop(p);
    if (root) rmSync(root, { recursive: true, force: true });
    root = undefined;
  });

  test('the API serves HTTPS from the certificate files and reloads them on SIGHUP', async () => {
    root = mkdtempSync(join(tmpdir(), 'lifeboat-tls-'));
    const one = selfSigned(root, 'one');
    const two = selfSigned(root, 'two');
    writeFileSync(join(root, 'api.crt'), one.cert);
    writeFileSync(join(root, 'api.key'), one.key);
    const file = join(root, 'lifeboat.yaml');
    writeFileSync(file, config('{ listen: "127.0.0.1:0", tls: { cert: api.crt, key: api.key }, requireTls: true }'));
    const daemon = spawnCli(['daemon', '--config', file]);
    procs.push(daemon);
    const base = await waitFor('daemon API', 10_000, () => /listening on (https:\S+?)(?:;|\s|$)/.exec(daemon.output())?.[1]);
    const first = await presented(base);
    expect(first).toEqual({ fingerprint: new X509Certificate(one.cert).fingerprint256, status: 200, hsts: 'max-age=31536000' });
    writeFileSync(join(root, 'api.crt'), two.cert);
    writeFileSync(join(root, 'api.key'), two.key);
    daemon.child.kill('SIGHUP');
    await waitFor('reload', 5000, () => (/reloaded the TLS certificate and key/.test(daemon.output()) ? true : undefined));
    expect((await presented(base)).fingerprint).toBe(new X509Certificate(two.cert).fingerprint256);
    // A broken pair is refused and the current certificate stays.
    writeFileSync(join(root, 'api.key'), one.key);
    daemon.child.kill('SIGHUP');
    await waitFor('refused reload', 5000, () => (/SIGHUP: kept the current TLS certificate: the TLS certificate .*api\.crt and key .*api\.key are not a usable pair/.test(daemon.output()) ? true : undefined));
    expect((await presented(base)).fingerprint).toBe(new X509Certificate(two.cert).fingerprint256);
    expect(daemon.output()).not.toContain('PRIVATE KEY');
    daemon.child.kill('SIGTERM');
    expect(await daemon.exited).toEqual({ code: 0, signal: null });
    expect(existsSync(join(root, 'state'))).toBe(true);
  }, 30_000);

  test('missing TLS files are a clear error at start', async () => {
    root = mkdtempSync(join(tmpdir(), 'lifeboat-tls-'));
    const file = join(root, 'lifeboat.yaml');
    writeFileSync(file, config('{ listen: "127.0.0.1:0", tls: { cert: nope.crt, key: nope.key } }'));
    const daemon = spawnCli(['daemon', '--config', file]);
    procs.push(daemon);
    expect(await daemon.exited).toEqual({ code: 2, signal: null });
    expect(daemon.output()).toBe(`lifeboat daemon: cannot read the TLS certificate (api.tls.cert) ${join(root, 'nope.crt')}: ENOENT\n`);
  }, 20_000);
});
