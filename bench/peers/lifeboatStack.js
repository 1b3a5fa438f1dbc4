// Lifeboat as the existing failover bench runs it (`bench/failover.js`, `runFailoverDrill`):
// the `local` adapter with the demo's topology (three zones, two nodes each, a PostgreSQL
// primary, a sync and an async standby), the controller on `DEFAULT_POLICY`, and the
// database's writer endpoint (HAProxy driven by the controller). The client knows the
// endpoint's address only. The fault is the adapter's `unreachable` zone fault: every
// process of the zone (node services, PostgreSQL and its backends) frozen with SIGSTOP.
import { getFactory } from '../../dist/adapters/registry.js';
import { SystemClock } from '../../dist/src/core/clock/SystemClock.js';
import { Controller } from '../../dist/src/core/controller/Controller.js';
import { DEFAULT_POLICY } from '../../dist/src/core/controller/Policy.js';
import { DEMO_CLUSTER, DEMO_ENDPOINT, DEMO_PROVIDER, DEMO_REGION, DEMO_ZONES, DEFAULT_PLACEMENT, demoGroups, demoTopology, instanceId } from '../../dist/src/apps/demo/demoTopology.js';
import { waitFor } from './system.js';

/** Starts the topology and the controller; resolves once the controller has settled. */
export async function startLifeboatStack({ policy = DEFAULT_POLICY, placement = DEFAULT_PLACEMENT } = {}) {
  const clock = new SystemClock();
  const lifetime = new AbortController();
  const adapter = await getFactory('local').create(
    { type: 'local', zones: DEMO_ZONES, topology: demoTopology(placement, 2), createPostgresUser: true },
    { clock, signal: lifetime.signal, env: process.env },
  );
  const local = adapter.provider;
  const controller = new Controller({
    providers: [local],
    prober: adapter.prober,
    clock,
    policy,
    groups: demoGroups(2),
    watch: [{ provider: DEMO_PROVIDER, region: DEMO_REGION }],
    random: Math.random,
  });
  const events = [];
  controller.on('event', (event) => events.push(event));
  const running = controller.run(lifetime.signal);
  const ids = [placement.primary, placement.sync, placement.async].map(instanceId);
  const close = async () => {
    lifetime.abort();
    await running.catch(() => undefined);
    await adapter.close();
  };
  try {
    await waitFor('the controller to settle', 60_000, () => {
      const snapshot = controller.snapshot;
      return (
        snapshot !== undefined &&
        controller.memory.clusters.get(DEMO_CLUSTER)?.primary === instanceId(placement.primary) &&
        snapshot.databases.length === ids.length &&
        [...snapshot.databases, ...snapshot.nodes].every((view) => view.health.status === 'up')
      );
    }, 100);
  } catch (error) {
    await close();
    throw error;
  }
  const { host, port, user, password, database } = local.ex_endpointConnection(DEMO_ENDPOINT);
  return {
    uri: `postgres://${user}:${encodeURIComponent(password)}@${host}:${port}/${database}`,
    events,
    controller,
    local,
    /** Knocks out the zone of the instance serving `port` (`unreachable`); the returned function clears it. */
    freezeZoneOf(servedPort) {
      const zone = DEMO_ZONES.find((z) => local.ex_connection(instanceId(z)).port === servedPort);
      if (!zone) throw new Error(`no instance serves port ${servedPort}`);
      local.ex_injectZoneFault(zone, 'unreachable');
      return () => local.ex_clearZoneFault(zone);
    },
    close,
  };
}
