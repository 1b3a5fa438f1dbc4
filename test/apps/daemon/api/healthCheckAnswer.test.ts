// The load balancers' health checks answer from the leader's picture: 200 only for the primary that
// takes writes, a streaming replica, a zone in service; 503 with the reason otherwise, and for every
// check when the picture is missing or too old to vouch for anything.
import { describe, expect, test } from 'vitest';
import { answerHealthCheck, isHealthCheckPath } from '../../../../src/apps/daemon/api/healthCheckAnswer.js';
import type { DaemonStatus } from '../../../../src/apps/daemon/DaemonStatus.js';

const OBSERVED = Date.parse('2026-12-01T10:00:00Z');
const NOW = OBSERVED + 2_000;
const evidence = { probes: { total: 2, down: 0, up: 2, failing: 0 }, providerStatus: 'available', listing: { total: 2, stopped: 0 }, replication: 'none', badVantagePoints: [] } as const;
type Database = DaemonStatus['databases'][number];
type Zone = DaemonStatus['zones'][number];

function zone(name: string, over: Partial<Zone> = {}): Zone {
  return { provider: 'local', region: 'local', zone: name, state: 'healthy', since: '2026-12-01T09:00:00Z', reason: 'all probes answer', evidence, ...over };
}

function orders(over: Partial<Database> = {}): Database {
  return {
    database: 'orders',
    primary: 'orders-a',
    provider: 'local',
    primaryZone: 'local-a',
    primaryHealth: { probe: 'up', writable: true },
    failovers: 0,
    promotion: undefined,
    replicas: [
      { id: 'orders-b', provider: 'local', zone: 'local-b', role: 'replica', state: 'available', probe: 'up', upstream: 'orders-a', replication: 'streaming', lagSeconds: 0 },
      { id: 'orders-c', provider: 'local', zone: 'local-c', role: 'replica', state: 'available', probe: 'up', upstream: 'orders-a', replication: 'streaming', lagSeconds: 1 },
    ],
    ...over,
  };
}

function picture(over: { databases?: Database[]; zones?: Zone[]; observedAt?: string | undefined; self?: boolean } = {}): DaemonStatus {
  return {
    id: 'd1',
    startedAt: '2026-12-01T09:00:00Z',
    observedAt: 'observedAt' in over ? over.observedAt : new Date(OBSERVED).toISOString(),
    mode: 'act',
    paused: false,
    pauses: { databases: [] },
    leader: { id: 'd1', mode: 'etcd', lock: '/lifeboat/leader', self: over.self ?? true },
    zones: over.zones ?? [zone('local-a'), zone('local-b'), zone('local-c')],
    databases: over.databases ?? [orders()],
    groups: [],
    inFlight: [],
    plan: [],
    notes: [],
    pausedPlan: [],
    wouldDo: [],
    awaitingApproval: [],
    switchover: undefined,
  };
}

const check = (status: DaemonStatus, path: string, now = NOW) => answerHealthCheck(status, path, now);

describe('/primary/<database>/<instance>', () => {
  test('200 for the primary that takes writes, 503 naming the primary for the others', () => {
    expect(check(picture(), '/primary/orders/orders-a')).toMatchObject({ status: 200, body: { check: 'primary', target: ['orders', 'orders-a'], ok: true, leader: 'd1' } });
    const other = check(picture(), '/primary/orders/orders-b');
    expect(other.status).toBe(503);
    expect(other.body.reason).toBe('orders-b is not the primary of orders (orders-a is)');
  });

  test('503 while the primary does not take writes, or a promotion or switchover is under way', () => {
    expect(check(picture({ databases: [orders({ primaryHealth: { probe: 'down', writable: false } })] }), '/primary/orders/orders-a').status).toBe(503);
    expect(check(picture({ databases: [orders({ primaryHealth: { probe: 'up', writable: false } })] }), '/primary/orders/orders-a').body.reason).toContain('read-only');
    expect(check(picture({ databases: [orders({ primaryHealth: undefined })] }), '/primary/orders/orders-a').status).toBe(503);
    const promoting = check(picture({ databases: [orders({ promotion: { target: 'orders-b', from: 'orders-a', startedAt: '2026-12-01T10:00:00Z' } })] }), '/primary/orders/orders-a');
    expect(promoting).toMatchObject({ status: 503, body: { reason: 'orders is failing over from orders-a to orders-b' } });
    const switching = orders({ switchover: { requestedBy: 'operator@127.0.0.1', requestedAt: '2026-12-01T10:00:00Z', target: 'orders-b', phase: 'fencing', deadline: '2026-12-01T10:05:00Z' } });
    expect(check(picture({ databases: [switching] }), '/primary/orders/orders-a').status).toBe(503);
  });

  test('404 for an unknown database or instance, or a malformed path', () => {
    expect(check(picture(), '/primary/payments/orders-a')).toMatchObject({ status: 404, body: { reason: 'no database payments' } });
    expect(check(picture(), '/primary/orders/orders-z')).toMatchObject({ status: 404, body: { reason: 'orders has no instance orders-z' } });
    expect(check(picture(), '/primary/orders')).toMatchObject({ status: 404, body: { reason: 'expected /primary/<database>/<instance>' } });
    expect(check(picture(), '/primary/orders/a/b').status).toBe(404);
    expect(check(picture(), '/primary/orders/%E0%A4%A').status).toBe(404);
  });

  test('names are percent-decoded', () => {
    const db = orders({ database: 'my orders', primary: 'a/b' });
    expect(check(picture({ databases: [db] }), '/primary/my%20orders/a%2Fb').status).toBe(200);
  });
});

describe('/replica/<database>/<instance>', () => {
  test('200 for a streaming replica that answers; 503 for the primary', () => {
    expect(check(picture(), '/replica/orders/orders-b')).toMatchObject({ status: 200, body: { reason: 'orders-b is a streaming replica of orders (0s behind)' } });
    expect(check(picture(), '/replica/orders/orders-a')).toMatchObject({ status: 503, body: { reason: 'orders-a is the primary of orders, not a replica' } });
  });

  test('503 for a replica that does not stream, does not answer, is being promoted or lives in an impaired zone', () => {
    const with_ = (r: Partial<Database['replicas'][number]>) => orders({ replicas: [{ ...orders().replicas[0]!, ...r }] });
    expect(check(picture({ databases: [with_({ replication: 'broken' })] }), '/replica/orders/orders-b').status).toBe(503);
    expect(check(picture({ databases: [with_({ probe: 'down' })] }), '/replica/orders/orders-b').status).toBe(503);
    expect(check(picture({ databases: [with_({ role: 'primary' })] }), '/replica/orders/orders-b').status).toBe(503);
    const promoting = orders({ promotion: { target: 'orders-b', from: 'orders-a', startedAt: '2026-12-01T10:00:00Z' } });
    expect(check(picture({ databases: [promoting] }), '/replica/orders/orders-b')).toMatchObject({ status: 503, body: { reason: 'orders-b is being promoted' } });
    const impaired = picture({ zones: [zone('local-a'), zone('local-b', { state: 'impaired' }), zone('local-c')] });
    expect(check(impaired, '/replica/orders/orders-b')).toMatchObject({ status: 503, body: { reason: "orders-b's zone local-b is impaired" } });
    // Same zone name on another provider: not this replica's zone.
    const elsewhere = picture({ zones: [zone('local-b'), zone('local-b', { provider: 'other', state: 'impaired' })] });
    expect(check(elsewhere, '/replica/orders/orders-b').status).toBe(200);
  });
});

describe('/zone/<provider>/<zone>', () => {
  test('200 while healthy or degraded; 503 while impaired or shifted away by the controller; 404 when not watched', () => {
    const zones = [zone('local-a', { state: 'degraded' }), zone('local-b', { state: 'impaired', reason: 'probes and provider say so' }), zone('local-c', { shiftedAway: ['web-lb'] })];
    expect(check(picture({ zones }), '/zone/local/local-a')).toMatchObject({ status: 200, body: { reason: 'zone local-a is degraded' } });
    expect(check(picture({ zones }), '/zone/local/local-b')).toMatchObject({ status: 503, body: { reason: 'zone local-b is impaired: probes and provider say so' } });
    expect(check(picture({ zones }), '/zone/local/local-c')).toMatchObject({ status: 503, body: { reason: expect.stringContaining('shifted web-lb away') } });
    expect(check(picture({ zones }), '/zone/other/local-a').status).toBe(404);
  });
});

describe('the picture must be there and fresh', () => {
  test('503 for every check before the first observation, and once the picture is older than the limit', () => {
    expect(check(picture({ observedAt: undefined }), '/primary/orders/orders-a')).toMatchObject({ status: 503, body: { reason: 'this daemon has not observed the world yet' } });
    expect(check(picture({ observedAt: undefined, self: false }), '/zone/local/local-a').body.reason).toContain('no picture from a leader yet');
    expect(check(picture(), '/primary/orders/orders-a', OBSERVED + 30_000).status).toBe(200);
    const stale = check(picture(), '/primary/orders/orders-a', OBSERVED + 31_000);
    expect(stale).toMatchObject({ status: 503, body: { ok: false } });
    expect(stale.body.reason).toContain('31s old');
    expect(answerHealthCheck(picture(), '/zone/local/local-a', OBSERVED + 31_000, 60).status).toBe(200);
  });
});

test('isHealthCheckPath: only the three prefixes', () => {
  expect(['/primary/a/b', '/replica/a/b', '/zone/a/b', '/primary'].every(isHealthCheckPath)).toBe(true);
  expect(['/status', '/primaryx/a/b', '/zones/a/b', '/'].some(isHealthCheckPath)).toBe(false);
});
