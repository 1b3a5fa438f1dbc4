import { afterAll } from 'vitest';
import { LocalProvider, type EndpointRouterKind } from '../../adapters/local/index.js';
import type { Clock } from '../../src/core/clock/Clock.js';
import { SystemClock } from '../../src/core/clock/SystemClock.js';
import { runConformance } from './conformance.js';

/**
 * The adapter's own time for `now()` (the system clock, so the timestamps
 * it reports, such as a shift's expiry, compare with it), with waits
 * running `SPEED` times fast. The suite polls every 5 s and allows 20
 * minutes for a change, sized for clouds, all through `sleep` and timers;
 * local changes take milliseconds to seconds, so at 25x its steps take
 * 200 ms of real time and its budgets still leave 48 s.
 */
class FastClock implements Clock {
  private readonly system = new SystemClock();

  constructor(private readonly speed: number) {}

  now(): number {
    return this.system.now();
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return this.system.sleep(ms / this.speed, signal);
  }

  setTimer(ms: number, fn: () => void): () => void {
    return this.system.setTimer(ms / this.speed, fn);
  }
}

const SPEED = 25;
const ZONES = ['local-a', 'local-b', 'local-c'] as const;
const LOAD_BALANCER = 'web-lb';

/**
 * Runs the shared suite against the local adapter with its writer
 * endpoints routed by `router` (a real HAProxy, or the built-in forwarder).
 * Each fixture's cluster has an endpoint, pointed back at the primary before
 * the cluster is handed on.
 */
export function runLocalConformance(router: EndpointRouterKind): void {
// One adapter for the whole suite. Starting PostgreSQL servers is the expensive part (on a
// slow disk, a data dir's thousand files take a second to create), so a fixture's cluster
// is handed to the next fixture when the test left it exactly as it found it: the primary
// available as a primary, the replica available and streaming from it, nothing else in the
// cluster. Any other state (promoted, stopped, an extra replica) is destroyed and the next
// fixture gets a new cluster.
let shared: Promise<LocalProvider> | undefined;
let pristine: Cluster | undefined;

afterAll(async () => {
  await (await shared)?.close();
});

runConformance(`local (endpoints and load balancers through ${router})`, async () => {
  shared ??= LocalProvider.start({
    zones: ZONES,
    router,
    // One node per zone behind the load balancer; tests shift its zones, and close() puts them back.
    topology: { groups: [{ id: 'web', nodes: { 'local-a': 1, 'local-b': 1, 'local-c': 1 } }], loadBalancers: [{ id: LOAD_BALANCER, group: 'web' }] },
  });
  const provider = await shared;
  const clock = new FastClock(SPEED);
  const database = pristine ?? (await newCluster(provider, clock));
  pristine = undefined;
  return {
    provider,
    clock,
    region: 'local',
    zones: ZONES,
    database,
    endpoint: { name: database.endpoint },
    loadBalancer: { id: LOAD_BALANCER, zones: ZONES },
    advance: (ms) => clock.sleep(ms),
    close: async () => {
      if (await keepIfPristine(provider, database)) pristine = database;
      const options = { signal: AbortSignal.timeout(30_000) };
      for (const zone of ZONES) await provider.shiftTraffic({ loadBalancer: LOAD_BALANCER, zone, away: false }, options);
    },
  };
});
}

/** A fixture's cluster: two instances and the writer endpoint in front of them. */
interface Cluster {
  readonly cluster: string;
  readonly primary: string;
  readonly replica: string;
  readonly endpoint: string;
}

let sequence = 0;

async function newCluster(provider: LocalProvider, clock: Clock): Promise<Cluster> {
  const cluster = `conformance-${++sequence}`;
  const options = { signal: AbortSignal.timeout(60_000) };
  const primary = await provider.ex_createCluster({ cluster, zone: 'local-a' }, options);
  const replica = `${cluster}-b`;
  await provider.createReplica({ source: primary.id, id: replica, region: 'local', zone: 'local-b', mode: 'async' }, options);
  for (;;) {
    const [listed] = await provider.listDatabases({ ids: [replica] }, options);
    if (listed?.state === 'failed') throw new Error(`replica ${replica} failed: ${String(listed.extra['error'])}`);
    if (listed?.replication?.state === 'streaming') {
      const endpoint = await provider.ex_createEndpoint({ name: `${cluster}.db.local`, database: cluster }, options);
      return { cluster, primary: primary.id, replica, endpoint: endpoint.name };
    }
    await clock.sleep(100 * SPEED, options.signal);
  }
}

/** Destroys every instance of the cluster but the two named; true when those two are as new. */
async function keepIfPristine(provider: LocalProvider, database: Cluster): Promise<boolean> {
  const options = { signal: AbortSignal.timeout(30_000) };
  const instances = await provider.listDatabases({ cluster: database.cluster }, options);
  const extra = instances.filter((db) => db.id !== database.primary && db.id !== database.replica);
  await Promise.all(extra.map((db) => provider.ex_destroyDatabase(db.id, options)));
  const primary = instances.find((db) => db.id === database.primary);
  const replica = instances.find((db) => db.id === database.replica);
  const asNew =
    primary?.role === 'primary' &&
    primary.state === 'available' &&
    replica?.role === 'replica' &&
    replica.state === 'available' &&
    replica.replication?.upstream === database.primary &&
    replica.replication.state === 'streaming';
  if (!asNew) {
    await Promise.all(instances.filter((db) => !extra.includes(db)).map((db) => provider.ex_destroyDatabase(db.id, options)));
  } else {
    await provider.updateEndpoint(database.endpoint, database.primary, options);
  }
  return asNew;
}
