import type { DatabaseFilter, DatabaseInstance, Node, NodeFilter } from './types.js';

/** Whether a node matches a {@link NodeFilter} (all fields ANDed; absent fields match anything). */
export function matchesNodeFilter(node: Node, filter: NodeFilter): boolean {
  return (
    (filter.region === undefined || node.region === filter.region) &&
    (filter.zone === undefined || node.zone === filter.zone) &&
    (filter.group === undefined || node.group === filter.group) &&
    (filter.states === undefined || filter.states.includes(node.state)) &&
    (filter.ids === undefined || filter.ids.includes(node.id))
  );
}

/** Whether a database instance matches a {@link DatabaseFilter} (all fields ANDed). */
export function matchesDatabaseFilter(db: DatabaseInstance, filter: DatabaseFilter): boolean {
  return (
    (filter.region === undefined || db.region === filter.region) &&
    (filter.zone === undefined || db.zone === filter.zone) &&
    (filter.cluster === undefined || db.cluster === filter.cluster) &&
    (filter.ids === undefined || filter.ids.includes(db.id))
  );
}
