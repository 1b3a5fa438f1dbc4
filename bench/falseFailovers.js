// The false-failover suite on `local`, in the bench: each disturbance of a healthy primary
// that must not lead to a failover (`runFalseFailoverDrill`, the same drill as the tests in
// test/apps/demo/falseFailover.test.ts), a few times each, with the production defaults and
// the system clock; counts the failovers the controller planned and made.
//
// LIFEBOAT_BENCH_FALSE_FAILOVER_RUNS sets the runs per disturbance (default 3).
import { DEFAULT_POLICY } from '../dist/src/core/controller/Policy.js';
import { DISTURBANCES } from '../dist/src/apps/demo/Disturbance.js';
import { runFalseFailoverDrill } from '../dist/src/apps/demo/runFalseFailoverDrill.js';

/** Runs the drills and returns the Markdown section. */
export async function falseFailoverBench() {
  const runs = Math.max(1, Number(process.env.LIFEBOAT_BENCH_FALSE_FAILOVER_RUNS ?? 3));
  const rows = [];
  let failovers = 0;
  for (const disturbance of DISTURBANCES) {
    const reports = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      try {
        const report = await runFalseFailoverDrill({ disturbance, policy: DEFAULT_POLICY });
        reports.push(report);
        process.stderr.write(`false-failover bench ${disturbance} ${i + 1}/${runs}: ${report.description}; promotions ${report.promotions}, planned ${report.failoversPlanned}${report.passed ? '' : `, FAILED: ${report.problems.join('; ')}`} (${((performance.now() - t0) / 1000).toFixed(0)} s)\n`);
      } catch (error) {
        reports.push({ description: `could not run: ${error?.message ?? error}`, promotions: 0, failoversPlanned: 0, acknowledged: { after: 0 }, longestWriteGapSeconds: 0, lostWrites: 0, passed: false, problems: [String(error?.message ?? error)] });
        process.stderr.write(`false-failover bench ${disturbance} ${i + 1}/${runs}: could not run: ${error?.message ?? error}\n`);
      }
    }
    const promotions = reports.reduce((n, r) => n + r.promotions, 0);
    const planned = reports.reduce((n, r) => n + r.failoversPlanned, 0);
    failovers += promotions;
    const gaps = reports.map((r) => r.longestWriteGapSeconds);
    const problems = reports.flatMap((r) => r.problems);
    rows.push(
      `| ${disturbance} | ${reports[0].description.replace(/\(it took [^)]*\)|\(its start time moved [^)]*\)/, '').trim()} | ${reports.length} | ${promotions} | ${planned} | ${Math.min(...reports.map((r) => r.acknowledged.after))} | ${Math.max(...gaps).toFixed(2)} s | ${reports.reduce((n, r) => n + r.lostWrites, 0)} | ${reports.filter((r) => r.passed).length}/${reports.length}${problems.length ? ` (${problems.join('; ')})` : ''} |`,
    );
  }
  return [
    '## False failovers on `local`: disturbances that must not fail over',
    '',
    `Each disturbance hits a healthy primary (PostgreSQL 18 primary, sync and async standby in three zones, one node service per zone), the controller on \`DEFAULT_POLICY\` and the system clock, a client writing through the writer endpoint every 20 ms; ${runs} runs each on a fresh topology. After the disturbance the drill keeps watching for ${DEFAULT_POLICY.replicationStaleAfter + DEFAULT_POLICY.failedRounds * DEFAULT_POLICY.probeTimeout + DEFAULT_POLICY.probeInterval} s (the replication-silence window, \`failedRounds\` rounds of \`probeTimeout\` and one \`probeInterval\`), then counts promotions and planned failovers, and reads every acknowledged write back from the primary. The tolerance is \`replicationStaleAfter\` (${DEFAULT_POLICY.replicationStaleAfter} s). Same drill as \`test/apps/demo/falseFailover.test.ts\`.`,
    '',
    '| disturbance | what was done | runs | failovers (promotions) | failovers planned | writes acknowledged after it (fewest) | longest write gap | lost | passed |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
    `Failovers in all: **${failovers}**.`,
  ].join('\n');
}
