import {
  EMULATOR_HOSTED_ZONE_ID,
  loadBalancerArn,
  reachOfCutOffZones,
  startAwsEmulator,
  startGcpEmulator,
  WireQuiescence,
  type EmulatorHandle,
} from '../../../adapters/emulators/index.js';
import { getFactory, type AdapterInstance } from '../../../adapters/registry.js';
import type { CallRecord, SimWorld } from '../../../adapters/sim/index.js';
import type { VirtualClock } from '../../core/clock/VirtualClock.js';
import type { Prober, ProbeResult, ProbeTarget } from '../../core/contract/Prober.js';
import type { Provider } from '../../core/contract/Provider.js';
import type { Topology } from './scenario/Scenario.js';
import type { AwsConfig } from '../../../adapters/aws/index.js';

/** Account id the AWS emulator puts in ARNs (its default). */
const AWS_ACCOUNT = '000000000000';

/** Project id the GCP adapter and emulator use in wire replays. */
const GCP_PROJECT = 'lifeboat-replay';

/**
 * The environment the wire adapters read their credentials from: what the
 * emulators accept, handed to the factories as config would name real ones
 * (never `process.env`, so a developer's own credentials are never sent).
 */
const WIRE_ENV: Readonly<Record<string, string>> = {
  LIFEBOAT_WIRE_AWS_ACCESS_KEY_ID: 'AKIAREPLAYWIRE000000',
  LIFEBOAT_WIRE_AWS_SECRET_ACCESS_KEY: 'replay-wire-not-a-secret',
  LIFEBOAT_WIRE_GCP_TOKEN: 'replay-wire-token',
};

/**
 * The providers, prober and time driver of a replay in wire mode (see
 * {@link startWireProviders}). Hand {@link providers} and {@link prober} to
 * the controller, move time with {@link runUntil}, and always {@link close}.
 */
export interface WireProviders {
  /** One provider per topology provider, in topology order: real adapters for `aws`/`gcp`, the world's sim adapter for the rest. */
  readonly providers: readonly Provider[];
  /** The world's prober, with adapter ids (`zone/name` for GCE nodes) translated to the world's. */
  readonly prober: Prober;
  /** Ids of the providers that go over the wire. */
  readonly wired: readonly string[];
  /**
   * Calls an emulator refused on a rule of the real service that the world
   * does not model (RDS will not stop an instance that has read replicas):
   * the world never saw them, so they are recorded here, as failed calls,
   * in the order they happened.
   */
  readonly refusals: readonly RefusedCall[];
  /** Advances the virtual clock to `targetMs`, letting HTTP requests in flight settle between timers. */
  runUntil(clock: VirtualClock, targetMs: number): Promise<void>;
  /** Closes every adapter and emulator. Idempotent; never rejects. */
  close(): Promise<void>;
}

/** A call refused by an emulator itself, shaped like the world's call records. */
export type RefusedCall = Pick<CallRecord, 't' | 'provider' | 'operation' | 'target' | 'region' | 'zone' | 'mutating' | 'result'>;

/**
 * Serves the world's `aws` and `gcp` providers over HTTP on loopback: an
 * emulator per provider (`startAwsEmulator` / `startGcpEmulator`, backed by
 * the world's `SimProvider` for that id) and the real adapter, created by
 * its factory in the registry with the emulator as its endpoint, each adapter
 * tracked by one {@link WireQuiescence} so virtual time only moves while no
 * request is travelling. Providers with other ids stay in-process. Probes are
 * not API calls: the world's `SimProber` answers them, with ids mapped back
 * to the world's. The AWS emulator enforces RDS's stop rules, and the calls
 * it refuses on them are collected in {@link WireProviders.refusals}.
 *
 * If anything fails while starting, whatever was started is closed before
 * the error propagates.
 */
export async function startWireProviders(world: SimWorld, topology: Topology, clock: VirtualClock): Promise<WireProviders> {
  const emulators: EmulatorHandle[] = [];
  const adapters: AdapterInstance[] = [];
  // Nothing cuts a wire replay's start-up short: each emulator is on loopback and answers at once.
  const context = { signal: new AbortController().signal, env: WIRE_ENV };
  let closed: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closed ??= (async () => {
      await Promise.allSettled(adapters.map((adapter) => adapter.close()));
      await Promise.allSettled(emulators.map((emulator) => emulator.close()));
    })());

  try {
    const wire = new WireQuiescence(emulators);
    const providers: Provider[] = [];
    const wired: string[] = [];
    const refusals: RefusedCall[] = [];
    let gceNodeName: ((id: string) => string | undefined) | undefined;
    for (const spec of topology.providers) {
      const simulated = world.provider(spec.id);
      const regions = spec.regions.map((region) => region.id);
      if (spec.id === 'aws') {
        const emulator = await startAwsEmulator({
          provider: simulated,
          // RDS, Route 53 and ARC look their own records up without an API read (no read fault reaches a mutation).
          records: world.records(spec.id),
          // CloudWatch publishes lag on the world's (virtual) time.
          clock,
          // EC2 knows its own zones' health: no world call (nor its faults) for that.
          disruptedZones: (region) => world.disruptedZones(spec.id, region),
          // RDS's own rules (no stopping an instance that has read replicas), so the fence meets what it would meet on AWS.
          rdsRules: true,
          onRefusal: (refusal) =>
            refusals.push({
              t: clock.now() / 1000,
              provider: spec.id,
              operation: refusal.operation,
              target: refusal.target,
              region: refusal.region,
              ...(refusal.zone === undefined ? {} : { zone: refusal.zone }),
              mutating: true,
              result: 'error',
            }),
        });
        emulators.push(emulator);
        // The factory loads the SDK (seconds) only when the topology has this cloud.
        const adapter = await getFactory('aws').create(
          {
            type: 'aws',
            id: spec.id,
            regions,
            endpoint: emulator.endpoint,
            credentials: { accessKeyIdEnv: 'LIFEBOAT_WIRE_AWS_ACCESS_KEY_ID', secretAccessKeyEnv: 'LIFEBOAT_WIRE_AWS_SECRET_ACCESS_KEY' },
            images: Object.fromEntries(regions.map((region) => [region, 'ami-0123456789abcdef0'])),
            ...awsTraffic(topology, spec.id),
          },
          // The CloudWatch query window follows virtual time, as the emulator's datapoints do.
          { ...context, clock },
        );
        adapters.push(adapter);
        providers.push(...adapter.providers.map((provider) => wire.track(provider)));
        wired.push(spec.id);
      } else if (spec.id === 'gcp') {
        // As strict as the service: operations take their (virtual) time, metrics are sampled, and what the world has
        // cut off cannot be listed (partial listings).
        const emulator = await startGcpEmulator({
          provider: simulated,
          // Cloud SQL, Compute and Cloud DNS look their own records up without an API read.
          records: world.records(spec.id),
          clock,
          reach: () => reachOfCutOffZones(world.zonesCutOff(spec.id), spec.regions),
        });
        emulators.push(emulator);
        const adapter = await getFactory('gcp').create(
          {
            type: 'gcp',
            id: spec.id,
            project: GCP_PROJECT,
            regions,
            endpoint: `http://${emulator.host}:${emulator.port}`,
            accessTokenEnv: 'LIFEBOAT_WIRE_GCP_TOKEN',
            sourceImage: 'projects/debian-cloud/global/images/family/debian-12',
            // The simulated world has no e2 catalog: a create that names no size gets the world's generic one.
            defaultSize: 'sim.medium',
            ...gcpTraffic(topology, spec.id),
          },
          // Virtual time: shift expiries are compared with the controller's clock, and operations are polled on it
          // (its sleeps count as parked, so time moves while the adapter waits).
          { ...context, clock: wire.adapterClock(clock) },
        );
        adapters.push(adapter);
        providers.push(...adapter.providers.map((provider) => wire.track(provider)));
        // The client library is loaded by now: the factory created the adapter.
        const { parseNodeId } = await import('../../../adapters/gcp/index.js');
        gceNodeName = (id) => parseNodeId(id)?.name;
        wired.push(spec.id);
      } else {
        providers.push(simulated);
      }
    }
    const prober = gceNodeName === undefined ? world.prober() : new WorldIdProber(world.prober(), new Set(wired.filter((id) => id === 'gcp')), gceNodeName);
    return {
      providers,
      prober,
      wired,
      refusals,
      runUntil: (c, targetMs) => (emulators.length === 0 ? c.runUntil(targetMs) : wire.runUntil(c, targetMs)),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * The `endpoints` and `loadBalancers` config of the aws adapter for the
 * topology's endpoints and load balancers on provider `id`, as the emulator
 * serves them (its hosted zone, its load balancer ARNs); absent when there
 * are none, so the adapter declares only what the world has.
 */
function awsTraffic(topology: Topology, id: string): { endpoints?: AwsEndpointConfig[]; loadBalancers?: AwsLoadBalancerConfig[] } {
  const endpoints = topology.databases.flatMap((db) =>
    db.endpoint?.provider === id ? [{ database: db.id, hostedZoneId: EMULATOR_HOSTED_ZONE_ID, name: db.endpoint.name, ttl: db.endpoint.ttlSeconds }] : [],
  );
  const loadBalancers = (topology.loadBalancers ?? [])
    .filter((lb) => lb.provider === id)
    .map((lb) => ({ id: lb.id, arn: loadBalancerArn(lb.region, AWS_ACCOUNT, lb.id), region: lb.region, group: lb.group }));
  return { ...(endpoints.length > 0 ? { endpoints } : {}), ...(loadBalancers.length > 0 ? { loadBalancers } : {}) };
}

type AwsEndpointConfig = NonNullable<AwsConfig['endpoints']>[number];
type AwsLoadBalancerConfig = NonNullable<AwsConfig['loadBalancers']>[number];

/**
 * The gcp adapter's traffic config for a wire replay: a Cloud DNS record
 * (in one managed zone) for each endpoint the provider serves for one of
 * its own databases (it finds the target among its Cloud SQL instances),
 * and a regional backend service named after each of its load balancers.
 */
function gcpTraffic(topology: Topology, provider: string) {
  const endpoints = topology.databases.flatMap((db) =>
    db.endpoint?.provider === provider && db.primary.provider === provider ? [{ database: db.id, managedZone: 'lifeboat-replay', name: db.endpoint.name }] : [],
  );
  const loadBalancers = (topology.loadBalancers ?? [])
    .filter((lb) => lb.provider === provider)
    .map((lb) => ({ id: lb.id, backendService: lb.id, region: lb.region, group: lb.group }));
  return { ...(endpoints.length > 0 ? { endpoints } : {}), ...(loadBalancers.length > 0 ? { loadBalancers } : {}) };
}

/**
 * The world's prober for targets named by a real adapter: GCE node ids are
 * `<zone>/<instance name>`, and the instance name is the world's node id.
 */
class WorldIdProber implements Prober {
  constructor(
    private readonly inner: Prober,
    private readonly zonalNodeIds: ReadonlySet<string>,
    /** The instance name in a GCE node id (`parseNodeId` of the gcp adapter). */
    private readonly nodeName: (id: string) => string | undefined,
  ) {}

  probe(targets: readonly ProbeTarget[], signal: AbortSignal): Promise<ProbeResult[]> {
    if (this.zonalNodeIds.size === 0) return this.inner.probe(targets, signal);
    return this.inner.probe(
      targets.map((target) => {
        if (target.kind !== 'node' || !this.zonalNodeIds.has(target.provider)) return target;
        const name = this.nodeName(target.id);
        return name === undefined ? target : { ...target, id: name };
      }),
      signal,
    );
  }
}
