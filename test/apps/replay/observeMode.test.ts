// Shadow mode over a replayed zone loss: the same scenario in `act` mode fails over; with
// `--policy` `mode: observe` the controller makes no mutating call, the world sees no promotion,
// and the report lists the plan it would have run.
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { replayScenario } from '../../../src/apps/replay/replayScenario.js';
import { loadScenarioFile } from '../../../src/apps/replay/scenario/loadScenario.js';
import { formatReport } from '../../../src/apps/replay/formatReport.js';

const SCENARIO = join(import.meta.dirname, '../../../scenarios/synthetic-power-loss.yaml');

describe('replay in observe mode', () => {
  test('a zone loss: zero mutating calls, and the plan it would have run in the report', async () => {
    const scenario = await loadScenarioFile(SCENARIO);
    const acting = await replayScenario(scenario);
    expect(acting.metrics.failovers).toBe(1);
    expect(acting.metrics.mutatingCalls).toBeGreaterThan(0);
    expect(acting.held).toBeUndefined();

    const shadow = await replayScenario(scenario, { policy: { mode: 'observe' } });
    expect(shadow.metrics.mutatingCalls).toBe(0);
    expect(shadow.metrics.failovers).toBe(0);
    expect(shadow.actions).toEqual([]);
    const promote = shadow.held?.find((h) => h.operation === 'promoteReplica');
    expect(promote).toMatchObject({ why: 'observe', database: 'orders', provider: 'gcp', reason: expect.stringContaining('impaired zone us-central1-b') });
    // What it would have done is what the acting controller did.
    expect(promote!.target).toBe(acting.actions.find((a) => a.operation === 'promoteReplica')?.target);
    expect(shadow.held!.every((h) => h.why === 'observe')).toBe(true);
    expect(formatReport(shadow)).toMatch(/would do\s+promoteReplica orders-c \(us-central1-c\): primary orders is in impaired zone us-central1-b/);
  });
});
