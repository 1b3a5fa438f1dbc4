import { mkdir, stat, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { parseDurationSeconds } from '../../core/util/duration.js';
import { SCENARIO_LIMITS } from '../replay/scenario/scenarioLimits.js';
import { loadScenarioFiles } from '../replay/scenario/loadScenarioFiles.js';
import { checkInvariants } from './fuzzScenario.js';
import { runFuzz } from './runFuzz.js';

const USAGE =
  'usage: lifeboat fuzz [--count N] [--seed N] [--duration 6h] [--workers N] [--out DIR] [--max-failures N] [--shrink-replays N]\n       lifeboat fuzz --check <file...>';

/**
 * `lifeboat fuzz`: generates `--count` random scenarios from `--seed`,
 * replays each in virtual time, checks the invariants, and writes each
 * violation, shrunk, as a scenario file under `--out` that `lifeboat replay`
 * fails on (or, for an invariant no expectation kind states, that `--check`
 * reports). With `--check`, replays the given scenario files against the
 * invariants instead. Exit 0 with no violation, 1 with one or more, 2 on
 * bad options or an invalid file (nothing replayed then).
 */
export async function runFuzzCommand(argv: readonly string[]): Promise<number> {
  let values;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        check: { type: 'boolean', default: false },
        count: { type: 'string', default: '100' },
        seed: { type: 'string', default: '1' },
        duration: { type: 'string', default: '6h' },
        workers: { type: 'string', default: String(Math.max(1, availableParallelism())) },
        out: { type: 'string', default: 'fuzz-failures' },
        'max-failures': { type: 'string', default: '5' },
        'shrink-replays': { type: 'string', default: '150' },
      },
    }));
  } catch (error) {
    process.stderr.write(`lifeboat fuzz: ${(error as Error).message} (${USAGE})\n`);
    return 2;
  }
  if (values.check) return checkFiles(positionals);
  if (positionals.length > 0) {
    process.stderr.write(`lifeboat fuzz: unexpected argument ${JSON.stringify(positionals[0])} (files go with --check)\n${USAGE}\n`);
    return 2;
  }
  const problems: string[] = [];
  const integer = (name: string, text: string, min: number, max: number): number => {
    const n = /^\d+$/.test(text) ? Number(text) : NaN;
    if (!(n >= min && n <= max)) problems.push(`--${name}: expected a whole number from ${min} to ${max}, got ${JSON.stringify(text)}`);
    return n;
  };
  const count = integer('count', values.count, 1, 1_000_000);
  const seed = integer('seed', values.seed, 0, 2 ** 32 - 1);
  const workers = integer('workers', values.workers, 1, 64);
  const maxFindings = integer('max-failures', values['max-failures'], 1, 1_000_000);
  const maxShrinkReplays = integer('shrink-replays', values['shrink-replays'], 0, 100_000);
  const durationSeconds = parseDurationSeconds(values.duration);
  // Events fall in the first 60 % of the run and stretches last up to 2 h: shorter runs leave little to see.
  if (durationSeconds === undefined || durationSeconds < 600 || durationSeconds > SCENARIO_LIMITS.durationSeconds) {
    problems.push(`--duration: expected a duration from 10m to 3d like 6h or 90m, got ${JSON.stringify(values.duration)}`);
  }
  const out = values.out;
  const existing = await stat(out).catch(() => undefined);
  if (existing !== undefined && !existing.isDirectory()) problems.push(`--out ${out}: exists and is not a directory`);
  if (problems.length > 0) {
    process.stderr.write(`lifeboat fuzz: ${problems.join('\n  ')}\n${USAGE}\n`);
    return 2;
  }

  const started = performance.now();
  const tty = process.stderr.isTTY === true;
  let lastLine = 0;
  const result = await runFuzz({
    count,
    seed,
    durationSeconds: durationSeconds!,
    workers,
    maxFindings,
    maxShrinkReplays,
    onProgress: ({ done, findings }) => {
      const now = performance.now();
      // A progress line: rewritten in place on a terminal, every 10 % (and at the end) otherwise.
      if (tty ? now - lastLine < 250 && done < count : done % Math.max(1, Math.ceil(count / 10)) !== 0 && done < count) return;
      lastLine = now;
      const perMinute = (done / (now - started)) * 60_000;
      const line = `lifeboat fuzz: ${done}/${count} scenarios, ${findings} violation(s), ${Math.round(perMinute)} scenarios/min`;
      process.stderr.write(tty ? `\r${line}` : `${line}\n`);
    },
  });
  if (tty) process.stderr.write('\n');

  for (const finding of result.findings) {
    await mkdir(out, { recursive: true });
    const file = join(out, `${finding.doc.name}.yaml`);
    const again = finding.violation.expectation !== undefined ? `lifeboat replay ${file}` : `lifeboat fuzz --check ${file}`;
    await writeFile(file, `# lifeboat fuzz --seed ${seed}, scenario ${finding.index} (scenario seed ${finding.scenarioSeed}); replay with: ${again}\n${stringify(finding.doc)}`);
    process.stdout.write(`VIOLATION ${finding.violation.invariant}: ${finding.violation.detail}\n  shrunk in ${finding.shrinkReplays} replays to ${file}\n`);
  }
  const minutes = (performance.now() - started) / 60_000;
  process.stdout.write(
    `${result.scenarios} scenario(s) of ${values.duration} virtual from seed ${seed}: ${result.findings.length} violation(s) (${Math.round(result.scenarios / minutes)} scenarios/min, ${workers} worker(s))\n`,
  );
  return result.findings.length === 0 ? 0 : 1;
}

/**
 * `lifeboat fuzz --check`: replays each scenario file against the fuzz's
 * invariants (its own `expect` list set aside) and prints each violation.
 * Every file is loaded and checked first: one invalid file is exit 2 with
 * nothing replayed.
 */
async function checkFiles(files: readonly string[]): Promise<number> {
  if (files.length === 0) {
    process.stderr.write(`lifeboat fuzz: --check needs scenario files\n${USAGE}\n`);
    return 2;
  }
  const { scenarios, problems } = await loadScenarioFiles(files);
  if (problems.length > 0) {
    process.stderr.write(`lifeboat fuzz: invalid input, nothing replayed:\n${problems.map((p) => `  ${p}`).join('\n')}\n`);
    return 2;
  }
  let violated = 0;
  for (const scenario of scenarios) {
    const violations = await checkInvariants(scenario);
    if (violations.length === 0) process.stdout.write(`${scenario.file}: every invariant holds\n`);
    for (const v of violations) process.stdout.write(`${scenario.file}: VIOLATION ${v.invariant}: ${v.detail}\n`);
    if (violations.length > 0) violated++;
  }
  process.stdout.write(`${scenarios.length - violated}/${scenarios.length} scenario(s) keep every invariant\n`);
  return violated === 0 ? 0 : 1;
}
