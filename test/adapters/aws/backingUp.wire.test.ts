import { afterEach, describe, expect, it } from 'vitest';
import type { FrontEndRefusal } from '../../../adapters/emulators/index.js';
import { isProviderError, type ProviderError } from '../../../src/core/contract/errors.js';
import { awsWire, type AwsWire } from './awsFixture.js';
import { rejectionOf } from './captureOutput.js';

const opts = () => ({ signal: AbortSignal.timeout(20_000) });

async function providerError(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await rejectionOf(promise);
  if (!isProviderError(error)) throw new Error(`expected a ProviderError, got ${String(error)}`);
  return error;
}

/**
 * PromoteReadReplica's reference: a read replica cannot be promoted while it
 * is `backing-up`. Over the wire, on the strict emulator: the adapter reports
 * that refusal as retryable (the candidate is fine, only busy), and the same
 * promotion goes through once the backup is over.
 */
describe('promoting a replica that is backing up', () => {
  let wire: AwsWire;
  afterEach(async () => wire?.close());

  it('is refused InvalidDBInstanceState while the backup runs, reported retryable, and succeeds after it', async () => {
    let backingUp = true;
    const refusals: FrontEndRefusal[] = [];
    wire = await awsWire({ emulator: { backingUp: (id) => backingUp && id === 'orders-b', onRefusal: (refusal) => refusals.push(refusal) } });

    const listed = await wire.provider.listDatabases({}, opts());
    // Serving while backed up: listed available, RDS's own status kept in extra.
    expect(listed.find((db) => db.id === 'orders-b')).toMatchObject({ state: 'available', role: 'replica', extra: { rawStatus: 'backing-up' } });

    const error = await providerError(wire.provider.promoteReplica('orders-b', opts()));
    expect(error).toMatchObject({ kind: 'retryable', code: 'InvalidDBInstanceState', operation: 'promoteReplica' });
    expect(error.message).toMatch(/backing-up/);
    expect(refusals).toEqual([expect.objectContaining({ operation: 'promoteReplica', target: 'orders-b', code: 'InvalidDBInstanceState' })]);
    // The world never saw the promotion: orders-b is still a replica.
    expect(wire.world.calls.filter((call) => call.operation === 'promoteReplica')).toEqual([]);

    backingUp = false;
    await expect(wire.provider.promoteReplica('orders-b', opts())).resolves.toBeUndefined();
    await wire.clock.runUntil(wire.clock.now() + 120_000);
    const after = await wire.provider.listDatabases({}, opts());
    expect(after.find((db) => db.id === 'orders-b')).toMatchObject({ role: 'primary' });
    expect(wire.world.calls.filter((call) => call.operation === 'promoteReplica')).toHaveLength(1);
  });
});
