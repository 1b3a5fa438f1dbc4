import type { Capabilities, DatabaseEndpoint, DatabaseInstance, LoadBalancer, Node, ReplicationStatus } from '../../../src/core/contract/types.js';
import { ALL_CAPABILITIES } from '../../../src/core/contract/allCapabilities.js';
import { memoryFromJson, type ControllerMemory } from '../../../src/core/controller/ControllerMemory.js';
import { resourceKey, zoneKey, type GroupConfig, type Snapshot } from '../../../src/core/controller/Snapshot.js';
import type { TargetHealth, ZoneHealth, ZoneState } from '../../../src/core/health/types.js';

/** Test data for `decide`: plain objects, no fakes. Times in ms. */
export const ALL: Capabilities = { ...ALL_CAPABILITIES, endpoints: true, loadBalancers: true };

export const up: TargetHealth = { status: 'up', failedRounds: 0, failingSince: undefined, upSince: 0, writable: false };
export const upWritable: TargetHealth = { ...up, writable: true };
export const down = (since: number): TargetHealth => ({ status: 'down', failedRounds: 5, failingSince: since, upSince: undefined, writable: false });

export function zone(id: string, region: string, state: ZoneState = 'healthy', probesUp = 1): ZoneHealth {
  return {
    provider: 'aws',
    region,
    zone: id,
    state,
    since: 0,
    evidence: {
      probes: { total: probesUp, down: 0, up: probesUp, failing: 0 },
      providerStatus: 'available',
      listing: { total: 0, stopped: 0 },
      replication: 'none',
      badVantagePoints: [],
    },
    reason: state,
  };
}

export function db(
  id: string,
  zoneId: string,
  region: string,
  role: 'primary' | 'replica',
  replication?: Partial<ReplicationStatus>,
  provider = 'aws',
): DatabaseInstance {
  return {
    id,
    cluster: 'orders',
    provider,
    region,
    zone: zoneId,
    engine: 'postgres',
    role,
    state: 'available',
    replication: replication
      ? { upstream: 'orders', mode: 'async', state: 'streaming', lagSeconds: 1, lastContactSeconds: 0, ...replication }
      : undefined,
    extra: {},
  };
}

export function node(id: string, zoneId: string, region: string, group = 'web'): Node {
  return { id, name: id, provider: 'aws', region, zone: zoneId, state: 'running', group, extra: {} };
}

export interface SnapshotInput {
  now?: number;
  zones: readonly ZoneHealth[];
  databases?: readonly { instance: DatabaseInstance; health: TargetHealth }[];
  nodes?: readonly { node: Node; health: TargetHealth }[];
  groups?: readonly GroupConfig[];
  replicationFrom?: Iterable<[string, 'alive' | 'cut' | 'none']>;
  /**
   * Memory in its JSON form, records as plain objects keyed by id (or Maps):
   * `issued` holds the time before which a step is not issued again.
   */
  memory?: Record<string, unknown> | ControllerMemory;
  inFlight?: string[];
  endpoints?: readonly DatabaseEndpoint[];
  loadBalancers?: readonly LoadBalancer[];
  /** Overrides of the `aws` provider's capabilities (all declared by default). */
  capabilities?: Partial<Capabilities>;
  /** When each provider was last listed in full (ms); unset: every listing is as of `now`. */
  listedAt?: Record<string, number> | ReadonlyMap<string, number>;
}

export function snapshot(input: SnapshotInput): Snapshot {
  const regions = new Map<string, string[]>();
  for (const z of input.zones) regions.set(z.region, [...(regions.get(z.region) ?? []), z.zone]);
  const plain: Record<string, unknown> = { ...input.memory, version: 2 };
  if (!plain['clusters'] && input.databases?.some((d) => d.instance.role === 'primary')) {
    const primary = input.databases.find((d) => d.instance.role === 'primary')!.instance;
    plain['clusters'] = { orders: { cluster: 'orders', primary: primary.id, provider: primary.provider, failovers: 0 } };
  }
  const memory = memoryFromJson(plain);
  return {
    now: input.now ?? 100_000,
    providers: new Map([
      [
        'aws',
        {
          capabilities: { ...ALL, ...input.capabilities },
          regions: [...regions].map(([id, zones]) => ({
            id,
            provider: 'aws',
            extra: {},
            zones: zones.map((z) => ({ id: z, region: id, provider: 'aws', status: 'available' as const, extra: {} })),
          })),
        },
      ],
      ['gcp', { capabilities: ALL, regions: [] }],
    ]),
    zones: new Map(input.zones.map((z) => [zoneKey(z.provider, z.zone), z])),
    nodes: input.nodes ?? [],
    databases: input.databases ?? [],
    endpoints: input.endpoints ?? [],
    loadBalancers: input.loadBalancers ?? [],
    replicationFrom: new Map(input.replicationFrom ?? []),
    groups: input.groups ?? [],
    memory,
    inFlight: new Set(input.inFlight ?? []),
    ...(input.listedAt ? { listedAt: input.listedAt instanceof Map ? input.listedAt : new Map(Object.entries(input.listedAt)) } : {}),
  };
}

export const key = resourceKey;
