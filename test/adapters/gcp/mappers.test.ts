import { describe, expect, it } from 'vitest';
import {
  gcpSizes,
  GCP_PRICE_SOURCE,
  instanceNameFor,
  parseNodeId,
  replicationReadings,
  requestIdFor,
  toCloudSqlDatabase,
  toCloudSqlState,
  toGceNode,
  toGceNodeState,
  toGceZoneStatus,
  toGcpProviderError,
} from '../../../adapters/gcp/index.js';
import { redactGcpSecrets } from '../../../adapters/gcp/redactGcpSecrets.js';

describe('gcp state tables', () => {
  it('maps every GCE status, TERMINATED meaning stopped, and anything else to unknown', () => {
    const statuses = ['PROVISIONING', 'STAGING', 'RUNNING', 'STOPPING', 'SUSPENDING', 'SUSPENDED', 'REPAIRING', 'TERMINATED', 'NEW_STATE', undefined];
    expect(statuses.map(toGceNodeState)).toEqual(['pending', 'pending', 'running', 'stopping', 'stopping', 'stopped', 'rebooting', 'stopped', 'unknown', 'unknown']);
    // The life cycle's transitional states (instance-life-cycle reference): up on its way, or down on its way, never unknown.
    expect(['PENDING', 'PENDING_STOP', 'DEPROVISIONING'].map(toGceNodeState)).toEqual(['pending', 'stopping', 'stopping']);
    expect(toGceNodeState('toString')).toBe('unknown');
    expect(['UP', 'DOWN', 'OTHER'].map(toGceZoneStatus)).toEqual(['available', 'unavailable', 'unknown']);
  });

  it('maps Cloud SQL states, a RUNNABLE instance with activation policy NEVER being stopped', () => {
    expect(toCloudSqlState('RUNNABLE', 'ALWAYS')).toBe('available');
    expect(toCloudSqlState('RUNNABLE', 'NEVER')).toBe('stopped');
    expect(toCloudSqlState('PENDING_CREATE', 'ALWAYS')).toBe('creating');
    expect(toCloudSqlState('MAINTENANCE', undefined)).toBe('rebooting');
    expect(toCloudSqlState('FAILED', undefined)).toBe('failed');
    expect(toCloudSqlState('SUSPENDED', undefined)).toBe('failed');
    expect(toCloudSqlState('SQL_INSTANCE_STATE_UNSPECIFIED', undefined)).toBe('unknown');
  });
});

describe('gcp names', () => {
  it('node ids are <zone>/<name>; anything else is not one', () => {
    expect(parseNodeId('us-central1-a/web-1')).toEqual({ zone: 'us-central1-a', name: 'web-1' });
    expect(parseNodeId('web-1')).toBeUndefined();
    expect(parseNodeId('us-central1-a/Web_1')).toBeUndefined();
  });

  it('instance names are legal, and derived from the client token when there is one', () => {
    const name = instanceNameFor('Web Tier #1!', 'token-1');
    expect(name).toMatch(/^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/);
    expect(name.startsWith('web-tier-1-')).toBe(true);
    expect(instanceNameFor('Web Tier #1!', 'token-1')).toBe(name);
    expect(instanceNameFor('Web Tier #1!', 'token-2')).not.toBe(name);
    expect(instanceNameFor('9'.repeat(100))).toMatch(/^node-[0-9a-f]{8}$/);
    expect(instanceNameFor('x'.repeat(100)).length).toBeLessThanOrEqual(63);
  });

  it('request ids are UUIDs, stable per token', () => {
    expect(requestIdFor('t')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(requestIdFor('t')).toBe(requestIdFor('t'));
    expect(requestIdFor('t')).not.toBe(requestIdFor('u'));
  });
});

describe('gcp mappers', () => {
  it('maps an instance', () => {
    const node = toGceNode(
      {
        id: '123',
        name: 'web-3f2a9c1e',
        zone: 'https://www.googleapis.com/compute/v1/projects/p/zones/europe-west1-b',
        status: 'RUNNING',
        machineType: 'https://www.googleapis.com/compute/v1/projects/p/zones/europe-west1-b/machineTypes/e2-small',
        labels: { 'lifeboat-group': 'web' },
        networkInterfaces: [{ networkIP: '10.1.2.3' }],
        creationTimestamp: '2024-05-06T07:08:09.000-07:00',
      },
      'gcp',
      8080,
    );
    expect(node).toMatchObject({
      id: 'europe-west1-b/web-3f2a9c1e',
      region: 'europe-west1',
      zone: 'europe-west1-b',
      state: 'running',
      group: 'web',
      size: 'e2-small',
      endpoint: '10.1.2.3:8080',
      createdAt: Date.parse('2024-05-06T14:08:09Z'),
      extra: { instanceId: '123', rawStatus: 'RUNNING' },
    });
  });

  it('reads Cloud Monitoring replication samples: newest lag (negative = inactive), newest true state', () => {
    const resource = (name: string) => ({ type: 'cloudsql_database', labels: { project_id: 'p', database_id: `p:${name}`, region: 'us-central1' } });
    const at = (s: number) => ({ startTime: new Date(s * 1000).toISOString(), endTime: new Date(s * 1000).toISOString() });
    const readings = replicationReadings(
      [
        { resource: resource('a'), points: [{ interval: at(120), value: { doubleValue: 4.5 } }, { interval: at(60), value: { doubleValue: 1 } }] },
        { resource: resource('b'), points: [{ interval: at(120), value: { doubleValue: -1 } }] },
        { resource: { type: 'cloudsql_database', labels: {} }, points: [{ interval: at(120), value: { doubleValue: 3 } }] },
      ],
      [
        { metric: { labels: { state: 'Running' } }, resource: resource('a'), points: [{ interval: at(60), value: { boolValue: true } }] },
        { metric: { labels: { state: 'Error' } }, resource: resource('a'), points: [{ interval: at(120), value: { boolValue: true } }] },
        { metric: { labels: { state: 'Running' } }, resource: resource('b'), points: [{ interval: at(120), value: { boolValue: true } }] },
        { metric: { labels: { state: 'Stopped' } }, resource: resource('b'), points: [{ interval: at(180), value: { boolValue: false } }] },
      ],
    );
    expect(readings.get('a')).toEqual({ lagSeconds: 4.5, state: 'Error', at: 120_000 });
    // A negative lag is "replication inactive" unless a strictly newer state sample says otherwise.
    expect(readings.get('b')).toEqual({ lagSeconds: null, inactive: true, state: 'Running', at: 120_000 });
    expect(readings.size).toBe(2);
    const later = replicationReadings(
      [{ resource: resource('c'), points: [{ interval: at(60), value: { doubleValue: -1 } }] }],
      [{ metric: { labels: { state: 'Running' } }, resource: resource('c'), points: [{ interval: at(120), value: { boolValue: true } }] }],
    );
    expect(later.get('c')).toEqual({ lagSeconds: null, state: 'Running', at: 120_000 });
  });

  it('a negative replica_lag (replication inactive, per the Cloud SQL metrics list) is lag unknown and replication disconnected', () => {
    const resource = { type: 'cloudsql_database', labels: { project_id: 'p', database_id: 'p:orders-b', region: 'us-central1' } };
    const at = { startTime: '2026-01-01T00:02:00Z', endTime: '2026-01-01T00:02:00Z' };
    const reading = replicationReadings([{ resource, points: [{ interval: at, value: { doubleValue: -1 } }] }], []).get('orders-b');
    const sql = {
      name: 'orders-b',
      region: 'us-central1',
      gceZone: 'us-central1-b',
      state: 'RUNNABLE',
      databaseVersion: 'MYSQL_8_0',
      instanceType: 'READ_REPLICA_INSTANCE',
      masterInstanceName: 'p:orders',
      settings: { activationPolicy: 'ALWAYS' },
    };
    expect(toCloudSqlDatabase(sql, 'gcp', 'orders', reading).replication).toMatchObject({ state: 'disconnected', lagSeconds: null });
  });

  it('maps a Cloud SQL replica with its Monitoring reading: Running streams, Error and Stopped are disconnected', () => {
    const sql = {
      name: 'orders-b',
      region: 'us-central1',
      gceZone: 'us-central1-b',
      state: 'RUNNABLE',
      databaseVersion: 'POSTGRES_15',
      instanceType: 'READ_REPLICA_INSTANCE',
      masterInstanceName: 'p:orders',
      settings: { activationPolicy: 'ALWAYS' },
    };
    const withReading = (state: string | undefined, lagSeconds: number | null) =>
      toCloudSqlDatabase(sql, 'gcp', 'orders', { lagSeconds, ...(state === undefined ? {} : { state }) }).replication;
    expect(withReading('Running', 2)).toMatchObject({ state: 'streaming', lagSeconds: 2, lastContactSeconds: null });
    expect(withReading('Error', 40)).toMatchObject({ state: 'disconnected', lagSeconds: 40 });
    expect(withReading('Stopped', null)).toMatchObject({ state: 'disconnected', lagSeconds: null });
    expect(withReading('Syncing', 1)).toMatchObject({ state: 'unknown', lagSeconds: 1 });
    expect(withReading(undefined, null)).toMatchObject({ state: 'unknown', lagSeconds: null });
    expect(toCloudSqlDatabase(sql, 'gcp', 'orders').replication).toMatchObject({ state: 'unknown', lagSeconds: null });
  });

  it('maps a Cloud SQL replica: asynchronous, lag unknown', () => {
    const db = toCloudSqlDatabase(
      {
        name: 'orders-b',
        region: 'us-central1',
        gceZone: 'us-central1-b',
        state: 'RUNNABLE',
        databaseVersion: 'POSTGRES_15',
        instanceType: 'READ_REPLICA_INSTANCE',
        masterInstanceName: 'p:orders',
        settings: { activationPolicy: 'ALWAYS', databaseReplicationEnabled: false },
        ipAddresses: [{ type: 'PRIVATE', ipAddress: '10.9.9.9' }],
      },
      'gcp',
      'orders',
    );
    expect(db).toMatchObject({
      id: 'orders-b',
      cluster: 'orders',
      engine: 'postgres',
      role: 'replica',
      state: 'available',
      endpoint: '10.9.9.9:5432',
      replication: { upstream: 'orders', mode: 'async', state: 'disconnected', lagSeconds: null, lastContactSeconds: null },
    });
  });

  it('embeds a size table with a documented price source, priced only for us-central1', () => {
    expect(gcpSizes('gcp', 'us-central1').find((size) => size.id === 'e2-standard-2')).toMatchObject({
      vcpus: 2,
      memoryMiB: 8192,
      pricePerHour: 0.067006,
      priceSource: GCP_PRICE_SOURCE,
    });
    const elsewhere = gcpSizes('gcp', 'asia-east1');
    expect(elsewhere.map((size) => size.id)).toEqual(gcpSizes('gcp', 'us-central1').map((size) => size.id));
    expect(elsewhere.length).toBeGreaterThan(0);
    expect(elsewhere.every((size) => size.pricePerHour === null)).toBe(true);
  });
});

describe('gcp error translation without the wire', () => {
  it('gRPC codes from the client library', () => {
    const site = { provider: 'gcp', operation: 'listNodes' };
    const coded = (code: number) => Object.assign(new Error('x'), { code });
    expect(toGcpProviderError(coded(8), site).kind).toBe('throttled');
    expect(toGcpProviderError(coded(14), site).kind).toBe('retryable');
    expect(toGcpProviderError(coded(16), site).kind).toBe('terminal');
    expect(toGcpProviderError(coded(7), site).kind).toBe('terminal');
    expect(toGcpProviderError(coded(5), site).kind).toBe('invalid-input');
    expect(toGcpProviderError(coded(3), site).kind).toBe('invalid-input');
    expect(toGcpProviderError(coded(1), site).kind).toBe('timeout');
    expect(toGcpProviderError(Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } }), site).kind).toBe('retryable');
    expect(toGcpProviderError(coded(13), { ...site, signal: AbortSignal.abort() }).kind).toBe('timeout');
  });

  it('redacts tokens', () => {
    expect(redactGcpSecrets('Authorization: Bearer abc.def')).toBe('Authorization: [redacted]');
    expect(redactGcpSecrets('got ya29.a0AfH6SMB-xyz here')).toBe('got [redacted] here');
    expect(redactGcpSecrets('{"access_token":"secret1"}')).toBe('{"access_token":"[redacted]"}');
    expect(redactGcpSecrets('instance us-central1-a/web-1 not found')).toBe('instance us-central1-a/web-1 not found');
  });
});
