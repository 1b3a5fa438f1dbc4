import type { DatabaseInstance, ReplicationStatus } from '../../src/core/contract/types.js';
import type { DatabaseRecord } from './DatabaseRecord.js';
import type { InstanceStatusRow } from './readInstanceStatus.js';
import { toReplicationStatus, type ContactMemory } from './toReplicationStatus.js';

/**
 * Maps a local instance (and its live status, when read) to the contract's
 * value object: the role is what PostgreSQL says (in recovery or not) over
 * what the fleet last did; server facts go in `extra`. Returns the
 * replica's contact memory to keep for the next read as well (unchanged
 * when the instance is not a replica).
 */
export function toLocalDatabase(
  record: DatabaseRecord,
  row: InstanceStatusRow | undefined,
  place: { readonly provider: string; readonly region: string },
): { instance: DatabaseInstance; contact: ContactMemory | undefined } {
  const role = row ? (row.recovery ? 'replica' : 'primary') : record.role;
  let replication: ReplicationStatus | undefined;
  let contact = record.contact;
  if (role === 'replica' && record.upstream !== undefined) {
    const mapped = toReplicationStatus(record.upstream, record.mode ?? 'async', row?.sample, record.contact, row?.broken !== undefined);
    contact = mapped.memory;
    replication = mapped.status;
  }
  const port = record.server.port;
  const process = record.server.current;
  const extra: Record<string, unknown> = { engineVersion: '18', dataDir: record.server.dataDir };
  if (port !== undefined) extra['port'] = port;
  if (process) extra['pid'] = process.pid;
  if (row?.sample.receiverStatus) extra['receiverStatus'] = row.sample.receiverStatus;
  if (row?.senderPort !== null && row?.senderPort !== undefined) extra['upstreamPort'] = row.senderPort;
  if (row?.broken !== undefined) extra['replicationError'] = row.broken;
  if (record.lastExit) extra['lastExit'] = record.lastExit;
  if (record.error !== undefined) extra['error'] = record.error;
  const instance: DatabaseInstance = {
    id: record.id,
    cluster: record.cluster,
    provider: place.provider,
    region: place.region,
    zone: record.zone,
    engine: 'postgres',
    role,
    state: record.state,
    ...(replication ? { replication } : {}),
    ...(port === undefined ? {} : { endpoint: `127.0.0.1:${port}` }),
    extra,
  };
  return { instance, contact };
}
