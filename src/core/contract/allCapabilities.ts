import type { Capabilities } from './types.js';

/**
 * Every capability declared: an adapter that implements the whole contract
 * (sim, local). An adapter that differs spreads this and states each
 * difference explicitly beside it, with why (RDS cannot re-point a replica).
 * `stopRefusedWithReplicas` is a restriction, not a capability, so it is
 * absent (false) here.
 */
export const ALL_CAPABILITIES: Capabilities = Object.freeze({
  nodes: true,
  startStopNodes: true,
  databases: true,
  createReplica: true,
  promoteReplica: true,
  repointReplica: true,
  stopDatabase: true,
  rebootDatabase: true,
  destroyDatabase: true,
  zoneStatus: true,
  replicationStatus: true,
});
