import { afterEach, describe, expect, it } from 'vitest';
import { isProviderError, type ProviderError, type ProviderErrorKind } from '../../../src/core/contract/errors.js';
import { operationErrorKind, type CloudSqlOperation } from '../../../adapters/gcp/index.js';
import { GcpOperationWaiter } from '../../../adapters/gcp/GcpOperationWaiter.js';
import { VirtualClock } from '../../../src/core/clock/VirtualClock.js';
import { rejectionOf } from '../aws/captureOutput.js';
import { gcpWire, type GcpWire } from './gcpFixture.js';

const opts = () => ({ signal: AbortSignal.timeout(10_000) });

async function providerError(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await rejectionOf(promise);
  expect(isProviderError(error), String(error)).toBe(true);
  return error as ProviderError;
}

describe('gcp adapter: every error class is translated at the boundary', () => {
  let wire: GcpWire;
  afterEach(async () => wire?.close());

  describe('faults from the world (scenario apiFault events) arrive over the wire as Google errors', () => {
    it('error -> retryable (HTTP 500 backendError), on Compute and on Cloud SQL', async () => {
      wire = await gcpWire();
      await wire.apply([{ kind: 'apiFault', provider: 'gcp', operations: ['listNodes', 'listDatabases'], fault: 'error', rate: 1 }]);
      expect(await providerError(wire.provider.listNodes({}, opts()))).toMatchObject({ kind: 'retryable', status: 500, provider: 'gcp', operation: 'listNodes' });
      expect(await providerError(wire.provider.listDatabases({}, opts()))).toMatchObject({ kind: 'retryable', status: 500, operation: 'listDatabases' });
    });

    it('throttle -> throttled (HTTP 429 rateLimitExceeded, with the ErrorInfo RATE_LIMIT_EXCEEDED Google adds)', async () => {
      wire = await gcpWire();
      await wire.apply([{ kind: 'apiFault', provider: 'gcp', operations: ['listNodes', 'stopDatabase'], fault: 'throttle', rate: 1 }]);
      expect(await providerError(wire.provider.listNodes({}, opts()))).toMatchObject({ kind: 'throttled', status: 429 });
      expect(await providerError(wire.provider.stopDatabase('orders', opts()))).toMatchObject({ kind: 'throttled', status: 429, code: 'RATE_LIMIT_EXCEEDED' });
    });

    it('refusals keep their meaning: unknown -> invalid-input, wrong state -> terminal', async () => {
      wire = await gcpWire();
      expect(await providerError(wire.provider.rebootNode('us-central1-a/no-such-node', opts()))).toMatchObject({ kind: 'invalid-input', status: 404 });
      expect(await providerError(wire.provider.rebootNode('not-a-node-id', opts()))).toMatchObject({ kind: 'invalid-input', code: 'InvalidNodeId' });
      await wire.provider.destroyNode('us-central1-a/web-us-central1-a-1', opts());
      expect(await providerError(wire.provider.stopNode('us-central1-a/web-us-central1-a-1', opts()))).toMatchObject({ kind: 'terminal', code: 'resourceNotReady' });
      expect(await providerError(wire.provider.rebootDatabase('no-such-db', opts()))).toMatchObject({ kind: 'invalid-input', status: 404 });
      await wire.provider.stopDatabase('orders', opts());
      expect(await providerError(wire.provider.createReplica({ source: 'orders', id: 'orders-x', region: 'us-central1' }, opts()))).toMatchObject({
        kind: 'terminal',
        code: 'invalidState',
      });
    });
  });

  describe('Google errors injected on the wire', () => {
    const cases: [number, string, ProviderErrorKind][] = [
      [429, 'rateLimitExceeded', 'throttled'],
      // Older Google APIs throttle with 403; only the legacy reason tells it from a permission error.
      [403, 'rateLimitExceeded', 'throttled'],
      [403, 'userRateLimitExceeded', 'throttled'],
      // Too frequent operations on one resource, and the concurrent-operations quota: rate limits behind a 403, not permissions.
      [403, 'RESOURCE_OPERATION_RATE_EXCEEDED', 'throttled'],
      [403, 'CONCURRENT_OPERATIONS_QUOTA_EXCEEDED', 'throttled'],
      [500, 'backendError', 'retryable'],
      [502, 'badGateway', 'retryable'],
      [503, 'backendError', 'retryable'],
      [401, 'authError', 'terminal'],
      [403, 'forbidden', 'terminal'],
      [403, 'quotaExceeded', 'terminal'],
      [404, 'notFound', 'invalid-input'],
      [400, 'invalid', 'invalid-input'],
      [400, 'resourceNotReady', 'terminal'],
      [409, 'operationInProgress', 'retryable'],
    ];

    it.each(cases)('Compute HTTP %i %s -> %s', async (status, reason, kind) => {
      wire = await gcpWire();
      wire.emulator.setFaultHook((request) => (request.service === 'compute' ? { kind: 'error', status, code: reason, message: `SERVICE-TEXT ${reason}` } : undefined));
      const error = await providerError(wire.provider.listNodes({}, opts()));
      expect(error).toMatchObject({ kind, status, provider: 'gcp', operation: 'listNodes' });
      if (kind === 'terminal' && (status === 401 || status === 403) && reason !== 'quotaExceeded') {
        expect(error.message).not.toContain('SERVICE-TEXT');
        expect(error.message).toContain('README');
      }
    });

    it.each(cases)('Cloud SQL HTTP %i %s -> %s', async (status, reason, kind) => {
      wire = await gcpWire();
      wire.emulator.setFaultHook((request) => (request.service === 'sqladmin' ? { kind: 'error', status, code: reason, message: `SERVICE-TEXT ${reason}` } : undefined));
      expect(await providerError(wire.provider.listDatabases({}, opts()))).toMatchObject({ kind, status, operation: 'listDatabases' });
    });

    // Current Google APIs put the reason in a details[] ErrorInfo, beside error.status, and no legacy errors[] (the emulator answers
    // an UPPER_SNAKE_CASE reason so); the reason decides over the status, and is the error's code.
    const errorInfoCases: [number, string, ProviderErrorKind][] = [
      [403, 'RATE_LIMIT_EXCEEDED', 'throttled'],
      [429, 'ZONE_RESOURCE_POOL_EXHAUSTED', 'retryable'],
      [429, 'STOCKOUT', 'retryable'],
      [403, 'QUOTA_EXCEEDED', 'terminal'],
    ];

    it.each(errorInfoCases)('HTTP %i with ErrorInfo %s -> %s, on Compute (REST and client library) and on Cloud SQL', async (status, reason, kind) => {
      wire = await gcpWire();
      wire.emulator.setFaultHook(() => ({ kind: 'error', status, code: reason, message: `SERVICE-TEXT ${reason}` }));
      expect(await providerError(wire.provider.listNodes({}, opts()))).toMatchObject({ kind, status, code: reason, operation: 'listNodes' });
      expect(await providerError(wire.provider.rebootNode('us-central1-a/web-us-central1-a-1', opts()))).toMatchObject({ kind, status, code: reason, operation: 'rebootNode' });
      expect(await providerError(wire.provider.listDatabases({}, opts()))).toMatchObject({ kind, status, code: reason, operation: 'listDatabases' });
    });

    it('a connection reset is retryable; a hung request cut off by the signal is a timeout', async () => {
      wire = await gcpWire();
      wire.emulator.setFaultHook(() => ({ kind: 'reset' }));
      expect((await providerError(wire.provider.listNodes({}, opts()))).kind).toBe('retryable');
      expect((await providerError(wire.provider.listDatabases({}, opts()))).kind).toBe('retryable');
      wire.emulator.setFaultHook(() => ({ kind: 'hang' }));
      expect(await providerError(wire.provider.listNodes({}, { signal: AbortSignal.timeout(200) }))).toMatchObject({ kind: 'timeout' });
      expect(await providerError(wire.provider.listDatabases({}, { signal: AbortSignal.timeout(200) }))).toMatchObject({ kind: 'timeout' });
    });
  });

  describe('operation errors', () => {
    it('a Cloud SQL operation that ends DONE with errors fails the call with their kind; one DONE without errors succeeds', async () => {
      const started = { name: 'op-1', status: 'PENDING', operationType: 'CREATE_REPLICA' };
      /** Polls `started` until the one poll answers DONE with `error`, moving the virtual clock past the poll interval. */
      const settle = async (error?: CloudSqlOperation['error']) => {
        const clock = new VirtualClock(0);
        const waiter = new GcpOperationWaiter('gcp', clock, 10_000, 1_000);
        const polled: string[] = [];
        const waiting = waiter
          .cloudSql(
            'createReplica',
            started,
            async (name) => {
              polled.push(name);
              return { name, status: 'DONE', operationType: 'CREATE_REPLICA', ...(error === undefined ? {} : { error }) };
            },
            new AbortController().signal,
          )
          .then(
            () => 'done',
            (failure: unknown) => failure,
          );
        await clock.runUntil(2_000);
        expect(polled).toEqual(['op-1']);
        return waiting;
      };
      expect(await settle({ errors: [{ code: 'INTERNAL_ERROR', message: 'An internal error has occurred.' }] })).toMatchObject({
        kind: 'retryable',
        code: 'INTERNAL_ERROR',
        operation: 'createReplica',
      });
      expect(await settle({ errors: [{ code: 'QUOTA_EXCEEDED', message: 'quota' }] })).toMatchObject({ kind: 'terminal', code: 'QUOTA_EXCEEDED' });
      expect(await settle()).toBe('done');
    });

    it('classifies the codes a finished operation can carry', () => {
      expect(operationErrorKind('RATE_LIMIT_EXCEEDED', 403)).toBe('throttled');
      expect(operationErrorKind('RESOURCE_OPERATION_RATE_EXCEEDED', 403)).toBe('throttled');
      expect(operationErrorKind('ZONE_RESOURCE_POOL_EXHAUSTED', 503)).toBe('retryable');
      expect(operationErrorKind('ZONE_RESOURCE_POOL_EXHAUSTED_WITH_DETAILS', undefined)).toBe('retryable');
      expect(operationErrorKind('QUOTA_EXCEEDED', 403)).toBe('terminal');
      expect(operationErrorKind('RESOURCE_NOT_FOUND', 404)).toBe('invalid-input');
      expect(operationErrorKind('INVALID_FIELD_VALUE', 400)).toBe('invalid-input');
      expect(operationErrorKind('SOMETHING_NEW', 502)).toBe('retryable');
      expect(operationErrorKind('SOMETHING_NEW', undefined)).toBe('terminal');
    });
  });

  describe('capabilities are declared honestly', () => {
    it('no re-pointing on Cloud SQL; replication status from Cloud Monitoring unless turned off', async () => {
      wire = await gcpWire();
      expect(wire.provider.capabilities).toMatchObject({ repointReplica: false, replicationStatus: true, zoneStatus: true, stopDatabase: true });
      expect(await providerError(wire.provider.repointReplica('orders-b', 'orders', opts()))).toMatchObject({ kind: 'terminal' });
      expect(wire.emulator.requestCount).toBe(0);
      await wire.close();
      wire = await gcpWire({ adapter: { replicationMetrics: 'none' } });
      expect(wire.provider.capabilities.replicationStatus).toBe(false);
      const replica = (await wire.provider.listDatabases({ ids: ['orders-b'] }, opts()))[0]!;
      expect(replica.replication).toMatchObject({ upstream: 'orders', mode: 'async', state: 'unknown', lagSeconds: null, lastContactSeconds: null });
      expect(wire.emulator.requestsFor('monitoring.timeSeries.list')).toBe(0);
    });

    it('a Cloud Monitoring failure does not fail the listing: lag and state become unknown and the error kind is kept', async () => {
      wire = await gcpWire();
      wire.emulator.setFaultHook((request) =>
        request.service === 'monitoring' ? { kind: 'error', status: 429, code: 'rateLimitExceeded', message: 'Quota exceeded' } : undefined,
      );
      const replica = (await wire.provider.listDatabases({ ids: ['orders-b'] }, opts()))[0]!;
      expect(replica.replication).toMatchObject({ upstream: 'orders', state: 'unknown', lagSeconds: null });
      expect(replica.extra['replicationMetricsError']).toBe('throttled');
    });

    it('a synchronous replica is refused before any request', async () => {
      wire = await gcpWire();
      expect(await providerError(wire.provider.createReplica({ source: 'orders', id: 'o-s', region: 'us-central1', mode: 'sync' }, opts()))).toMatchObject({
        kind: 'invalid-input',
      });
      expect(wire.emulator.requestCount).toBe(0);
    });
  });
});
