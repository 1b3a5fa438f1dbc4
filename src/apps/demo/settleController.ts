import type { Clock } from '../../core/clock/Clock.js';
import type { Controller } from '../../core/controller/Controller.js';
import { DEMO_CLUSTER } from './demoTopology.js';

/** How often the drills look again while they wait for something. */
const POLL_MS = 50;
/** How long a drill waits for the controller to settle on a fresh topology. */
const READY_LIMIT_MS = 60_000;

/** Polls `check` until it holds (true) or `limitMs` passed (false), on the drill's clock. */
export async function pollUntil(clock: Clock, signal: AbortSignal, limitMs: number, check: () => boolean): Promise<boolean> {
  const deadline = clock.now() + limitMs;
  while (!check()) {
    if (clock.now() >= deadline) return false;
    await clock.sleep(POLL_MS, signal);
  }
  return true;
}

/**
 * Waits until the controller has adopted `primaryId` as the demo cluster's
 * primary, lists `instances` database instances and sees every target
 * answer: the drills measure from a settled controller. Throws after a minute.
 */
export async function settleController(controller: Controller, primaryId: string, instances: number, clock: Clock, signal: AbortSignal): Promise<void> {
  const settled = await pollUntil(clock, signal, READY_LIMIT_MS, () => {
    const snapshot = controller.snapshot;
    return (
      snapshot !== undefined &&
      controller.memory.clusters.get(DEMO_CLUSTER)?.primary === primaryId &&
      snapshot.databases.length === instances &&
      [...snapshot.databases, ...snapshot.nodes].every((view) => view.health.status === 'up')
    );
  });
  if (!settled) throw new Error(`the controller did not see every target answer within ${READY_LIMIT_MS / 1000} s`);
}
