// Later, a protected database that its provider stops listing makes /healthz degraded with the reason.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { SystemClock } from '../../../../src/core/clock/SystemClock.js';
import { parseDaemonConfig } from '../../../../src/apps/daemon/config/loadDaemonConfig.js';
import { Daemon } from '../../../../src/apps/daemon/Daemon.js';
import { buildRuntime, type Runtime } from '../../../../src/apps/daemon/runtime/buildRuntime.js';
import { waitFor } from '../daemonProcess.js';
import { failoverWorld, fastDaemonConfig } from '../failoverWorld.js';

describe('runtime truth', () => {
  let dir: string;
  let abort: AbortController;
  let runtime: Runtime;
  let running: Promise<unknown>;

  afterEach(async () => {
    abort.abort();
    await running.catch(() => undefined);
    await runtime.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('/healthz turns degraded, naming the database, when its provider no longer lists it', async () => {
    dir = mkdtempSync(join(tmpdir(), 'lifeboat-runtime-truth-'));
    writeFileSync(join(dir, 'world.yaml'), failoverWorld({ name: 'runtime-truth', impairAt: '9m', latency: 'destroyDatabase: 100ms' }));
    const config = await parseDaemonConfig(fastDaemonConfig({ id: 'runtime-truth', provider: 'world: world.yaml' }), join(dir, 'lifeboat.yaml'));
    const clock = new SystemClock();
    abort = new AbortController();
    runtime = await buildRuntime(config, clock, abort.signal);
    const daemon = new Daemon({ config, runtime, clock, id: 'runtime-truth', random: () => 0.5 });
    running = Promise.all([runtime.run(abort.signal), daemon.run(abort.signal)]);
    await waitFor('the first picture', 10_000, () => (daemon.status().databases.length === 1 ? true : undefined));
    expect(daemon.health()).toMatchObject({ ok: true, status: 'ok', missing: [] });

    // Someone deletes the whole cluster behind the daemon's back (through the adapter, not the daemon).
    const sim = runtime.adapterProviders[0]!;
    const signal = new AbortController().signal;
    for (const id of ['orders-c', 'orders-b', 'orders']) await sim.destroyDatabase(id, { signal });
    const degraded = await waitFor('a degraded /healthz', 15_000, () => (daemon.health().missing.length > 0 ? daemon.health() : undefined));
    expect(degraded).toMatchObject({
      ok: false,
      status: 'degraded',
      missing: [{ kind: 'database', id: 'orders', message: 'no database cluster orders in the watched regions (local/local); they list: none' }],
    });
  });
});
