import type { Clock } from '../../src/core/clock/Clock.js';
import type { LocalProvider } from './LocalProvider.js';
import type { LocalTopology } from './LocalProviderOptions.js';

/**
 * Creates a topology's nodes, clusters and replicas through the provider's
 * own calls, then waits until every node runs and every replica streams, and
 * creates the databases' endpoints and the groups' load balancers.
 *
 * @throws when a node or database ends up failed, or `signal` fires.
 */
export async function bringUpTopology(provider: LocalProvider, topology: LocalTopology, region: string, clock: Clock, signal: AbortSignal): Promise<void> {
  const options = { signal };
  const nodeIds: string[] = [];
  for (const group of topology.groups ?? []) {
    for (const [zone, count] of Object.entries(group.nodes)) {
      for (let index = 1; index <= count; index++) {
        const node = await provider.createNode(
          { name: `${group.id}-${zone}-${index}`, region, zone, group: group.id, ...(group.size ? { size: group.size } : {}) },
          options,
        );
        nodeIds.push(node.id);
      }
    }
  }
  await Promise.all(
    (topology.databases ?? []).map(async (database) => {
      const primary = await provider.ex_createCluster(
        { cluster: database.id, zone: database.primary.zone, ...(database.primary.id ? { id: database.primary.id } : {}) },
        options,
      );
      await Promise.all(
        (database.replicas ?? []).map((replica) =>
          provider.createReplica(
            { source: primary.id, id: replica.id, region, zone: replica.zone, mode: replica.mode ?? 'async' },
            options,
          ),
        ),
      );
    }),
  );
  const replicaIds = (topology.databases ?? []).flatMap((database) => (database.replicas ?? []).map((replica) => replica.id));
  for (;;) {
    const nodes = await provider.listNodes({ ids: nodeIds }, options);
    const broken = nodes.find((node) => node.state === 'error');
    if (broken) throw new Error(`node ${broken.id} failed to start: ${String(broken.extra['error'])}`);
    const databases = replicaIds.length > 0 ? await provider.listDatabases({ ids: replicaIds }, options) : [];
    const failed = databases.find((database) => database.state === 'failed');
    if (failed) throw new Error(`database ${failed.id} failed: ${String(failed.extra['error'])}`);
    const nodesReady = nodes.every((node) => node.state === 'running');
    const databasesReady = databases.every(
      (database) => database.state === 'available' && database.replication?.state === 'streaming',
    );
    if (nodesReady && databasesReady) break;
    await clock.sleep(100, signal);
  }
  for (const database of topology.databases ?? []) {
    if (database.endpoint !== undefined) await provider.ex_createEndpoint({ name: database.endpoint, database: database.id }, options);
  }
  for (const lb of topology.loadBalancers ?? []) {
    await provider.ex_createLoadBalancer({ id: lb.id, group: lb.group, ...(lb.zones ? { zones: lb.zones } : {}) }, options);
  }
}
