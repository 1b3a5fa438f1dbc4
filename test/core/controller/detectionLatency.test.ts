import { describe, expect, it } from 'vitest';
import type { Prober } from '../../../src/core/contract/Prober.js';
import { Controller } from '../../../src/core/controller/Controller.js';
import type { ControllerEvent } from '../../../src/core/controller/ControllerEvent.js';
import { DEFAULT_POLICY, resolvePolicy, type Policy } from '../../../src/core/controller/Policy.js';
import { simFixture } from '../../adapters/sim/simFixture.js';

/**
 * Seconds from the fault to the first `failover.planned`, the primary's zone
 * (us-east-1a) frozen at `faultAtS`. The sim drops a cut-off replica's
 * connection at once; a frozen PostgreSQL primary does not (its TCP
 * connections stay open), so its replicas go on reporting `streaming` with
 * a contact age growing from the fault. The prober is the sim's, with that
 * one difference, so detection rests on the replication-silence window, as
 * it does on `local`.
 */
async function detectionSeconds(policy: Policy, faultAtS: number, readLatencyMs: (batch: number) => number = () => 0): Promise<number> {
  const { clock, world } = simFixture({ events: [{ at: faultAtS, kind: 'impair', zone: 'us-east-1a', mode: 'unreachable', errorRate: 0 }] });
  const inner = world.prober();
  let batch = 0;
  const prober: Prober = {
    probe: async (targets, signal) => {
      // A replica's query runs a little after the round is sent (its connection and round trip).
      const readAt = clock.now() + readLatencyMs(batch++);
      const results = await inner.probe(targets, signal);
      return results.map((r) =>
        r.ok && r.replication?.state === 'disconnected'
          ? { ...r, replication: { state: 'streaming' as const, lastContactSeconds: Math.round(readAt - faultAtS * 1000) / 1000 } }
          : r,
      );
    },
  };
  const events: ControllerEvent[] = [];
  const controller = new Controller({
    providers: world.providers(),
    prober,
    clock,
    policy,
    groups: [{ id: 'web', provider: 'aws', region: 'us-east-1', minHealthy: 4 }],
    watch: [{ provider: 'aws', region: 'us-east-1' }, { provider: 'aws', region: 'us-west-2' }],
    random: () => 0.5,
  });
  controller.on('event', (event) => events.push(event));
  const stop = new AbortController();
  const running = controller.run(stop.signal);
  await clock.runUntil((faultAtS + 20) * 1000);
  stop.abort();
  await clock.runUntil(clock.now());
  await running;
  const planned = events.find((e) => e.kind === 'failover.planned');
  expect(planned, 'a failover is planned').toBeDefined();
  return planned!.t / 1000 - faultAtS;
}

// Fault times spread over a 2 s probe cycle (golden-ratio steps), after the first calm minute.
const PHASES = Array.from({ length: 8 }, (_, i) => 61 + ((i * 0.618034) % 1) * 2);

describe('event-driven detection', () => {
  for (const [label, policy] of [
    ['production defaults', DEFAULT_POLICY],
    // The calm probe interval no longer sets the detection time: the controller wakes for the moment
    // the replicas' silence reaches the window, wherever the fault fell in the cycle.
    ['defaults with the old 2 s probe interval', resolvePolicy({ probeInterval: 2 })],
    ['fast profile (blipTolerance 1 s)', resolvePolicy({ blipTolerance: 1 })],
  ] as const) {
    it(`a frozen primary is failed over blipTolerance after the fault, wherever it falls in the probe cycle (${label})`, async () => {
      const found: number[] = [];
      for (const at of PHASES) found.push(await detectionSeconds(policy, at));
      for (const seconds of found) {
        // Never before the tolerance: a freeze shorter than it costs nothing.
        expect(seconds).toBeGreaterThanOrEqual(policy.blipTolerance - 0.001);
        // At most one quick confirmation round after it: not plus a probe interval of cycle alignment.
        expect(seconds).toBeLessThanOrEqual(policy.blipTolerance + policy.suspectProbeInterval);
      }
    });
  }

  it("a replica's reading a few milliseconds short of the window it was woken for costs a quick round, not a probe timeout", async () => {
    // The replicas' query runs 0 to 10 ms after the round is sent, differently each time, so the round
    // cut short at the predicted moment can find the silence just short of the window (as on `local`).
    const jitter = (batch: number) => ((batch * 7) % 11);
    for (const at of PHASES) {
      const seconds = await detectionSeconds(DEFAULT_POLICY, at, jitter);
      expect(seconds).toBeGreaterThanOrEqual(DEFAULT_POLICY.blipTolerance - 0.011);
      // Not the hung primary's whole probeTimeout (1 s) after a miss.
      expect(seconds).toBeLessThanOrEqual(DEFAULT_POLICY.blipTolerance + 0.1);
    }
  });
});
