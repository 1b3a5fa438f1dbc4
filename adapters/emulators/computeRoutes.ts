import type { Node, NodeFilter } from '../../src/core/contract/types.js';
import type { GcpCallContext } from './GcpCallContext.js';
import { gcpListFilter } from './gcpListFilter.js';
import { COMPUTE_BASE, gceInstance, gceVisible, gceZone, GROUP_LABEL, numericId, regionOfZone } from './gcpWire.js';
import { page, tokenOffset } from './pageToken.js';
import { WireError } from './WireError.js';

/** Compute's largest page. */
const MAX_PAGE = 500;

/** Compute Engine v1 methods the emulator serves, by name (`instances.aggregatedList`). */
export async function computeAction(action: string, ctx: GcpCallContext): Promise<unknown> {
  const signal = { signal: ctx.signal };
  const [project, zone, instance] = ctx.path as [string, string, string];
  switch (action) {
    case 'instances.aggregatedList':
      return aggregatedList(ctx, project);
    case 'instances.list':
      return zonalList(ctx, project, zone);
    case 'instances.get':
      // A zone the control plane cannot reach answers no request about its instances, as its listing does not.
      refuseUnreachableZone(ctx, project, zone);
      return gceInstance(await visibleNode(ctx, zone, instance), project);
    case 'instances.insert':
      return insert(ctx, project, zone);
    case 'instances.reset':
      await ctx.world(ctx.provider.rebootNode(instance, signal));
      return operation(ctx, project, zone, 'reset', instance);
    case 'instances.start':
      await ctx.world(ctx.provider.startNode(instance, signal));
      return operation(ctx, project, zone, 'start', instance);
    case 'instances.stop':
      await ctx.world(ctx.provider.stopNode(instance, signal));
      return operation(ctx, project, zone, 'stop', instance);
    case 'instances.delete':
      await ctx.world(ctx.provider.destroyNode(instance, signal));
      return operation(ctx, project, zone, 'delete', instance);
    case 'zoneOperations.get':
    case 'zoneOperations.wait': {
      const name = ctx.path[2]!;
      const scope = `compute/${project}/${zone}`;
      const found = action === 'zoneOperations.wait' ? await ctx.operations.wait(scope, name, ctx.world, ctx.signal) : ctx.operations.get(scope, name);
      if (found === undefined) throw notFound(`projects/${project}/zones/${zone}/operations/${name}`);
      return found;
    }
    case 'zones.list':
      return zonesList(ctx, project);
    default:
      throw new WireError(404, 'notFound', `The emulator does not implement ${action}`);
  }
}

function notFound(resource: string): WireError {
  return new WireError(404, 'notFound', `The resource '${resource}' was not found`);
}

function pageSize(ctx: GcpCallContext): number {
  const raw = ctx.query.get('maxResults');
  if (raw === null) return MAX_PAGE;
  const size = Number(raw);
  if (!Number.isInteger(size) || size < 0 || size > MAX_PAGE) {
    throw new WireError(400, 'invalid', `Invalid value for field 'maxResults': '${raw}'. Must be in the range [0, 500].`);
  }
  return size === 0 ? MAX_PAGE : size;
}

/** Page size and offset, checked before the world is asked. */
function paging(ctx: GcpCallContext, tag: string): { size: number; offset: number; tag: string } {
  const size = pageSize(ctx);
  const offset = tokenOffset(ctx.query.get('pageToken'), tag);
  if (offset === undefined) throw new WireError(400, 'invalid', "Invalid value for field 'pageToken'");
  return { size, offset, tag };
}

function slice<T>(all: readonly T[], at: { size: number; offset: number; tag: string }) {
  return page(all, at.size, at.offset, at.tag);
}

/** The world query and the residual predicate for a list `filter`. */
function listQuery(ctx: GcpCallContext, zone?: string): { query: NodeFilter; keep: (node: Node) => boolean } {
  const terms = gcpListFilter(ctx.query.get('filter'));
  for (const field of terms.keys()) {
    if (field !== `labels.${GROUP_LABEL}` && field !== 'name' && field !== 'status') {
      throw new WireError(400, 'invalid', `Invalid value for field 'filter': the emulator cannot filter on ${field}`);
    }
  }
  const group = terms.get(`labels.${GROUP_LABEL}`);
  const name = terms.get('name');
  const status = terms.get('status');
  const query: NodeFilter = {
    ...(zone === undefined ? {} : { zone }),
    ...(group === undefined ? {} : { group }),
    ...(name === undefined ? {} : { ids: [name] }),
  };
  const keep = (node: Node): boolean => {
    if (!gceVisible(node)) return false;
    return status === undefined || gceInstance(node, '')['status'] === status;
  };
  return { query, keep };
}

/**
 * `instances.aggregatedList`. Zones the control plane cannot reach are left
 * out: with `returnPartialSuccess` they are named in `unreachables` (and
 * carry an `UNREACHABLE` warning in `items`); without it the whole request
 * fails, as Compute's reference says of partial success
 * (https://cloud.google.com/compute/docs/reference/rest/v1/instances/aggregatedList:
 * the flag lets the call answer with what it could read instead of failing).
 */
async function aggregatedList(ctx: GcpCallContext, project: string): Promise<unknown> {
  const { query, keep } = listQuery(ctx);
  const at = paging(ctx, 'aggregatedList');
  const unreachable = new Set(ctx.strict.reach().zones);
  if (unreachable.size > 0 && ctx.query.get('returnPartialSuccess') !== 'true') {
    throw new WireError(503, 'backendError', `Some zones could not be reached: ${[...unreachable].join(', ')}`);
  }
  const nodes = (await ctx.world(ctx.provider.listNodes(query, { signal: ctx.signal }))).filter((node) => keep(node) && !unreachable.has(node.zone));
  const { items, next } = slice(nodes, at);
  const byZone: Record<string, { instances?: unknown[]; warning?: unknown }> = {};
  for (const node of items) (byZone[`zones/${node.zone}`] ??= { instances: [] }).instances!.push(gceInstance(node, project));
  // Said on every page: a client must not read a later page's silence as "reachable".
  for (const zone of unreachable) {
    byZone[`zones/${zone}`] = {
      warning: { code: 'UNREACHABLE', message: `The zone 'projects/${project}/zones/${zone}' is unreachable.`, data: [{ key: 'scope', value: `zones/${zone}` }] },
    };
  }
  return {
    kind: 'compute#instanceAggregatedList',
    id: `projects/${project}/aggregated/instances`,
    items: byZone,
    ...(next === undefined ? {} : { nextPageToken: next }),
    unreachables: [...unreachable].sort().map((zone) => `zones/${zone}`),
    selfLink: `${COMPUTE_BASE}/projects/${project}/aggregated/instances`,
  };
}

async function zonalList(ctx: GcpCallContext, project: string, zone: string): Promise<unknown> {
  const { query, keep } = listQuery(ctx, zone);
  refuseUnreachableZone(ctx, project, zone);
  const at = paging(ctx, `list/${zone}`);
  const nodes = (await ctx.world(ctx.provider.listNodes(query, { signal: ctx.signal }))).filter(keep);
  const { items, next } = slice(nodes, at);
  return {
    kind: 'compute#instanceList',
    id: `projects/${project}/zones/${zone}/instances`,
    items: items.map((node) => gceInstance(node, project)),
    ...(next === undefined ? {} : { nextPageToken: next }),
    selfLink: `${COMPUTE_BASE}/projects/${project}/zones/${zone}/instances`,
  };
}

/**
 * A request about one zone the control plane cannot reach fails before the
 * world is asked: 503 (`UNAVAILABLE`, "most likely a transient condition
 * ... retrying with a backoff", https://cloud.google.com/apis/design/errors),
 * with Compute's `backendError` reason.
 */
function refuseUnreachableZone(ctx: GcpCallContext, project: string, zone: string): void {
  if (ctx.strict.reach().zones.includes(zone)) throw new WireError(503, 'backendError', `The zone 'projects/${project}/zones/${zone}' is unreachable.`);
}

async function visibleNode(ctx: GcpCallContext, zone: string, name: string): Promise<Node> {
  const [node] = await ctx.world(ctx.provider.listNodes({ ids: [name] }, { signal: ctx.signal }));
  if (node === undefined || node.zone !== zone || !gceVisible(node)) throw notFound(`projects/${ctx.path[0]}/zones/${zone}/instances/${name}`);
  return node;
}

async function insert(ctx: GcpCallContext, project: string, zone: string): Promise<unknown> {
  const body = ctx.body;
  const name = body['name'];
  if (typeof name !== 'string' || name === '') throw new WireError(400, 'required', "Required field 'resource.name' not specified");
  const template = ctx.query.get('sourceInstanceTemplate');
  const disks = body['disks'];
  if (template === null && (!Array.isArray(disks) || disks.length === 0)) {
    throw new WireError(400, 'required', "Required field 'resource.disks' not specified");
  }
  const machineType = typeof body['machineType'] === 'string' ? body['machineType'] : undefined;
  const size = machineType?.slice(machineType.lastIndexOf('/') + 1);
  const labels = (body['labels'] ?? {}) as Record<string, unknown>;
  const group = typeof labels[GROUP_LABEL] === 'string' ? labels[GROUP_LABEL] : undefined;
  const requestId = ctx.query.get('requestId');
  // A stockout is no error of the insert call: GCE accepts it, and the zonal operation ends with the error.
  if (ctx.strict.stockouts().includes(zone)) {
    return operation(ctx, project, zone, 'insert', name, {
      httpErrorStatusCode: 503,
      httpErrorMessage: 'SERVICE UNAVAILABLE',
      error: {
        errors: [
          {
            code: 'ZONE_RESOURCE_POOL_EXHAUSTED',
            message: `The zone 'projects/${project}/zones/${zone}' does not have enough resources available to fulfill the request. Try a different zone, or try again later.`,
          },
        ],
      },
    });
  }
  const node = await ctx.world(
    ctx.provider.createNode(
      {
        name,
        region: regionOfZone(zone),
        zone,
        ...(size === undefined ? {} : { size }),
        ...(group === undefined ? {} : { group }),
        ...(requestId === null ? {} : { clientToken: requestId }),
      },
      { signal: ctx.signal },
    ),
  );
  // The world names instances itself; the operation's targetLink says which one was made.
  return operation(ctx, project, node.zone, 'insert', node.id);
}

function operation(ctx: GcpCallContext, project: string, zone: string, type: string, instance: string, failure: Record<string, unknown> = {}): Record<string, unknown> {
  const name = ctx.operations.nextName();
  const zoneUrl = `${COMPUTE_BASE}/projects/${project}/zones/${zone}`;
  return ctx.operations.put(`compute/${project}/${zone}`, {
    kind: 'compute#operation',
    id: numericId(`${project}/${name}`),
    name,
    zone: zoneUrl,
    operationType: type,
    targetLink: `${zoneUrl}/instances/${instance}`,
    targetId: numericId(instance),
    status: 'DONE',
    progress: 100,
    ...failure,
    selfLink: `${zoneUrl}/operations/${name}`,
  });
}

async function zonesList(ctx: GcpCallContext, project: string): Promise<unknown> {
  if (ctx.query.get('filter') !== null) throw new WireError(400, 'invalid', 'The emulator does not filter zones');
  const at = paging(ctx, 'zones');
  const zones = await ctx.world(ctx.provider.zoneStatus({}, { signal: ctx.signal }));
  const { items, next } = slice(zones, at);
  return {
    kind: 'compute#zoneList',
    id: `projects/${project}/zones`,
    items: items.map((zone) => gceZone(zone, project)),
    ...(next === undefined ? {} : { nextPageToken: next }),
    selfLink: `${COMPUTE_BASE}/projects/${project}/zones`,
  };
}
