import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { SystemClock } from '../../../src/core/clock/SystemClock.js';
import { parseDaemonConfig } from '../../../src/apps/daemon/config/loadDaemonConfig.js';
import { Daemon } from '../../../src/apps/daemon/Daemon.js';
import { DaemonApi } from '../../../src/apps/daemon/DaemonApi.js';
import type { DaemonStatus } from '../../../src/apps/daemon/DaemonStatus.js';
import { buildRuntime } from '../../../src/apps/daemon/runtime/buildRuntime.js';
import { waitFor } from './daemonProcess.js';

const TOKEN = 'files-token-0123456789abcdef';
/** A database id that, used as a path, climbs out of the reports folder into `state/outside`. */
const HOSTILE_ID = 'x/../../outside/pwned';
const CONFIG = `id: files-test
providers:
  - type: sim
    topology:
      providers:
        - id: local
          latency: { promoteReplica: 300ms, stopDatabase: 200ms, repointReplica: 300ms }
          regions: [{ id: local, zones: [local-a, local-b] }]
      databases:
        - id: "${HOSTILE_ID}"
          writes: 5
          primary: { provider: local, region: local, zone: local-a }
          replicas:
            - { id: replica-b, provider: local, region: local, zone: local-b, mode: sync }
protect:
  regions: [{ provider: local, region: local }]
policy: { probeInterval: 200ms, probeTimeout: 150ms, observeInterval: 1s, suspectObserveInterval: 200ms, callTimeout: 3s }
api: { listen: "127.0.0.1:0", token: ${TOKEN} }
journal: state/journal.json
audit: state/audit.jsonl
reports: state/reports
`;

describe('files the daemon writes', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  test('a post-mortem of a database whose id holds ../ stays in the reports folder; every file is 0600 in folders made 0700', async () => {
    dir = mkdtempSync(join(tmpdir(), 'lifeboat-files-'));
    const outside = join(dir, 'state', 'outside');
    mkdirSync(outside, { recursive: true });
    const config = await parseDaemonConfig(CONFIG, join(dir, 'lifeboat.yaml'));
    const clock = new SystemClock();
    const abort = new AbortController();
    const runtime = await buildRuntime(config, clock, abort.signal);
    const daemon = new Daemon({ config, runtime, clock, id: 'files-test', random: () => 0.5 });
    const api = new DaemonApi(daemon, TOKEN, abort.signal);
    const base = `http://127.0.0.1:${await api.listen('127.0.0.1', 0)}`;
    const running = Promise.all([runtime.run(abort.signal), daemon.run(abort.signal)]);
    try {
      const status = async () => (await (await fetch(`${base}/status`)).json()) as DaemonStatus;
      await waitFor('first observation', 5000, async () => ((await status()).databases.length > 0 ? true : undefined));
      expect(statSync(join(dir, 'state', 'journal.json.lock')).mode & 0o777).toBe(0o600);
      const accepted = await fetch(`${base}/switchover`, { method: 'POST', body: JSON.stringify({ database: HOSTILE_ID }), headers: { authorization: `Bearer ${TOKEN}` } });
      expect(accepted.status).toBe(202);
      await waitFor('switchover to complete', 15_000, async () => ((await status()).databases[0]?.failovers === 1 ? true : undefined));
      const reports = await waitFor('post-mortem', 5000, () => {
        const files = existsSync(join(dir!, 'state', 'reports')) ? readdirSync(join(dir!, 'state', 'reports')) : [];
        return files.length > 0 ? files : undefined;
      });
      expect(reports).toHaveLength(1);
      expect(reports[0]).toMatch(/^postmortem-x%2F%2E%2E%2F%2E%2E%2Foutside%2Fpwned-\d{4}-.*\.md$/);
      expect(readFileSync(join(dir, 'state', 'reports', reports[0]!), 'utf8')).toContain(`# Post-mortem: switchover of ${HOSTILE_ID}`);
      expect(readdirSync(outside)).toEqual([]);
      expect(statSync(join(dir, 'state', 'reports', reports[0]!)).mode & 0o777).toBe(0o600);
      expect(statSync(join(dir, 'state', 'reports')).mode & 0o777).toBe(0o700);
    } finally {
      abort.abort();
      await running;
      await api.close();
    }
    expect(statSync(join(dir, 'state', 'journal.json')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'state', 'audit.jsonl')).mode & 0o777).toBe(0o600);
  }, 30_000);
});
