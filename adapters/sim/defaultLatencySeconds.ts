import type { OperationName } from '../../src/core/contract/types.js';

/**
 * How long after a successful call its effect shows up in the simulated world,
 * in seconds (scenario spec section 2.1). Reads take no time unless a
 * scenario's `latency` map says otherwise. `repointReplica` is not in the spec;
 * 30 s is our choice, the same as the other database operations.
 * `destroyDatabase` is not in the spec either: 120 s until the instance is
 * gone (RDS and Cloud SQL take a few minutes to delete a read replica).
 */
export const defaultLatencySeconds: Readonly<Record<OperationName, number>> = Object.freeze({
  listNodes: 0,
  listDatabases: 0,
  listLocations: 0,
  listSizes: 0,
  zoneStatus: 0,
  createNode: 60,
  startNode: 30,
  stopNode: 30,
  rebootNode: 30,
  destroyNode: 10,
  promoteReplica: 30,
  createReplica: 600,
  rebootDatabase: 30,
  stopDatabase: 30,
  repointReplica: 30,
  destroyDatabase: 120,
});
