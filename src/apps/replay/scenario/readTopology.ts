import type { IssueList } from './IssueList.js';
import type { DatabaseSpec, GroupSpec, ProviderSpec, ReplicaSpec, Topology } from './Scenario.js';
import { databaseSchema, groupSchema, providerSchema, topologySchema } from './scenarioSchemas.js';
import { TopologyIndex } from './TopologyIndex.js';

/**
 * Validates the `topology` section (spec 2) and indexes its names for the
 * references made by events and expectations. Items that are invalid are
 * reported to `issues` and left out of the result; the caller throws before
 * a partial topology can be used.
 */
export function readTopology(raw: unknown, issues: IssueList): { readonly topology: Topology; readonly index: TopologyIndex } {
  const lists = issues.parse(topologySchema, raw, ['topology']);
  if (!lists) return { topology: { providers: [], groups: [], databases: [] }, index: TopologyIndex.untrusted(issues) };
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
    const home =
      index.provider([...path, 'provider'], group.provider) && index.region([...path, 'region'], group.region, group.provider)
        ? { provider: group.provider, region: group.region, reason: 'a node group spans zones of its home region only' }
        : {};
    for (const zone of Object.keys(group.nodes)) index.zone([...path, 'nodes', zone], zone, home);
    const total = Object.values(group.nodes).reduce((sum, n) => sum + n, 0);
    groups.push({
      id: group.id,
      provider: group.provider,
      region: group.region,
      ...(group.size !== undefined ? { size: group.size } : {}),
      nodes: group.nodes,
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
    databases.push({
      id: database.id,
      ...(database.engine !== undefined ? { engine: database.engine } : {}),
      primary: database.primary,
      replicas,
      writes: database.writes,
    });
  });

  return { topology: { providers, groups, databases }, index };
}
