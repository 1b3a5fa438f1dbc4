import { Random } from '../../core/util/Random.js';
import { fuzzScenario, violationDocument, type FuzzScenarioOptions } from './fuzzScenario.js';
import { generateScenario } from './generateScenario.js';
import type { Violation } from './Invariant.js';
import type { ScenarioDocument } from './ScenarioDocument.js';
import { shrinkScenario } from './shrinkScenario.js';

/** A violation found by the fuzz, shrunk. */
export interface FuzzFinding {
  /** Position of the scenario in the run (0-based). */
  readonly index: number;
  /** The generated scenario's own seed (`generateScenario(seed, duration)` gives it again). */
  readonly scenarioSeed: number;
  /** The violation as the shrunk scenario shows it. */
  readonly violation: Violation;
  /** The shrunk scenario, with the invariants' expectations: the file to write. */
  readonly doc: ScenarioDocument;
  readonly shrinkReplays: number;
}

/** Options of {@link fuzzOne}. */
export interface FuzzOneOptions extends FuzzScenarioOptions {
  readonly durationSeconds: number;
  /** Replays each shrink may spend. */
  readonly maxShrinkReplays?: number;
}

/** Seed of the run's scenario number `index`: a fixed function of the run's seed. */
export function scenarioSeed(runSeed: number, index: number): number {
  return new Random(runSeed).fork(index).int(2 ** 32);
}

/**
 * Generates the run's scenario number `index`, replays it, and, when an
 * invariant does not hold, shrinks it (on the first violated invariant) and
 * returns the finding. One scenario's whole work, the same in a worker
 * thread as in the calling one.
 */
export async function fuzzOne(runSeed: number, index: number, options: FuzzOneOptions): Promise<FuzzFinding | undefined> {
  const seed = scenarioSeed(runSeed, index);
  const doc = generateScenario(seed, options.durationSeconds);
  const violations = await fuzzScenario(doc, options);
  if (violations.length === 0) return undefined;
  const shrunk = await shrinkScenario(doc, violations[0]!, {
    ...(options.decide ? { decide: options.decide } : {}),
    ...(options.maxShrinkReplays !== undefined ? { maxReplays: options.maxShrinkReplays } : {}),
  });
  const name = `${doc.name}-${shrunk.violation.invariant.toLowerCase()}`;
  return {
    index,
    scenarioSeed: seed,
    violation: shrunk.violation,
    doc: violationDocument({ ...shrunk.doc, name }, shrunk.violation),
    shrinkReplays: shrunk.replays,
  };
}
