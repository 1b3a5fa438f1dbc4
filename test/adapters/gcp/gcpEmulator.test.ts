import { afterEach, describe, expect, it } from 'vitest';
import { gcpWire, type GcpWire } from './gcpFixture.js';

function call(wire: GcpWire, method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${wire.emulator.endpoint}${path}`, {
    method,
    headers: { authorization: 'Bearer test', 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

describe('gcp emulator wire format', () => {
  let wire: GcpWire;
  afterEach(async () => wire?.close());

  it('answers Compute aggregated lists keyed by zone, with page tokens', async () => {
    wire = await gcpWire();
    const response = await call(wire, 'GET', '/compute/v1/projects/p/aggregated/instances?maxResults=3');
    const body = (await response.json()) as { items: Record<string, { instances: { name: string; status: string }[] }>; nextPageToken?: string };
    expect(Object.keys(body.items)).toEqual(['zones/us-central1-a']);
    expect(body.items['zones/us-central1-a']!.instances.map((each) => each.status)).toEqual(['RUNNING', 'RUNNING', 'RUNNING']);
    expect(body.nextPageToken).toBeDefined();
    const next = await call(wire, 'GET', `/compute/v1/projects/p/aggregated/instances?maxResults=3&pageToken=${body.nextPageToken}`);
    const rest = (await next.json()) as { items: Record<string, { instances: unknown[] }>; nextPageToken?: string };
    expect(Object.keys(rest.items)).toEqual(['zones/us-central1-b']);
    expect(rest.nextPageToken).toBeUndefined();
  });

  it('refuses unknown methods, unsupported filters and bad tokens in Google\'s error format', async () => {
    wire = await gcpWire();
    const unknown = await call(wire, 'GET', '/compute/v1/projects/p/global/networks');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: 404, errors: [{ reason: 'notFound' }] } });
    const filter = await call(wire, 'GET', `/compute/v1/projects/p/aggregated/instances?filter=${encodeURIComponent('cpuPlatform = "x"')}`);
    expect(filter.status).toBe(400);
    const token = await call(wire, 'GET', '/compute/v1/projects/p/aggregated/instances?pageToken=bogus');
    expect(token.status).toBe(400);
    const sqlUnknown = await call(wire, 'POST', '/v1/projects/p/instances/orders/clone');
    expect(await sqlUnknown.json()).toMatchObject({ error: { code: 404 } });
    const patch = await call(wire, 'PATCH', '/v1/projects/p/instances/orders', { settings: { tier: 'db-f1-micro' } });
    expect(patch.status).toBe(400);
    expect(wire.world.calls).toHaveLength(0);
  });

  it('answers errors in Google\'s shapes: a legacy reason in errors[], an AIP-193 reason in a details[] ErrorInfo with the status name', async () => {
    wire = await gcpWire();
    wire.emulator.setFaultHook((request) =>
      request.service === 'compute'
        ? { kind: 'error', status: 429, code: 'rateLimitExceeded', message: 'Rate Limit Exceeded' }
        : { kind: 'error', status: 429, code: 'ZONE_RESOURCE_POOL_EXHAUSTED', message: 'no capacity' },
    );
    const throttled = await call(wire, 'GET', '/compute/v1/projects/p/aggregated/instances');
    expect(throttled.status).toBe(429);
    expect(await throttled.json()).toEqual({
      error: {
        code: 429,
        message: 'Rate Limit Exceeded',
        status: 'RESOURCE_EXHAUSTED',
        errors: [{ message: 'Rate Limit Exceeded', domain: 'usageLimits', reason: 'rateLimitExceeded' }],
        details: [
          {
            '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
            reason: 'RATE_LIMIT_EXCEEDED',
            domain: 'googleapis.com',
            metadata: { service: 'compute.googleapis.com', quota_metric: 'compute.googleapis.com/requests', quota_limit: 'RequestsPerMinutePerProject', quota_location: 'global' },
          },
        ],
      },
    });
    const stockout = await call(wire, 'GET', '/v1/projects/p/instances');
    expect(await stockout.json()).toEqual({
      error: {
        code: 429,
        message: 'no capacity',
        status: 'RESOURCE_EXHAUSTED',
        details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'ZONE_RESOURCE_POOL_EXHAUSTED', domain: 'sqladmin.googleapis.com', metadata: { service: 'sqladmin.googleapis.com' } }],
      },
    });
  });

  it('deletes Cloud SQL instances: PENDING_DELETE at once, gone later; an instance with replicas is refused, as Cloud SQL does', async () => {
    wire = await gcpWire();
    const refused = await call(wire, 'DELETE', '/v1/projects/p/instances/orders');
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: { code: 400, errors: [{ reason: 'invalidState' }] } });
    const deleted = await call(wire, 'DELETE', '/v1/projects/p/instances/orders-b');
    expect(await deleted.json()).toMatchObject({ kind: 'sql#operation', operationType: 'DELETE', status: 'DONE', targetId: 'orders-b' });
    const listed = (await (await call(wire, 'GET', '/v1/projects/p/instances')).json()) as { items: Record<string, unknown>[] };
    expect(listed.items.find((each) => each['name'] === 'orders-b')).toMatchObject({ state: 'PENDING_DELETE' });
    // A replica being deleted no longer counts among its primary's replicas for the delete rule.
    expect((await call(wire, 'DELETE', '/v1/projects/p/instances/orders')).status).toBe(200);
    await wire.clock.runUntil(wire.clock.now() + 121_000);
    const after = (await (await call(wire, 'GET', '/v1/projects/p/instances')).json()) as { items?: Record<string, unknown>[] };
    expect(after.items ?? []).toEqual([]);
  });

  it('serves Cloud SQL instances with replica links and labels', async () => {
    wire = await gcpWire();
    const response = await call(wire, 'GET', '/v1/projects/p/instances');
    const body = (await response.json()) as { items: Record<string, unknown>[] };
    expect(body.items).toEqual([
      expect.objectContaining({ name: 'orders', instanceType: 'CLOUD_SQL_INSTANCE', replicaNames: ['orders-b'], state: 'RUNNABLE' }),
      expect.objectContaining({ name: 'orders-b', instanceType: 'READ_REPLICA_INSTANCE', masterInstanceName: 'p:orders', settings: expect.objectContaining({ userLabels: { 'lifeboat-cluster': 'orders' } }) }),
    ]);
  });
});
