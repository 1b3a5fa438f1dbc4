import { afterEach, describe, expect, it } from 'vitest';
import { isProviderError, type ProviderError, type ProviderErrorKind } from '../../../src/core/contract/errors.js';
import { awsWire, type AwsWire } from './awsFixture.js';
import { rejectionOf } from './captureOutput.js';

const opts = () => ({ signal: AbortSignal.timeout(10_000) });

async function providerError(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await rejectionOf(promise);
  expect(isProviderError(error), String(error)).toBe(true);
  return error as ProviderError;
}

describe('aws adapter: every error class is translated at the boundary', () => {
  let wire: AwsWire;
  afterEach(async () => wire?.close());

  describe('faults from the world (scenario apiFault events) arrive over the wire as AWS errors', () => {
    it('error -> retryable (EC2 InternalError, HTTP 500)', async () => {
      wire = await awsWire();
      await wire.apply([{ kind: 'apiFault', provider: 'aws', operations: ['listNodes'], fault: 'error', rate: 1 }]);
      const error = await providerError(wire.provider.listNodes({}, opts()));
      expect(error).toMatchObject({ kind: 'retryable', code: 'InternalError', status: 500, provider: 'aws', operation: 'listNodes' });
    });

    it('throttle -> throttled (EC2 RequestLimitExceeded 503, RDS Throttling 400)', async () => {
      wire = await awsWire();
      await wire.apply([{ kind: 'apiFault', provider: 'aws', operations: ['listNodes', 'listDatabases'], fault: 'throttle', rate: 1 }]);
      expect(await providerError(wire.provider.listNodes({}, opts()))).toMatchObject({ kind: 'throttled', code: 'RequestLimitExceeded', status: 503 });
      expect(await providerError(wire.provider.listDatabases({}, opts()))).toMatchObject({ kind: 'throttled', code: 'Throttling', status: 400 });
    });

    it('a fault scoped to a zone hits only calls that target it', async () => {
      wire = await awsWire();
      await wire.apply([{ kind: 'apiFault', provider: 'aws', zone: 'us-east-1b', operations: ['rebootNode'], fault: 'error', rate: 1 }]);
      await expect(wire.provider.rebootNode('web-us-east-1a-1', opts())).resolves.toBeUndefined();
      expect(await providerError(wire.provider.rebootNode('web-us-east-1b-1', opts()))).toMatchObject({ kind: 'retryable' });
    });

    it('refusals keep their meaning: unknown node -> invalid-input, wrong state -> terminal', async () => {
      wire = await awsWire();
      expect(await providerError(wire.provider.rebootNode('i-0000000000000dead', opts()))).toMatchObject({ kind: 'invalid-input', code: 'InvalidInstanceID.NotFound' });
      await wire.provider.destroyNode('web-us-east-1a-1', opts());
      expect(await providerError(wire.provider.stopNode('web-us-east-1a-1', opts()))).toMatchObject({ kind: 'terminal', code: 'IncorrectInstanceState' });
      expect(await providerError(wire.provider.promoteReplica('no-such-db', opts()))).toMatchObject({ kind: 'invalid-input', code: 'DBInstanceNotFound' });
      expect(await providerError(wire.provider.stopDatabase('no-such-db', opts()))).toMatchObject({ kind: 'invalid-input', code: 'DBInstanceNotFound', status: 404 });
    });
  });

  describe('AWS error codes injected on the wire', () => {
    const ec2Cases: [number, string, ProviderErrorKind][] = [
      [400, 'Throttling', 'throttled'],
      [400, 'ThrottlingException', 'throttled'],
      [503, 'RequestLimitExceeded', 'throttled'],
      [400, 'TooManyRequestsException', 'throttled'],
      [500, 'InternalError', 'retryable'],
      [503, 'ServiceUnavailable', 'retryable'],
      [502, 'SomethingAwsInventsLater', 'retryable'],
      [500, 'InsufficientInstanceCapacity', 'retryable'],
      [401, 'AuthFailure', 'terminal'],
      [403, 'UnauthorizedOperation', 'terminal'],
      [403, 'InvalidClientTokenId', 'terminal'],
      [403, 'SignatureDoesNotMatch', 'terminal'],
      [400, 'ExpiredToken', 'terminal'],
      [400, 'IncorrectInstanceState', 'terminal'],
      [400, 'InvalidInstanceID.NotFound', 'invalid-input'],
      [400, 'InvalidInstanceID.Malformed', 'invalid-input'],
      [400, 'InvalidParameterValue', 'invalid-input'],
      [400, 'InvalidAvailabilityZone', 'invalid-input'],
    ];

    it.each(ec2Cases)('EC2 HTTP %i %s -> %s', async (status, code, kind) => {
      wire = await awsWire();
      wire.emulator.setFaultHook((request) =>
        request.action === 'DescribeInstances' ? { kind: 'error', status, code, message: `SERVICE-TEXT for ${code}` } : undefined,
      );
      const error = await providerError(wire.provider.listNodes({}, opts()));
      expect(error).toMatchObject({ kind, code, status, provider: 'aws', operation: 'listNodes' });
      if (['AuthFailure', 'UnauthorizedOperation', 'InvalidClientTokenId', 'SignatureDoesNotMatch', 'ExpiredToken'].includes(code)) {
        // The adapter's own words: a service may echo the request (and a session token) in its text.
        expect(error.message).not.toContain('SERVICE-TEXT');
        expect(error.message).toContain(code);
        expect(error.message).toContain('IAM policy');
      } else {
        expect(error.message).toContain('SERVICE-TEXT');
      }
    });

    const rdsCases: [number, string, ProviderErrorKind][] = [
      [400, 'Throttling', 'throttled'],
      [500, 'InternalFailure', 'retryable'],
      [503, 'ServiceUnavailable', 'retryable'],
      [403, 'InvalidClientTokenId', 'terminal'],
      [403, 'AccessDenied', 'terminal'],
      [404, 'DBInstanceNotFound', 'invalid-input'],
      [400, 'InvalidParameterValue', 'invalid-input'],
      [400, 'InvalidDBInstanceState', 'terminal'],
    ];

    it.each(rdsCases)('RDS HTTP %i %s -> %s', async (status, code, kind) => {
      wire = await awsWire();
      wire.emulator.setFaultHook((request) => (request.service === 'rds' ? { kind: 'error', status, code, message: `SERVICE-TEXT ${code}` } : undefined));
      expect(await providerError(wire.provider.listDatabases({}, opts()))).toMatchObject({ kind, code, status, operation: 'listDatabases' });
    });

    it('a connection reset is retryable; a hung request cut off by the signal is a timeout', async () => {
      wire = await awsWire();
      wire.emulator.setFaultHook(() => ({ kind: 'reset' }));
      const reset = await providerError(wire.provider.listNodes({}, opts()));
      expect(reset.kind).toBe('retryable');
      wire.emulator.setFaultHook(() => ({ kind: 'hang' }));
      const hung = await providerError(wire.provider.listNodes({}, { signal: AbortSignal.timeout(200) }));
      expect(hung).toMatchObject({ kind: 'timeout', operation: 'listNodes' });
    });

    it('CloudWatch failing does not fail the listing: lag becomes unknown and the error kind is kept', async () => {
      wire = await awsWire();
      wire.emulator.setFaultHook((request) =>
        request.service === 'monitoring' ? { kind: 'error', status: 400, code: 'Throttling', message: 'Rate exceeded' } : undefined,
      );
      const replica = (await wire.provider.listDatabases({ ids: ['orders-b'] }, opts()))[0]!;
      expect(replica.replication).toMatchObject({ upstream: 'orders', state: 'streaming', lagSeconds: null });
      expect(replica.extra['replicaLagError']).toBe('throttled');
    });
  });

  describe('RDS refusals that mean "already done" are success (the contract is idempotent, RDS is not)', () => {
    it('StopDBInstance refused because the instance is already stopping -> success', async () => {
      // The fixture's only stoppable-looking instance is a read replica, which RDS's rules refuse to stop first.
      wire = await awsWire({ emulator: { rdsRules: false } });
      await wire.provider.stopDatabase('orders-b', opts());
      wire.emulator.setFaultHook((request) =>
        request.action === 'StopDBInstance' ? { kind: 'error', status: 400, code: 'InvalidDBInstanceState', message: 'Instance orders-b is not in available state.' } : undefined,
      );
      await expect(wire.provider.stopDatabase('orders-b', opts())).resolves.toBeUndefined();
    });

    it('StopDBInstance refused for an instance with replicas -> terminal, saying why', async () => {
      wire = await awsWire();
      wire.emulator.setFaultHook((request) =>
        request.action === 'StopDBInstance' ? { kind: 'error', status: 400, code: 'InvalidDBInstanceState', message: 'Cannot stop' } : undefined,
      );
      const error = await providerError(wire.provider.stopDatabase('orders', opts()));
      expect(error).toMatchObject({ kind: 'terminal', code: 'InvalidDBInstanceState' });
      expect(error.message).toContain('read replicas');
    });

    it('PromoteReadReplica refused while a promotion runs -> retryable; refused on a primary -> success (no read before the request)', async () => {
      wire = await awsWire();
      wire.emulator.setFaultHook((request) =>
        request.action === 'PromoteReadReplica' ? { kind: 'error', status: 400, code: 'InvalidDBInstanceState', message: 'busy' } : undefined,
      );
      await wire.world.provider('aws').promoteReplica('orders-b', opts());
      expect(await providerError(wire.provider.promoteReplica('orders-b', opts()))).toMatchObject({ kind: 'retryable', code: 'InvalidDBInstanceState' });
      const before = wire.emulator.requestsFor('PromoteReadReplica');
      await wire.provider.promoteReplica('orders', opts());
      // The request goes out without a read first (reads fail first in an outage); RDS's refusal is what is read to tell.
      expect(wire.emulator.requestsFor('PromoteReadReplica')).toBe(before + 1);
    });

    it('a synchronous replica is refused before any request: RDS read replicas are asynchronous', async () => {
      wire = await awsWire();
      const error = await providerError(wire.provider.createReplica({ source: 'orders', id: 'orders-s', region: 'us-east-1', mode: 'sync' }, opts()));
      expect(error.kind).toBe('invalid-input');
      expect(wire.emulator.requestCount).toBe(0);
    });

    it('repointReplica is not declared and refuses without a request', async () => {
      wire = await awsWire();
      expect(wire.provider.capabilities.repointReplica).toBe(false);
      expect(await providerError(wire.provider.repointReplica('orders-b', 'orders', opts()))).toMatchObject({ kind: 'terminal' });
      expect(wire.emulator.requestCount).toBe(0);
    });
  });
});
