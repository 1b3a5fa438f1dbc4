import type { LoadBalancer } from '../../src/core/contract/types.js';
import type { AwsCallContext } from './AwsCallContext.js';
import type { ServiceRecords } from './ServiceRecords.js';
import { zoneIdOf } from './ec2Wire.js';
import { fakeHex } from './fakeAddress.js';
import { WireError } from './WireError.js';

/** ARC's limit on a zonal shift's expiry, in seconds. */
const MAX_EXPIRY_SECONDS = 72 * 3600;

/** The ARC zonal shift action a request names, from its method and path (`unknown` otherwise). */
export function zonalShiftActionOf(method: string, path: string): string {
  if (path === '/zonalshifts') return method === 'POST' ? 'StartZonalShift' : method === 'GET' ? 'ListZonalShifts' : 'unknown';
  if (/^\/zonalshifts\/[^/]+$/.test(path)) return method === 'PATCH' ? 'UpdateZonalShift' : method === 'DELETE' ? 'CancelZonalShift' : method === 'GET' ? 'GetZonalShift' : 'unknown';
  if (/^\/managedresources\/[^/]+$/.test(path) && method === 'GET') return 'GetManagedResource';
  return 'unknown';
}

/** The ARN the emulator (and `replay --wire`) give a world load balancer: an ALB named after its id. */
export function loadBalancerArn(region: string, accountId: string, id: string): string {
  return `arn:aws:elasticloadbalancing:${region}:${accountId}:loadbalancer/app/${id}/${fakeHex(id, 16)}`;
}

/**
 * ARC zonal shift (REST-JSON, 2022-10-30) over the world's load balancers.
 * A resource is a world load balancer, named by the ARN
 * {@link loadBalancerArn} gives it; zones go by the AZ ids the EC2 emulator
 * reports. ARC's rule of one active zonal shift per resource is enforced
 * here, before the world is asked (the world allows several zones out).
 * Shift ids are derived from the load balancer and zone, so a shift started
 * again after a cancel has the same id.
 */
export async function zonalShiftAction(action: string, ctx: AwsCallContext): Promise<unknown> {
  const segment = (): string => decodeURIComponent(ctx.url.pathname.split('/')[2]!);
  switch (action) {
    case 'GetManagedResource':
      return getManagedResource(ctx, segment());
    case 'ListZonalShifts':
      return listZonalShifts(ctx);
    case 'StartZonalShift':
      return startZonalShift(ctx);
    case 'UpdateZonalShift':
      return updateZonalShift(ctx, segment());
    case 'CancelZonalShift':
      return cancelZonalShift(ctx, segment());
    default:
      throw new WireError(404, 'UnknownOperationException', `The emulator does not serve ${ctx.method} ${ctx.url.pathname}`);
  }
}

interface ShiftView {
  zonalShiftId: string;
  resourceIdentifier: string;
  awayFrom: string;
  expiryTime: number;
  status: 'ACTIVE';
}

/**
 * The world's load balancers, through the API (`ctx.provider`, for the reads
 * ARC serves) or ARC's own `records` (for what a shift request looks up: no
 * API read, so a fault on the world's reads does not fail the shift).
 */
async function loadBalancers(ctx: AwsCallContext, source: ServiceRecords = ctx.provider): Promise<readonly LoadBalancer[]> {
  if (source.listLoadBalancers === undefined) return [];
  return ctx.world(source.listLoadBalancers({}, { signal: ctx.signal }));
}

/** The world load balancer an ARN names (`.../loadbalancer/app/<id>/<hash>`), checked against the ARN the emulator gives it. */
function byArn(lbs: readonly LoadBalancer[], arn: string, ctx: AwsCallContext): LoadBalancer {
  const lb = lbs.find((each) => loadBalancerArn(each.region, ctx.accountId, each.id) === arn);
  if (lb === undefined) throw new WireError(404, 'ResourceNotFoundException', `The resource ${arn} is not a managed resource.`);
  return lb;
}

function shiftId(lb: LoadBalancer, zone: string): string {
  return Buffer.from(`${lb.id}\n${zone}`).toString('base64url');
}

function shiftsOf(lb: LoadBalancer, ctx: AwsCallContext): ShiftView[] {
  return lb.zones.flatMap((zone) =>
    zone.shift === undefined
      ? []
      : [{ zonalShiftId: shiftId(lb, zone.zone), resourceIdentifier: loadBalancerArn(lb.region, ctx.accountId, lb.id), awayFrom: zoneIdOf(zone.zone), expiryTime: zone.shift.expiresAt / 1000, status: 'ACTIVE' as const }],
  );
}

async function getManagedResource(ctx: AwsCallContext, arn: string): Promise<unknown> {
  const lb = byArn(await loadBalancers(ctx), arn, ctx);
  return {
    arn,
    name: lb.id,
    appliedWeights: Object.fromEntries(lb.zones.map((zone) => [zoneIdOf(zone.zone), zone.inRotation ? 1 : 0])),
    zonalShifts: shiftsOf(lb, ctx).map((shift) => ({ ...shift, appliedStatus: 'APPLIED' })),
    autoshifts: [],
  };
}

async function listZonalShifts(ctx: AwsCallContext): Promise<unknown> {
  const status = ctx.url.searchParams.get('status');
  const resource = ctx.url.searchParams.get('resourceIdentifier');
  const lbs = await loadBalancers(ctx);
  // The world forgets expired and cancelled shifts: only ACTIVE ones can be listed.
  if (status !== null && status !== 'ACTIVE') return { items: [] };
  const items = lbs.flatMap((lb) => shiftsOf(lb, ctx)).filter((shift) => resource === null || shift.resourceIdentifier === resource);
  return { items };
}

/** `expiresIn` as ARC takes it: minutes (`30m`) or hours (`2h`), 1 minute to 72 hours. */
function expirySeconds(value: unknown): number {
  const match = typeof value === 'string' ? /^(\d+)([mh])$/.exec(value) : null;
  const seconds = match === null ? Number.NaN : Number(match[1]) * (match[2] === 'h' ? 3600 : 60);
  if (!(seconds >= 60 && seconds <= MAX_EXPIRY_SECONDS)) {
    throw new WireError(400, 'ValidationException', `expiresIn must be minutes or hours (30m, 2h) between 1 minute and 72 hours, got ${String(value)}`);
  }
  return seconds;
}

function body(ctx: AwsCallContext): Record<string, unknown> {
  try {
    const parsed = JSON.parse(ctx.body === '' ? '{}' : ctx.body) as unknown;
    if (typeof parsed === 'object' && parsed !== null) return parsed as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new WireError(400, 'ValidationException', 'the request body is not a JSON object');
}

async function startZonalShift(ctx: AwsCallContext): Promise<unknown> {
  const input = body(ctx);
  const seconds = expirySeconds(input['expiresIn']);
  const arn = String(input['resourceIdentifier'] ?? '');
  const lb = byArn(await loadBalancers(ctx, ctx.records), arn, ctx);
  const zone = lb.zones.find((each) => zoneIdOf(each.zone) === input['awayFrom']);
  if (zone === undefined) throw new WireError(400, 'ValidationException', `${String(input['awayFrom'])} is not an Availability Zone of ${arn}`);
  const active = shiftsOf(lb, ctx)[0];
  if (active !== undefined) {
    throw new WireError(409, 'ConflictException', `A zonal shift (${active.zonalShiftId}, away from ${active.awayFrom}) is already active for ${arn}.`);
  }
  await ctx.world(ctx.provider.shiftTraffic!({ loadBalancer: lb.id, zone: zone.zone, away: true, expiresInSeconds: seconds }, { signal: ctx.signal }));
  // No expiryTime or startTime: the emulator never reads a clock (the next listing has the expiry).
  return { zonalShiftId: shiftId(lb, zone.zone), resourceIdentifier: arn, awayFrom: zoneIdOf(zone.zone), status: 'ACTIVE', comment: input['comment'] };
}

/** The world load balancer and zone of an active shift id. */
async function activeShift(ctx: AwsCallContext, id: string): Promise<{ lb: LoadBalancer; zone: string; shift: ShiftView }> {
  const [lbId, zone] = Buffer.from(id, 'base64url').toString('utf8').split('\n');
  const lb = (await loadBalancers(ctx, ctx.records)).find((each) => each.id === lbId);
  if (lb === undefined || zone === undefined) throw new WireError(404, 'ResourceNotFoundException', `No zonal shift ${id}.`);
  const shift = shiftsOf(lb, ctx).find((each) => each.zonalShiftId === id);
  if (shift === undefined) throw new WireError(409, 'ConflictException', `The zonal shift ${id} is not active.`);
  return { lb, zone, shift };
}

async function updateZonalShift(ctx: AwsCallContext, id: string): Promise<unknown> {
  const seconds = expirySeconds(body(ctx)['expiresIn']);
  const { lb, zone, shift } = await activeShift(ctx, id);
  await ctx.world(ctx.provider.shiftTraffic!({ loadBalancer: lb.id, zone, away: true, expiresInSeconds: seconds }, { signal: ctx.signal }));
  const { expiryTime: _previous, ...rest } = shift;
  return rest;
}

async function cancelZonalShift(ctx: AwsCallContext, id: string): Promise<unknown> {
  const { lb, zone, shift } = await activeShift(ctx, id);
  await ctx.world(ctx.provider.shiftTraffic!({ loadBalancer: lb.id, zone, away: false }, { signal: ctx.signal }));
  return { ...shift, status: 'CANCELED' };
}
