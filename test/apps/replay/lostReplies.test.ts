import { describe, expect, it } from 'vitest';
import { replayScenario } from '../../../src/apps/replay/replayScenario.js';
import { parseScenario } from '../../../src/apps/replay/scenario/loadScenario.js';

/**
 * Calls whose answer is lost (spec r2 `lostReply`: the call takes effect,
 * its answer never comes) or that hang (no effect, no answer), on every
 * mutating operation the controller makes, while a zone fails: the
 * controller converges on what happened. A lost answer is never followed by
 * the same call again while the listings cannot tell (the reads fail too,
 * as they do in a control-plane incident); a hanging operation is retried
 * a bounded number of times (`maxStepRetries` per `stepRetryWindow`, 3 per
 * 30 minutes by default). Never two writable primaries.
 */
function scenario(operation: string, fault: 'lostReply' | 'hang', mode: string, options: { policy?: string; expect?: string } = {}): string {
  return `
name: lost-answers
duration: 40m
topology:
  providers:
    - id: aws
      regions: [{ id: us-east-1, zones: [use1-a, use1-b, use1-c] }]
  groups:
    - { id: web, provider: aws, region: us-east-1, nodes: { use1-a: 2, use1-b: 2, use1-c: 2 } }
  databases:
    - id: orders
      primary: { provider: aws, region: us-east-1, zone: use1-a }
      endpoint: { provider: aws, name: orders.db, ttl: 30s }
      replicas:
        - { id: orders-b, provider: aws, region: us-east-1, zone: use1-b, mode: sync }
        - { id: orders-c, provider: aws, region: us-east-1, zone: use1-c, lag: 1s }
      writes: 10
  loadBalancers:
    - { id: web-lb, provider: aws, region: us-east-1, group: web }
${options.policy ?? ''}
events:
  - { at: 0, apiFault: { provider: aws, operations: [${operation}], fault: ${fault} } }
${fault === 'lostReply' ? "  - { at: 50s, apiFault: { provider: aws, operations: ['*read'], fault: error, until: 20m } }" : ''}
  - { at: 1m, impair: { zone: use1-a, mode: ${mode} } }
expect:
  - failover: { database: orders, to: { replica: orders-b }, within: 3m }
  - maxFailovers: { database: orders, count: 1 }
  - maxSplitBrain: { seconds: 0 }
${options.expect ?? ''}
`;
}

async function replay(text: string) {
  const report = await replayScenario(parseScenario(text, 'lost-answers.yaml'));
  return { report, failed: report.expectations.filter((e) => !e.passed).map((e) => `${e.kind}: ${e.detail}`) };
}

/** Each operation, the outage that makes the controller call it, and how many calls it needs. */
const OPERATIONS: readonly { operation: string; mode: string; needed: number; policy?: string; capacity?: boolean }[] = [
  // A storage stall leaves the old primary listed and reachable: it is fenced along with the promotion.
  { operation: 'stopDatabase', mode: 'storage', needed: 1 },
  { operation: 'createNode', mode: 'power', needed: 2, capacity: true },
  { operation: 'createReplica', mode: 'power', needed: 1 },
  { operation: 'repointReplica', mode: 'power', needed: 1 },
  { operation: 'updateEndpoint', mode: 'power', needed: 1 },
  // The zonal shift, then its renewals halfway through each 30-minute expiry.
  { operation: 'shiftTraffic', mode: 'unreachable', needed: 3 },
  // Replicas that cannot be re-pointed are replaced, then the stranded one is deleted.
  { operation: 'destroyDatabase', mode: 'power', needed: 1, policy: 'policy: { repointReplicas: false }' },
];

describe('a mutating call whose answer is lost, while the reads fail, is not made again', () => {
  it.each(OPERATIONS)('$operation', async ({ operation, mode, needed, policy, capacity }) => {
    const { report, failed } = await replay(
      scenario(operation, 'lostReply', mode, { policy, expect: capacity ? '  - capacity: { group: web, within: 3m }' : '' }),
    );
    expect(failed).toEqual([]);
    const calls = report.actions.filter((a) => a.operation === operation);
    expect(calls.map((a) => a.result)).toEqual(Array(needed).fill('timeout'));
  });
});

describe('a mutating call that hangs is retried within the bound, and the database still fails over', () => {
  it.each(OPERATIONS)('$operation', async ({ operation, mode, needed, policy }) => {
    // A create that hangs keeps counting as on the way until nodeStartTimeout, 10 minutes (its name or id makes a
    // repeat return the first), so each missing node or replica is tried at most three times in half an hour; any
    // other step at most 1 + maxStepRetries (4) times. (Hung creates back off only further node calls: tried one at a
    // time, each slot's tries fall where the backoff lets them, not in pairs.)
    const bound = operation === 'createNode' || operation === 'createReplica' ? 3 * needed : 4;
    const { report, failed } = await replay(
      scenario(operation, 'hang', mode, { policy, expect: `  - maxCalls: { provider: aws, operation: ${operation}, count: ${bound}, per: 30m }` }),
    );
    expect(failed).toEqual([]);
    expect(report.actions.filter((a) => a.operation === operation).length).toBeGreaterThanOrEqual(needed);
  });
});

describe('a promotion given up on is fenced or adopted before anything else is promoted', () => {
  it('a promotion whose answer is lost and that completes after the controller gave up on it is adopted, not followed by a second', async () => {
    const text = scenario('promoteReplica', 'lostReply', 'unreachable', {
      expect: '  - maxCalls: { provider: aws, operation: promoteReplica, count: 1 }',
    })
      .replace('- id: aws\n', '- id: aws\n      latency: { promoteReplica: 3m }\n')
      .replace('within: 3m', 'within: 5m');
    const { report, failed } = await replay(text);
    expect(failed).toEqual([]);
    // The controller gave up after its short wait for a lost answer, asked to fence the target, was refused (it is
    // being promoted) and watched it again.
    expect(report.actions.map((a) => `${a.operation} ${a.target} ${a.result}`)).toContain('stopDatabase orders-b error');
    expect(report.timeline.some((e) => e.kind === 'failover.completed' && e.detail.includes('orders-b is the primary'))).toBe(true);
  });

  it('a promotion that hangs is fenced (its stop accepted) before the next candidate is promoted', async () => {
    const text = scenario('promoteReplica', 'hang', 'unreachable')
      .replace('apiFault: { provider: aws, operations', 'apiFault: { provider: aws, zone: use1-b, operations')
      .replace('to: { replica: orders-b }, within: 3m', 'to: { replica: orders-c }, within: 5m');
    const { report, failed } = await replay(text);
    expect(failed).toEqual([]);
    const order = report.actions.filter((a) => a.operation === 'promoteReplica' || a.operation === 'stopDatabase').map((a) => `${a.operation} ${a.target} ${a.result}`);
    expect(order).toEqual(['promoteReplica orders-b timeout', 'stopDatabase orders-b ok', 'promoteReplica orders-c ok']);
  });
});
