// Failover on `local`, end to end: write unavailability seen by clients over repeated
// failovers with real PostgreSQL (primary, sync standby, async standby in three zones),
// the controller on its production defaults, the system clock. Each run is one
// `runFailoverDrill` (the same drill as `lifeboat demo`) on a fresh topology; fault kinds
// and placements rotate. Two clients write side by side in every run: one through the
// writer endpoint (HAProxy), one that finds the primary itself (no endpoint), so both
// figures come from the same failovers. A few runs with shorter detection settings follow, to show which
// policy keys the figures come from (those are not the defaults).
//
// LIFEBOAT_BENCH_FAILOVERS sets the number of default-policy runs (default 12, at least 5
// for the report); LIFEBOAT_BENCH_TUNED the number of fast-profile runs (default 3, 0 to skip).
import { DEFAULT_POLICY, resolvePolicy } from '../dist/src/core/controller/Policy.js';
import { runFailoverDrill } from '../dist/src/apps/demo/runFailoverDrill.js';

const FAULTS = ['unreachable', 'power', 'storage'];
const PLACEMENTS = [
  { primary: 'local-a', sync: 'local-b', async: 'local-c' },
  { primary: 'local-b', sync: 'local-c', async: 'local-a' },
  { primary: 'local-c', sync: 'local-a', async: 'local-b' },
];
/** The README's fast profile: a 1 s blip tolerance, every detection key derived from it (not the defaults). */
const TUNED = { blipTolerance: 1 };
const GOAL_SECONDS = 5;
/** Issue 14: write unavailability through the endpoint at most the tolerance plus this, at the defaults. */
const OVERHEAD_GOAL_SECONDS = 0.5;
/** Issue 14: the fast profile's median write unavailability through the endpoint at most this. */
const TUNED_GOAL_SECONDS = 1.5;

const goalMet = (value, limit) => (value !== null && value <= limit ? 'Met' : 'Not met');

function median(values) {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function max(values) {
  return values.length === 0 ? null : Math.max(...values);
}

const fmt = (seconds) => (seconds === null || seconds === undefined ? 'n/a' : `${seconds.toFixed(1)} s`);
const numbers = (runs, key) => runs.map((r) => r[key]).filter((v) => typeof v === 'number' && Number.isFinite(v));
const cell = (runs, key) => `${fmt(median(numbers(runs, key)))} / ${fmt(max(numbers(runs, key)))}`;

async function drills(count, policy, label) {
  const runs = [];
  for (let i = 0; i < count; i++) {
    const fault = FAULTS[i % FAULTS.length];
    const placement = PLACEMENTS[Math.floor(i / FAULTS.length) % PLACEMENTS.length];
    // Spread the fault over the controller's probe cycle and read cadence (0.5 to 5.5 s of writes first).
    const warmupMs = 500 + Math.round(5000 * ((i * 0.618034) % 1));
    const started = performance.now();
    try {
      const report = await runFailoverDrill({ fault, placement, policy, warmupMs, discoveryClient: true });
      runs.push({ ...report, withoutEndpointSeconds: report.withoutEndpoint?.unavailableSeconds ?? null });
      process.stderr.write(
        `failover bench (${label}) ${i + 1}/${count}: ${fault} in ${placement.primary}: detection ${fmt(report.detectionSeconds)}, ` +
          `unavailable ${fmt(report.unavailableSeconds)} through the endpoint, ${fmt(report.withoutEndpoint?.unavailableSeconds)} without, lost ${report.lostWrites}${report.passed ? '' : `, FAILED: ${report.problems.join('; ')}`} ` +
          `(${((performance.now() - started) / 1000).toFixed(0)} s)\n`,
      );
    } catch (error) {
      runs.push({ fault, placement, passed: false, problems: [String(error?.message ?? error)], acknowledgedWrites: 0, lostWrites: 0 });
      process.stderr.write(`failover bench (${label}) ${i + 1}/${count}: ${fault}: could not run: ${error?.message ?? error}\n`);
    }
  }
  return runs;
}

function rows(runs) {
  const groups = [...FAULTS.map((fault) => [fault, runs.filter((r) => r.fault === fault)]), ['all', runs]];
  return groups
    .filter(([, list]) => list.length > 0)
    .map(([name, list]) => {
      const acknowledged = list.reduce((n, r) => n + (r.acknowledgedWrites ?? 0), 0);
      const lost = list.reduce((n, r) => n + (r.lostWrites ?? 0), 0);
      const passed = list.filter((r) => r.passed).length;
      return `| ${name} | ${list.length} | ${cell(list, 'detectionSeconds')} | ${cell(list, 'promotionSeconds')} | ${cell(list, 'unavailableSeconds')} | ${cell(list, 'withoutEndpointSeconds')} | ${cell(list, 'failoverSeconds')} | ${acknowledged.toLocaleString('en-US')} | ${lost} | ${passed}/${list.length} |`;
    });
}

/** Runs the failovers and returns the Markdown section. */
export async function failoverBench() {
  const count = Math.max(5, Number(process.env.LIFEBOAT_BENCH_FAILOVERS ?? 12));
  const tunedCount = Math.max(0, Number(process.env.LIFEBOAT_BENCH_TUNED ?? 3));
  const runs = await drills(count, DEFAULT_POLICY, 'defaults');
  const tuned = tunedCount > 0 ? await drills(tunedCount, resolvePolicy(TUNED), 'tuned') : [];

  const unavailable = median(numbers(runs, 'unavailableSeconds'));
  const withoutEndpoint = median(numbers(runs, 'withoutEndpointSeconds'));
  const lost = runs.reduce((n, r) => n + (r.lostWrites ?? 0), 0);
  const failed = runs.filter((r) => !r.passed);
  const byFault = (fault) => median(numbers(runs.filter((r) => r.fault === fault), 'unavailableSeconds'));
  const header =
    '| fault | runs | detection, median / max | promotion, median / max | write unavailability through the endpoint, median / max | without the endpoint (client finds the primary), median / max | failover confirmed, median / max | acknowledged writes | lost | passed |';
  const rule = '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |';
  const d = DEFAULT_POLICY;
  const lines = [
    '## Failover on `local`: write unavailability with the production defaults',
    '',
    `${runs.length} failovers, each on a fresh local topology: three zones with 2 nodes each, a PostgreSQL 18 primary, a sync standby and an async standby in distinct zones (placements rotate), the controller with \`DEFAULT_POLICY\` and the system clock. Two clients write side by side in every run, each inserting a sequence number every 20 ms, each connect and statement bounded to 1 s: one through the database's writer endpoint only (one address: HAProxy on this machine, driven by the controller's \`updateEndpoint\`; no discovery of its own), so its write unavailability includes the endpoint following the new primary; the other without the endpoint, finding the primary itself (it asks every instance \`pg_is_in_recovery()\`, as a multi-host connection string with \`target_session_attrs=read-write\` does) and writing to it directly. After 0.5 to 5.5 s of writes (spread evenly over the runs, so the fault lands at different points of the controller's cycle) the primary's zone is knocked out: \`unreachable\` (every process frozen, the provider still says \`available\`), \`power\` (killed; the provider says \`unavailable\`) or \`storage\` (databases frozen; the provider says \`impaired\`). Once the controller has seen the new primary take writes, the fault is cleared (frozen processes resume, the old primary too unless the controller stopped it; killed ones stay stopped, as machines do after a power cut until someone starts them) while both clients keep writing for 3 s more. Same drill as \`lifeboat demo\`.`,
    '',
    '- **detection**: fault to the controller\'s first `zone.impaired` (for that zone) or `failover.planned`.',
    '- **promotion**: `failover.planned` to the `promoteReplica` call returning.',
    '- **write unavailability**: the last write acknowledged before the fault to the first acknowledged by the new primary, as each client saw them (through the endpoint; without it).',
    '- **failover confirmed**: fault to `failover.completed` (the controller saw the new primary take writes on a later cycle).',
    '- **lost**: acknowledged writes (those after the zone came back included) missing when every sequence number is read back from the new primary, after the zone came back; a run passes only if exactly one instance took writes, the new primary, both while the zone was down and after it came back.',
    '',
    header,
    rule,
    ...rows(runs),
    '',
    `Acknowledged writes lost in sync mode: **${lost}**${failed.length > 0 ? `; runs with a problem: ${failed.map((r) => `${r.fault} (${r.problems.join('; ')})`).join(', ')}` : ''}.`,
    '',
    '### Next to the published anchors',
    '',
    '| system | time to fail over after the primary is lost | source |',
    '| --- | --- | --- |',
    `| Lifeboat, production defaults, \`local\` (this run) | write unavailability through the endpoint median ${fmt(unavailable)}, max ${fmt(max(numbers(runs, 'unavailableSeconds')))}; without it (client finds the primary) median ${fmt(withoutEndpoint)}, max ${fmt(max(numbers(runs, 'withoutEndpointSeconds')))} | measured above |`,
    '| Patroni, defaults (ttl 30 s, loop_wait 10 s) | the leader key must expire first (up to 30 s after the last renewal; renewed every 10 s), then a replica takes it on its next loop (up to 10 s): about 20-40 s | Patroni docs |',
    '| pg_auto_failover | a node is unhealthy after 20 s (checks every 5 s, 2 retries), then failover starts | pg_auto_failover docs |',
    '| Amazon RDS Multi-AZ (instance) | typically 60-120 s | AWS docs |',
    '',
    `Goal: median write unavailability under ${GOAL_SECONDS} s. **${unavailable !== null && unavailable < GOAL_SECONDS ? 'Met' : 'Not met'}** with the production defaults (median ${fmt(unavailable)}; by fault: unreachable ${fmt(byFault('unreachable'))}, power ${fmt(byFault('power'))}, storage ${fmt(byFault('storage'))}).`,
    '',
    `Goal of issue 14: the tolerance plus at most ${OVERHEAD_GOAL_SECONDS} s through the endpoint at the defaults (${fmt(DEFAULT_POLICY.blipTolerance + OVERHEAD_GOAL_SECONDS)}): **${goalMet(unavailable, DEFAULT_POLICY.blipTolerance + OVERHEAD_GOAL_SECONDS)}** (median ${fmt(unavailable)})` +
      (tuned.length > 0
        ? `; at most ${fmt(TUNED_GOAL_SECONDS)} in the fast profile: **${goalMet(median(numbers(tuned, 'unavailableSeconds')), TUNED_GOAL_SECONDS)}** (median ${fmt(median(numbers(tuned, 'unavailableSeconds')))}).`
        : '.'),
    '',
    `Where the time goes, with the defaults: detection is the blip tolerance (\`blipTolerance\`, ${d.blipTolerance} s) the controller deliberately waits out; promotion, the endpoint and the client\'s reconnection take the rest. The detection keys follow from the tolerance:`,
    '',
    `- The first failed observation: calm rounds run every \`probeInterval\` (${d.probeInterval} s), but the tolerance is not counted from them: a zone's bad picture is dated from when its primary's standbys last heard it (they report a growing contact age while a frozen primary's TCP connections stay open, or the drop at once when it dies), never before the primary last answered a probe; the primary's own failure is dated the same way. A killed primary's standbys drop the stream at once, but the last contact they then report may predate the fault, so that failure is dated from the first failed probe instead: up to one \`probeInterval\` later than the fault.`,
    `- Confirmation: rounds follow every \`suspectProbeInterval\` (${d.suspectProbeInterval} s) or as soon as the previous one ends (a hung target's round lasts up to \`probeTimeout\`, ${d.probeTimeout} s), a target is down at its \`failedRounds\`th (${d.failedRounds}) failed round, the zone must look bad for \`impairedAfter\` (${d.impairedAfter} s) and the standbys must have been silent for \`replicationStaleAfter\` (${d.replicationStaleAfter} s). The controller wakes at the moment the last of these can be met and cuts that round short there: a target already failing that has not answered by then counts as failed at that moment (when a standby's fresh reading falls a few milliseconds short, the next round gives it nothing more, and ends once the answering targets answered), so the failover starts about ${d.blipTolerance} s after the fault wherever it fell in the probe cycle. Control-plane reads (zone status, listings) run beside the probe rounds and never hold them up.`,
    '- The endpoint: the promotion and the endpoint move are steps of the same plan; HAProxy redispatches a client it holds on the dead old primary to the new one at its next retry (every 100 ms), and cuts the sessions still open to the old one.',
    ...(tuned.length > 0
      ? [
          '',
          `The fast profile (README, not the defaults): ${tuned.length} runs with \`${Object.entries(TUNED)
            .map(([k, v]) => `${k}: ${v}`)
            .join(', ')}\`.`,
          '',
          header,
          rule,
          ...rows(tuned),
        ]
      : []),
  ];
  return lines.join('\n');
}
