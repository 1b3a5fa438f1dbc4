import { Worker } from 'node:worker_threads';
import { fuzzOne, type FuzzFinding, type FuzzOneOptions } from './fuzzOne.js';

/**
 * A replay allocates short-lived objects at a high rate (snapshots, plans,
 * promise continuations): a young generation larger than V8's default
 * (16 MB semi-spaces at most) is collected less often, and the fuzz ran
 * about a tenth faster with it (BENCHMARKS.md). It costs each worker up to
 * that much more memory.
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 96 };

/** Options of {@link runFuzz}. */
export interface FuzzRunOptions extends FuzzOneOptions {
  /** Scenarios to generate and replay. */
  readonly count: number;
  /** Seed of the whole run: scenario `i` is a fixed function of it and `i`. */
  readonly seed: number;
  /**
   * Worker threads replaying in parallel. With 1 (or a `decide` given, which
   * cannot cross to a thread) everything runs in the calling thread.
   */
  readonly workers: number;
  /** Stop starting scenarios once this many violations are found. Default: never stop. */
  readonly maxFindings?: number;
  /** Called after every scenario. */
  readonly onProgress?: (progress: FuzzProgress) => void;
}

/** How far a run has got. */
export interface FuzzProgress {
  readonly done: number;
  readonly count: number;
  readonly findings: number;
}

/** What a run found. */
export interface FuzzRunResult {
  /** Scenarios replayed (fewer than `count` when it stopped at `maxFindings`). */
  readonly scenarios: number;
  /** In scenario order. */
  readonly findings: readonly FuzzFinding[];
}

/**
 * Runs the fuzz: scenario `i` for every `i` below `count`, each generated,
 * replayed in virtual time through `lifeboat replay`'s engine, checked
 * against the invariants and, on a violation, shrunk. Which scenarios run
 * and what each finds depends only on `seed`; with `maxFindings` and
 * several workers, which ones ran before the stop depends on scheduling.
 */
export async function runFuzz(options: FuzzRunOptions): Promise<FuzzRunResult> {
  const findings: FuzzFinding[] = [];
  let done = 0;
  let next = 0;
  const stopped = () => options.maxFindings !== undefined && findings.length >= options.maxFindings;
  const report = (finding: FuzzFinding | undefined) => {
    done++;
    if (finding !== undefined) findings.push(finding);
    options.onProgress?.({ done, count: options.count, findings: findings.length });
  };
  const one: FuzzOneOptions = {
    durationSeconds: options.durationSeconds,
    ...(options.maxShrinkReplays !== undefined ? { maxShrinkReplays: options.maxShrinkReplays } : {}),
  };

  if (options.workers <= 1 || options.decide !== undefined) {
    while (next < options.count && !stopped()) report(await fuzzOne(options.seed, next++, { ...one, ...(options.decide ? { decide: options.decide } : {}) }));
  } else {
    const workers = Array.from({ length: Math.min(options.workers, options.count) }, () => new Worker(new URL('./fuzzWorker.js', import.meta.url), { workerData: { seed: options.seed, options: one }, resourceLimits: WORKER_LIMITS }));
    try {
      await Promise.all(
        workers.map(
          (worker) =>
            new Promise<void>((resolve, reject) => {
              const feed = () => {
                if (next < options.count && !stopped()) worker.postMessage({ index: next++ });
                else resolve();
              };
              worker.on('message', (message: { index: number; finding?: FuzzFinding; error?: string }) => {
                if (message.error !== undefined) reject(new Error(`fuzz scenario ${message.index}: ${message.error}`));
                else {
                  report(message.finding);
                  feed();
                }
              });
              worker.on('error', reject);
              feed();
            }),
        ),
      );
    } finally {
      await Promise.all(workers.map((w) => w.terminate()));
    }
  }
  findings.sort((a, b) => a.index - b.index);
  return { scenarios: done, findings };
}
