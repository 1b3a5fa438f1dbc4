import type { OperationName } from '../../src/core/contract/types.js';

/**
 * How long after a successful call its effect shows up in the simulated world,
 * in seconds (scenario spec section 2.1, revision 2). Reads take no time
 * unless a scenario's `latency` map says otherwise. `updateEndpoint` is the
 * time until the provider serves the new answer (clients then follow within
 * the endpoint's TTL); `shiftTraffic` until the load balancer acts on it.
 */
export const defaultLatencySeconds: Readonly<Record<OperationName, number>> = Object.freeze({
  listNodes: 0,
  listDatabases: 0,
  listLocations: 0,
  listSizes: 0,
  zoneStatus: 0,
  listEndpoints: 0,
  listLoadBalancers: 0,
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
  destroyDatabase: 60,
  updateEndpoint: 30,
  shiftTraffic: 60,
});
