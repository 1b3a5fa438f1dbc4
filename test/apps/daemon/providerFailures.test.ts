import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnCli, stop, waitFor, type CliProcess } from './daemonProcess.js';

/**
 * A provider that fails inside its client library must not kill the daemon:
 * a credentials file the config names is checked at start (exit 2), and a
 * failure after that (here: ADC pointed at a missing file outside the
 * config) is contained, logged once and retried while the daemon serves.
 */
let dir = '';
const running: CliProcess[] = [];
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lifeboat-provider-failures-'));
});
afterAll(async () => {
  await Promise.all(running.map((p) => stop(p)));
  await rm(dir, { recursive: true, force: true });
});

const gcpConfig = (extra = '') => `providers:
  - type: gcp
    project: lifeboat-test
    regions: [europe-west1]
${extra}protect:
  regions:
    - { provider: gcp, region: europe-west1 }
journal: state/journal.json
audit: state/audit.jsonl
api:
  listen: 127.0.0.1:0
`;

async function writeConfig(name: string, text: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, text);
  return file;
}

function listeningPort(p: CliProcess): number | undefined {
  const match = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(p.output());
  return match ? Number(match[1]) : undefined;
}

describe('gcp credentials named by the config', () => {
  it('refuses to start, with exit 2 and the variable and file named, when the file is missing', async () => {
    const config = await writeConfig('gcp-missing-key.yaml', gcpConfig('    credentialsFileEnv: LIFEBOAT_TEST_GCP_KEY\n'));
    const missing = join(dir, 'no-such-key.json');
    const p = spawnCli(['daemon', '--config', config], { LIFEBOAT_TEST_GCP_KEY: missing }, dir);
    running.push(p);
    const { code } = await waitFor('the daemon to exit', 10_000, async () => p.exited);
    expect(code).toBe(2);
    expect(p.output()).toContain(`lifeboat daemon: cannot start the providers: the credentials file that LIFEBOAT_TEST_GCP_KEY (named in the config) points at: ${missing}: cannot read the file: no such file (ENOENT)`);
    expect(p.output()).not.toMatch(/\n\s+at /);
  });

  it.skipIf(process.platform === 'win32')('refuses a FIFO as the credentials file instead of waiting on it', async () => {
    const config = await writeConfig('gcp-fifo-key.yaml', gcpConfig('    credentialsFileEnv: LIFEBOAT_TEST_GCP_KEY\n'));
    const fifo = join(dir, 'key-pipe.json');
    execFileSync('mkfifo', [fifo]);
    const p = spawnCli(['daemon', '--config', config], { LIFEBOAT_TEST_GCP_KEY: fifo }, dir);
    running.push(p);
    const { code } = await waitFor('the daemon to exit', 10_000, async () => p.exited);
    expect(code).toBe(2);
    expect(p.output()).toContain(`${fifo}: cannot read the file: it is a named pipe (FIFO), not a regular file`);
  });
});

describe('a provider failing inside its client library after start', () => {
  it('keeps the daemon running, logs the failure once, retries it, and serves /healthz', async () => {
    const config = await writeConfig('gcp-adc.yaml', gcpConfig());
    const missing = join(dir, 'adc-key-removed.json');
    // Application Default Credentials pointed at a missing file, outside the config: nothing checks it at start.
    const p = spawnCli(['daemon', '--config', config], { GOOGLE_APPLICATION_CREDENTIALS: missing }, dir);
    running.push(p);
    const port = await waitFor('the daemon to listen', 15_000, () => listeningPort(p));
    await waitFor('the failure in the log', 15_000, () => (p.output().includes('provider gcp: ') ? true : undefined));
    const retried = await waitFor('the calls to be retried', 20_000, async () => {
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      const failed = [...metrics.matchAll(/lifeboat_adapter_calls_total\{[^}]*provider="gcp"[^}]*result="retryable"[^}]*\} (\d+)/g)].reduce((sum, m) => sum + Number(m[1]), 0);
      return failed >= 2 ? failed : undefined;
    });
    expect(retried).toBeGreaterThanOrEqual(2);
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    // Alive, and saying which provider fails and why.
    const body = (await health.json()) as { ok: boolean; status: string; problems: { provider: string; kind: string; message: string }[] };
    expect(body).toMatchObject({ ok: false, status: 'degraded' });
    expect(body.problems[0]).toMatchObject({ provider: 'gcp', kind: 'retryable' });
    expect(body.problems[0]!.message).toMatch(/adc-key-removed\.json/);
    const out = p.output();
    expect(out).toMatch(/provider gcp: \w+ failed \(retryable\): .*ENOENT.*adc-key-removed\.json.*; the controller retries with backoff/);
    // Once per cause, not once per call.
    expect(out.match(/provider gcp: /g)).toHaveLength(1);
    expect(out).not.toMatch(/Unhandled|\n\s+at /);
    // Contained at the adapter's auth boundary, not by the process-level guard (tested below).
    expect(out).not.toContain('contained an error');
    p.child.kill('SIGTERM');
    expect((await p.exited).code).toBe(0);
  });
});

describe('a promise rejected with nothing waiting for it', () => {
  it('is logged, redacted, and the daemon keeps serving', async () => {
    const world = await writeConfig(
      'sim.yaml',
      `providers:
  - type: sim
    topology:
      providers:
        - id: local
          regions:
            - id: local
              zones: [local-a, local-b]
protect:
  regions:
    - { provider: local, region: local }
journal: state-sim/journal.json
audit: state-sim/audit.jsonl
api:
  listen: 127.0.0.1:0
`,
    );
    const script = fileURLToPath(new URL('./rejectingDaemon.mjs', import.meta.url));
    const child = spawn(process.execPath, [script, '--config', world], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const port = await waitFor('the daemon to listen', 15_000, () => {
        const match = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
        return match ? Number(match[1]) : undefined;
      });
      child.kill('SIGUSR2');
      await waitFor('the contained rejection in the log', 10_000, () => (out.includes('contained an error') ? true : undefined));
      const line = out.split('\n').find((l) => l.includes('contained an error'))!;
      expect(JSON.parse(line)).toMatchObject({ level: 'error', msg: expect.stringMatching(/^contained an error that nothing was waiting for \(an unhandled promise rejection, likely inside a client library\); still running: Error: planted rejection from inside a library/) });
      expect(out).not.toContain('planted-secret-token');
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});
