import type { LoadBalancer } from '../../src/core/contract/types.js';
import { fakeHex } from './fakeAddress.js';
import type { ServiceRecords } from './ServiceRecords.js';
import type { GcpCallContext } from './GcpCallContext.js';
import { COMPUTE_BASE, numericId } from './gcpWire.js';
import { WireError } from './WireError.js';

/** How long the world keeps a drained zone drained: Google's drains never end by themselves; the world's longest shift is 72 h. */
const DRAIN_SECONDS = 72 * 3600;

/**
 * Compute Engine v1 backend services (global and regional) and their
 * operations, backed by the world's load balancers: each world load
 * balancer is a backend service of the same name, with one backend per zone
 * (the instance group `<group>` of that zone). A zone the world has shifted
 * away shows `capacityScaler` 0; patching a backend's scaler to 0 shifts
 * the world's zone away (for 72 h: Google has no expiry), above 0 back.
 */
export async function backendServiceAction(action: string, ctx: GcpCallContext): Promise<unknown> {
  const regional = action.startsWith('regionBackendServices.');
  const [project, second, third] = ctx.path as [string, string, string | undefined];
  const region = regional ? second : undefined;
  const name = regional ? third! : second;
  // A patch finds the service in Compute's own records (no API read, so a fault on the world's reads does not reach it).
  const lb = await loadBalancer(ctx, project, name, region, action.endsWith('.get') ? ctx.provider : ctx.records);
  if (action.endsWith('.get')) return render(ctx, lb, project, region);
  const current = render(ctx, lb, project, region);
  const fingerprint = ctx.body['fingerprint'];
  if (fingerprint !== undefined && fingerprint !== current['fingerprint']) {
    throw new WireError(412, 'conditionNotMet', 'Supplied fingerprint does not match current fingerprint.');
  }
  // The client library's serializer sends empty maps (`metadatas: {}`) for fields nobody set.
  const unsupported = Object.entries(ctx.body)
    .filter(([key, value]) => key !== 'backends' && key !== 'fingerprint' && !isEmpty(value))
    .map(([key]) => key);
  if (unsupported.length > 0) throw new WireError(400, 'invalid', `The emulator patches only backends, not ${unsupported.join(', ')}`);
  const backends = ctx.body['backends'];
  if (!Array.isArray(backends)) throw new WireError(400, 'required', "Required field 'resource.backends' not specified");
  const wanted = new Map<string, { scaler: number; description: string }>();
  for (const [index, raw] of backends.entries()) {
    const backend = (raw ?? {}) as Record<string, unknown>;
    const zone = /\/zones\/([^/]+)\/instanceGroups\/[^/]+$/.exec(String(backend['group'] ?? ''))?.[1];
    if (zone === undefined || !lb.zones.some((each) => each.zone === zone)) {
      throw new WireError(400, 'invalid', `Invalid value for field 'resource.backends[${index}].group': the emulator cannot add or remove backends`);
    }
    const scaler = backend['capacityScaler'] === undefined ? 1 : backend['capacityScaler'];
    if (typeof scaler !== 'number' || !(scaler === 0 || (scaler >= 0.1 && scaler <= 1))) {
      throw new WireError(400, 'invalid', `Invalid value for field 'resource.backends[${index}].capacityScaler': '${String(scaler)}'. Must be 0 or in [0.1, 1.0].`);
    }
    wanted.set(zone, { scaler, description: typeof backend['description'] === 'string' ? backend['description'] : '' });
  }
  if (wanted.size !== lb.zones.length) throw new WireError(400, 'invalid', "Invalid value for field 'resource.backends': the emulator cannot add or remove backends");
  if (![...wanted.values()].some((each) => each.scaler > 0)) {
    throw new WireError(400, 'invalid', "Invalid value for field 'resource.backends': the total capacity of a backend service must be non-zero");
  }
  // Zones coming back first, so a swap never looks to the world like taking the last zone out.
  const order = [...lb.zones].sort((a, b) => Number(wanted.get(a.zone)!.scaler === 0) - Number(wanted.get(b.zone)!.scaler === 0));
  for (const zone of order) {
    const want = wanted.get(zone.zone)!;
    const note = ctx.backends.of(lb.id, zone.zone);
    const drained = zone.shift !== undefined;
    if (want.scaler > 0 && drained) await ctx.world(ctx.provider.shiftTraffic!({ loadBalancer: lb.id, zone: zone.zone, away: false }, { signal: ctx.signal }));
    // A drained zone patched again (a new description: the adapter's renewal) renews the world's shift.
    if (want.scaler === 0 && (!drained || want.description !== note.description)) {
      await ctx.world(ctx.provider.shiftTraffic!({ loadBalancer: lb.id, zone: zone.zone, away: true, expiresInSeconds: DRAIN_SECONDS }, { signal: ctx.signal }));
    }
    note.description = want.description;
    if (want.scaler > 0) note.scaler = want.scaler;
  }
  return operation(ctx, project, region, name);
}

/** Global and regional operations (`globalOperations.get/wait`, `regionOperations.get/wait`). */
export async function computeOperationAction(action: string, ctx: GcpCallContext): Promise<unknown> {
  const regional = action.startsWith('regionOperations.');
  const [project, second, third] = ctx.path as [string, string, string | undefined];
  const scope = regional ? `compute/${project}/regions/${second}` : `compute/${project}/global`;
  const name = regional ? third! : second;
  const found = action.endsWith('.wait') ? await ctx.operations.wait(scope, name, ctx.world, ctx.signal) : ctx.operations.get(scope, name);
  if (found === undefined) throw new WireError(404, 'notFound', `The resource 'projects/${project}/${regional ? `regions/${second}` : 'global'}/operations/${name}' was not found`);
  return found;
}

async function loadBalancer(ctx: GcpCallContext, project: string, name: string, region: string | undefined, source: ServiceRecords): Promise<LoadBalancer> {
  if (source.listLoadBalancers === undefined) throw notFound(project, name, region);
  const [lb] = await ctx.world(source.listLoadBalancers({ ids: [name] }, { signal: ctx.signal }));
  if (lb === undefined || (region !== undefined && lb.region !== region)) throw notFound(project, name, region);
  return lb;
}

function notFound(project: string, name: string, region: string | undefined): WireError {
  return new WireError(404, 'notFound', `The resource 'projects/${project}/${region === undefined ? 'global' : `regions/${region}`}/backendServices/${name}' was not found`);
}

function serviceUrl(project: string, region: string | undefined, name: string): string {
  return `${COMPUTE_BASE}/projects/${project}/${region === undefined ? 'global' : `regions/${region}`}/backendServices/${name}`;
}

function render(ctx: GcpCallContext, lb: LoadBalancer, project: string, region: string | undefined): Record<string, unknown> {
  const backends = lb.zones.map((zone) => {
    const note = ctx.backends.of(lb.id, zone.zone);
    return {
      group: `${COMPUTE_BASE}/projects/${project}/zones/${zone.zone}/instanceGroups/${lb.group}`,
      balancingMode: 'UTILIZATION',
      capacityScaler: zone.shift === undefined ? note.scaler : 0,
      ...(note.description === '' ? {} : { description: note.description }),
    };
  });
  return {
    kind: 'compute#backendService',
    id: numericId(lb.id),
    name: lb.id,
    ...(region === undefined ? {} : { region: `${COMPUTE_BASE}/projects/${project}/regions/${region}` }),
    protocol: 'HTTP',
    loadBalancingScheme: 'EXTERNAL_MANAGED',
    backends,
    // Changes whenever a backend does, as Google's does: a patch with a stale one is refused.
    fingerprint: Buffer.from(fakeHex(JSON.stringify(backends), 16), 'hex').toString('base64'),
    selfLink: serviceUrl(project, region, lb.id),
  };
}

function operation(ctx: GcpCallContext, project: string, region: string | undefined, name: string): Record<string, unknown> {
  const op = ctx.operations.nextName();
  const base = `${COMPUTE_BASE}/projects/${project}/${region === undefined ? 'global' : `regions/${region}`}`;
  return ctx.operations.put(region === undefined ? `compute/${project}/global` : `compute/${project}/regions/${region}`, {
    kind: 'compute#operation',
    id: numericId(`${project}/${op}`),
    name: op,
    ...(region === undefined ? {} : { region: `${COMPUTE_BASE}/projects/${project}/regions/${region}` }),
    operationType: 'patch',
    targetLink: serviceUrl(project, region, name),
    targetId: numericId(name),
    status: 'DONE',
    progress: 100,
    selfLink: `${base}/operations/${op}`,
  });
}

function isEmpty(value: unknown): boolean {
  return value === null || (typeof value === 'object' && Object.keys(value).length === 0);
}
