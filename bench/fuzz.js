// Fuzz throughput: scenarios of 6 h virtual time generated, replayed and
// checked against the invariants per minute of wall time, on every core
// (worker threads), as `lifeboat fuzz` runs them. Shrinking is left out (it
// costs up to 150 replays per violation, and violations are rare).
import { availableParallelism } from 'node:os';
import { runFuzz } from '../dist/src/apps/fuzz/runFuzz.js';

// The run the issue judges, `lifeboat fuzz --count 1000`: each worker's first
// scenarios (while V8 is still compiling the engine's code, on the same two
// cores, about twice as slow) weigh in it as they do in a real run; with 200
// they weighed several times more.
const COUNT = 1000;
const SEED = 1;
const GOAL = 1000;

export async function fuzzBench() {
  const workers = availableParallelism();
  const started = performance.now();
  const result = await runFuzz({ count: COUNT, seed: SEED, durationSeconds: 6 * 3600, workers, maxShrinkReplays: 0 });
  const wallMs = performance.now() - started;
  const perMinute = (result.scenarios / wallMs) * 60_000;
  return [
    '## Fuzz throughput (`lifeboat fuzz`, 6 h virtual per scenario)',
    '',
    '| what | scenarios | workers | wall | scenarios per minute |',
    '| --- | ---: | ---: | ---: | ---: |',
    `| generate, replay, check (seed ${SEED}, no shrinking) | ${result.scenarios} | ${workers} | ${(wallMs / 1000).toFixed(1)} s | ${Math.round(perMinute).toLocaleString('en-US')} |`,
    '',
    `Goal: at least ${GOAL.toLocaleString('en-US')} per minute. ${perMinute >= GOAL ? 'Met.' : 'Not met.'} Violations among them: ${result.findings.length}.`,
  ].join('\n');
}
