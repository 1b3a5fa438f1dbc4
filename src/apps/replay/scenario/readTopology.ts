import type { IssueList } from './IssueList.js';
import type { DatabaseSpec, GroupSpec, LoadBalancerSpec, ProviderSpec, ReplicaSpec, Topology } from './Scenario.js';
import {
  databaseSchema,
  groupSchema,
  loadBalancerSchema,
  nodeCountSchema,
  nodesShapeSchema,
  providerSchema,
  topologySchema,
} from './scenarioSchemas.js';

/** Spec 2.2: clients keep an old answer for 60 s unless the endpoint says otherwise. */
const DEFAULT_ENDPOINT_TTL_SECONDS = 60;
import { TopologyIndex } from './TopologyIndex.js';

/**
 * Validates the `topology` section (spec 2) and indexes its names for the
 * references made by events and expectations. Items that are invalid are
 * reported to `issues` and left out of the result; the caller throws before
 * a partial topology can be used.
 */
export function readTopology(raw: unknown, issues: IssueList): { readonly topology: Topology; readonly index: TopologyIndex } {
  const lists = issues.parse(topologySchema, raw, ['topology']);
  if (!lists) return { topology: { providers: [], groups: [], databases: [], loadBalancers: [] }, index: TopologyIndex.untrusted(issues) };
  const index = TopologyIndex.build(lists, issues);

  const providers: ProviderSpec[] = [];
  lists.providers.forEach((item, p) => {
    const provider = issues.parse(providerSchema, item, ['topology', 'providers', p]);
    if (provider) providers.push({ id: provider.id, latency: provider.latency ?? {}, regions: provider.regions });
  });

  const groups: GroupSpec[] = [];
  (lists.groups ?? []).forEach((item, g) => {
    const path = ['topology', 'groups', g];
    const group = issues.parse(groupSchema, item, path);
    if (!group) return;
    const nodes = readNodes(group.nodes, [...path, 'nodes'], issues);
    if (!nodes) return;
    const home =
      index.provider([...path, 'provider'], group.provider) && index.region([...path, 'region'], group.region, group.provider)
        ? { provider: group.provider, region: group.region, reason: 'a node group spans zones of its home region only' }
        : {};
    for (const zone of Object.keys(nodes)) index.zone([...path, 'nodes', zone], zone, home);
    const total = Object.values(nodes).reduce((sum, n) => sum + n, 0);
    groups.push({
      id: group.id,
      provider: group.provider,
      region: group.region,
      ...(group.size !== undefined ? { size: group.size } : {}),
      nodes,
      minHealthy: group.minHealthy ?? total,
    });
  });

  const databases: DatabaseSpec[] = [];
  (lists.databases ?? []).forEach((item, d) => {
    const path = ['topology', 'databases', d];
    const database = issues.parse(databaseSchema, item, path);
    if (!database) return;
    index.location([...path, 'primary'], database.primary);
    const replicas: ReplicaSpec[] = (database.replicas ?? []).map((replica, r) => {
      index.location([...path, 'replicas', r], replica);
      return {
        id: replica.id,
        provider: replica.provider,
        region: replica.region,
        zone: replica.zone,
        // The spec: a sync replica has lag 0 while healthy; its `lag` key is ignored.
        lagSeconds: replica.mode === 'sync' ? 0 : (replica.lag ?? 0),
        mode: replica.mode,
      };
    });
    const endpoint = database.endpoint;
    if (endpoint !== undefined) index.provider([...path, 'endpoint', 'provider'], endpoint.provider);
    databases.push({
      id: database.id,
      ...(database.engine !== undefined ? { engine: database.engine } : {}),
      primary: database.primary,
      replicas,
      writes: database.writes,
      ...(endpoint !== undefined
        ? { endpoint: { provider: endpoint.provider, name: endpoint.name, ttlSeconds: endpoint.ttl ?? DEFAULT_ENDPOINT_TTL_SECONDS } }
        : {}),
    });
  });

  const loadBalancers: LoadBalancerSpec[] = [];
  (lists.loadBalancers ?? []).forEach((item, l) => {
    const path = ['topology', 'loadBalancers', l];
    const lb = issues.parse(loadBalancerSchema, item, path);
    if (!lb) return;
    const placed = index.provider([...path, 'provider'], lb.provider) && index.region([...path, 'region'], lb.region, lb.provider);
    if (index.group([...path, 'group'], lb.group) && placed) {
      // Spec 2.2: a load balancer's region is its group's home region (and so its provider the group's).
      const home = index.groupHome(lb.group);
      if (home !== undefined && (home.provider !== lb.provider || home.region !== lb.region)) {
        issues.add([...path, 'region'], `load balancer ${lb.id} is in ${lb.provider} ${lb.region}, but group ${lb.group} lives in ${home.provider} ${home.region}: a load balancer's region is its group's home region`);
      }
    }
    loadBalancers.push({ id: lb.id, provider: lb.provider, region: lb.region, group: lb.group });
  });

  return { topology: { providers, groups, databases, loadBalancers }, index };
}

/**
 * A group's `nodes`, entry by entry, into an object with own properties so
 * that a zone named `__proto__` (or `constructor`) is a zone like any other.
 */
function readNodes(raw: unknown, path: readonly (string | number)[], issues: IssueList): Record<string, number> | undefined {
  if (raw === undefined) {
    issues.add(path, 'missing required key');
    return undefined;
  }
  if (!issues.parse(nodesShapeSchema, raw, path)) return undefined;
  const entries: [string, number][] = [];
  let valid = true;
  for (const [zone, value] of Object.entries(raw as Record<string, unknown>)) {
    const count = issues.parse(nodeCountSchema, value, [...path, zone]);
    if (count === undefined) valid = false;
    else entries.push([zone, count]);
  }
  return valid ? Object.fromEntries(entries) : undefined;
}
