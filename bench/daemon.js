// The daemon at idle: memory (RSS) and CPU of a daemon process watching
// 10,000 simulated nodes with the production policy (a probe round every 2 s,
// reads every 30 s), against a baseline of the same process (same world
// advancing in real time, same HTTP API) with the controller not started.
// Each variant runs in its own child process (`node bench/daemon.js --child
// full|baseline`): a warm-up, then a measured window on the wall clock.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const NODES = 10_000;
const ZONES = ['zone-a', 'zone-b', 'zone-c', 'zone-d'];
const WARMUP_S = Number(process.env.LIFEBOAT_BENCH_DAEMON_WARMUP ?? 10);
const MEASURE_S = Number(process.env.LIFEBOAT_BENCH_DAEMON_SECONDS ?? 30);

/** A daemon config over an inline world of `NODES` nodes in groups of 500 and 4 database clusters. */
function configText() {
  const groups = [];
  for (let g = 0; g < NODES / 500; g++) groups.push({ id: `group-${g}`, provider: 'sim', region: 'region-1', nodes: Object.fromEntries(ZONES.map((z) => [z, 500 / ZONES.length])) });
  const databases = Array.from({ length: 4 }, (_, d) => ({
    id: `db-${d}`,
    writes: 10,
    primary: { provider: 'sim', region: 'region-1', zone: ZONES[d % ZONES.length] },
    replicas: [{ id: `db-${d}-r`, provider: 'sim', region: 'region-1', zone: ZONES[(d + 1) % ZONES.length], mode: 'sync' }],
  }));
  return JSON.stringify({
    id: 'bench',
    providers: [{ type: 'sim', topology: { providers: [{ id: 'sim', regions: [{ id: 'region-1', zones: ZONES }] }], groups, databases } }],
    protect: { regions: [{ provider: 'sim', region: 'region-1' }], groups: groups.map((g) => ({ id: g.id, provider: 'sim', region: 'region-1', minHealthy: 480 })) },
    api: { listen: '127.0.0.1:0' },
    journal: 'state/journal.json',
    audit: 'state/audit.jsonl',
  });
}

async function child(mode) {
  const { parseDaemonConfig } = await import('../dist/src/apps/daemon/config/loadDaemonConfig.js');
  const { buildRuntime } = await import('../dist/src/apps/daemon/runtime/buildRuntime.js');
  const { Daemon } = await import('../dist/src/apps/daemon/Daemon.js');
  const { DaemonApi } = await import('../dist/src/apps/daemon/DaemonApi.js');
  const { SystemClock } = await import('../dist/src/core/clock/SystemClock.js');
  const dir = mkdtempSync(join(tmpdir(), 'lifeboat-bench-daemon-'));
  const abort = new AbortController();
  try {
    const config = await parseDaemonConfig(configText(), join(dir, 'lifeboat.json'));
    const clock = new SystemClock();
    const runtime = await buildRuntime(config, clock, abort.signal);
    const daemon = new Daemon({ config, runtime, clock, id: 'bench', random: Math.random });
    const api = new DaemonApi(daemon, undefined, abort.signal);
    await api.listen('127.0.0.1', 0);
    let observations = 0;
    const running = [runtime.run(abort.signal)];
    if (mode === 'full') running.push(daemon.run(abort.signal));
    const started = performance.now();
    await new Promise((r) => setTimeout(r, WARMUP_S * 1000));
    const status = daemon.status();
    const watched = status.groups.reduce((n, g) => n + g.total, 0);
    globalThis.gc?.();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const rss = [];
    const observedBefore = status.observedAt;
    while (performance.now() - t0 < MEASURE_S * 1000) {
      await new Promise((r) => setTimeout(r, 1000));
      rss.push(process.memoryUsage().rss);
      if (daemon.status().observedAt !== observedBefore) observations++;
    }
    const wall = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const heap = process.memoryUsage().heapUsed;
    abort.abort();
    await Promise.allSettled(running);
    await api.close();
    await runtime.close();
    process.stdout.write(
      `${JSON.stringify({ mode, watched, wall, cpuPercent: ((cpu.user + cpu.system) / 1e6 / wall) * 100, rssMeanMiB: rss.reduce((a, b) => a + b, 0) / rss.length / 2 ** 20, rssMaxMiB: Math.max(...rss) / 2 ** 20, heapMiB: heap / 2 ** 20, startupS: (t0 - started) / 1000, observed: observations > 0 })}\n`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function runChild(mode) {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), '--child', mode], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (c) => (out += c));
    p.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop())) : reject(new Error(`bench child ${mode} exited ${code}`))));
  });
}

/** Markdown section for BENCHMARKS.md. */
export async function daemonBench() {
  const baseline = await runChild('baseline');
  const full = await runChild('full');
  if (!full.observed || full.watched !== NODES) throw new Error(`the daemon did not observe the ${NODES} nodes (saw ${full.watched})`);
  const row = (label, r) => `| ${label} | ${r.cpuPercent.toFixed(1)} % | ${r.rssMeanMiB.toFixed(0)} MiB | ${r.rssMaxMiB.toFixed(0)} MiB | ${r.heapMiB.toFixed(0)} MiB |`;
  return [
    `## Daemon at idle (${NODES.toLocaleString('en-US')} simulated nodes, production policy)`,
    '',
    `Measured over ${MEASURE_S} s of wall time after a ${WARMUP_S} s warm-up, each variant in its own process. CPU is the share of one core.`,
    '',
    '| process | CPU | RSS (mean) | RSS (max) | heap after |',
    '| --- | ---: | ---: | ---: | ---: |',
    row(`daemon watching ${full.watched.toLocaleString('en-US')} nodes (probe round every 2 s)`, full),
    row('baseline: same process and world, controller not started', baseline),
    '',
    `The controller's own cost at idle: ${(full.cpuPercent - baseline.cpuPercent).toFixed(1)} % of a core and ${(full.rssMeanMiB - baseline.rssMeanMiB).toFixed(0)} MiB of RSS.`,
  ].join('\n');
}

if (process.argv[2] === '--child') {
  await child(process.argv[3]);
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.stdout.write(`${await daemonBench()}\n`);
}
