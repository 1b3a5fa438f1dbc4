import type { DatabaseEndpoint } from '../../src/core/contract/types.js';
import type { ServiceRecords } from './ServiceRecords.js';
import type { AwsCallContext } from './AwsCallContext.js';
import { rdsAddress, rdsInstanceOf } from './rdsWire.js';
import { WireError } from './WireError.js';
import { document, el, opt } from './xml.js';

/** The namespace of every Route 53 document (API version 2013-04-01). */
export const ROUTE53_NAMESPACE = 'https://route53.amazonaws.com/doc/2013-04-01/';

/** The hosted zone the emulator serves the world's endpoints in, unless told another. */
export const EMULATOR_HOSTED_ZONE_ID = 'Z0LIFEBOATEMULATOR';

const HOSTED_ZONE_RRSET = /^\/2013-04-01\/hostedzone\/([^/]+)\/rrset\/?$/;
const CHANGE = /^\/2013-04-01\/change\/([^/]+)$/;

/** The Route 53 action a request names, from its method and path (`unknown` otherwise). */
export function route53ActionOf(method: string, path: string): string {
  if (HOSTED_ZONE_RRSET.test(path)) return method === 'POST' ? 'ChangeResourceRecordSets' : method === 'GET' ? 'ListResourceRecordSets' : 'unknown';
  if (CHANGE.test(path) && method === 'GET') return 'GetChange';
  return 'unknown';
}

/** A change the emulator accepted: the record it changed and the instance it points at. */
interface AcceptedChange {
  readonly name: string;
  readonly target: string;
}

/**
 * Route 53 (REST-XML) over the world's writer endpoints: one hosted zone
 * whose CNAME records are the endpoints of the provider, each answering the
 * address of the instance it points at ({@link rdsAddress}). Accepted
 * changes are kept so that `GetChange` can say `PENDING` while the world
 * has not served the new target yet, `INSYNC` after.
 */
export class Route53Routes {
  private readonly changes = new Map<string, AcceptedChange>();

  constructor(private readonly hostedZoneId: string) {}

  async handle(action: string, ctx: AwsCallContext): Promise<string> {
    switch (action) {
      case 'ListResourceRecordSets':
        return this.list(ctx);
      case 'ChangeResourceRecordSets':
        return this.change(ctx);
      case 'GetChange':
        return this.getChange(ctx);
      default:
        throw new WireError(404, 'UnknownOperationException', `The emulator does not serve ${ctx.method} ${ctx.url.pathname}`);
    }
  }

  private zone(ctx: AwsCallContext): void {
    const id = HOSTED_ZONE_RRSET.exec(ctx.url.pathname)![1]!.replace(/^hostedzone\//, '');
    if (id !== this.hostedZoneId) throw new WireError(404, 'NoSuchHostedZone', `No hosted zone found with ID: ${id}`);
  }

  /** The records from `name` (and `type`) on, in name order, `maxitems` at most. */
  private async list(ctx: AwsCallContext): Promise<string> {
    this.zone(ctx);
    const start = normal(ctx.url.searchParams.get('name') ?? '');
    const type = ctx.url.searchParams.get('type');
    const max = Number(ctx.url.searchParams.get('maxitems') ?? '300');
    if (!(Number.isInteger(max) && max >= 1 && max <= 300)) throw new WireError(400, 'InvalidInput', 'maxitems must be between 1 and 300');
    const endpoints = await ctx.world(endpointsOf(ctx)({}, { signal: ctx.signal }));
    const records = [...endpoints]
      .sort((a, b) => compare(normal(a.name), normal(b.name)))
      // CNAME is the only type the emulator holds: a start type after it skips the record of that name.
      .filter((endpoint) => compare(normal(endpoint.name), start) > 0 || (normal(endpoint.name) === start && (type === null || type <= 'CNAME')));
    const page = records.slice(0, max);
    const next = records[max];
    return document(
      'ListResourceRecordSetsResponse',
      ROUTE53_NAMESPACE,
      el('ResourceRecordSets', ...page.map((endpoint) => recordSet(endpoint))),
      el('IsTruncated', next !== undefined),
      opt('NextRecordName', next === undefined ? undefined : `${normal(next.name)}.`),
      opt('NextRecordType', next === undefined ? undefined : 'CNAME'),
      el('MaxItems', max),
    );
  }

  /** One `UPSERT` of one CNAME whose value is an instance's address: what a writer endpoint change is. */
  private async change(ctx: AwsCallContext): Promise<string> {
    this.zone(ctx);
    const changes = [...ctx.body.matchAll(/<Change>([\s\S]*?)<\/Change>/g)].map((match) => match[1]!);
    if (changes.length !== 1) throw new WireError(400, 'InvalidInput', `the emulator accepts one change per batch, got ${changes.length}`);
    const change = changes[0]!;
    const action = field(change, 'Action');
    const type = field(change, 'Type');
    const name = field(change, 'Name');
    const values = [...change.matchAll(/<Value>([\s\S]*?)<\/Value>/g)].map((match) => unescape(match[1]!));
    if (action !== 'UPSERT' || type !== 'CNAME') {
      throw new WireError(400, 'InvalidChangeBatch', `the emulator accepts UPSERT of CNAME records only, got ${action ?? '?'} ${type ?? '?'}`);
    }
    if (name === undefined || values.length !== 1) throw new WireError(400, 'InvalidChangeBatch', 'a CNAME record needs a name and exactly one value');
    const target = rdsInstanceOf(values[0]!);
    if (target === undefined) throw new WireError(400, 'InvalidChangeBatch', `the emulator points records only at instance addresses, got ${values[0]}`);
    // Route 53 finds the record in its own records: no API read (a fault on the world's reads does not reach it).
    const endpoints = await ctx.world(endpointsOf(ctx, ctx.records)({ names: [normal(name)] }, { signal: ctx.signal }));
    const endpoint = endpoints.find((each) => normal(each.name) === normal(name));
    if (endpoint === undefined) {
      throw new WireError(400, 'InvalidChangeBatch', `the emulator cannot create records: ${normal(name)} is none of the world's endpoints`);
    }
    await ctx.world(ctx.provider.updateEndpoint!(endpoint.name, target, { signal: ctx.signal }));
    const id = `C${String(this.changes.size + 1).padStart(12, '0')}`;
    this.changes.set(id, { name: endpoint.name, target });
    return document('ChangeResourceRecordSetsResponse', ROUTE53_NAMESPACE, changeInfo(id, 'PENDING'));
  }

  private async getChange(ctx: AwsCallContext): Promise<string> {
    const id = CHANGE.exec(ctx.url.pathname)![1]!.replace(/^change\//, '');
    const change = this.changes.get(id);
    if (change === undefined) throw new WireError(404, 'NoSuchChange', `A change with the specified change ID does not exist: ${id}`);
    const [endpoint] = await ctx.world(endpointsOf(ctx)({ names: [change.name] }, { signal: ctx.signal }));
    const pending = endpoint !== undefined && endpoint.pendingTarget === change.target;
    return document('GetChangeResponse', ROUTE53_NAMESPACE, changeInfo(id, pending ? 'PENDING' : 'INSYNC'));
  }
}

/**
 * The world's endpoint listing, through the API (`ctx.provider`, the default) or
 * the service's own `records`; a provider without endpoints has no hosted zone.
 */
function endpointsOf(ctx: AwsCallContext, source: ServiceRecords = ctx.provider): NonNullable<ServiceRecords['listEndpoints']> {
  const list = source.listEndpoints;
  if (list === undefined) throw new WireError(404, 'NoSuchHostedZone', 'The emulated provider has no writer endpoints.');
  return list.bind(source);
}

/** A record set as Route 53 lists it: the name fully qualified, the value what its API holds (the pending target once accepted). */
function recordSet(endpoint: DatabaseEndpoint) {
  return el(
    'ResourceRecordSet',
    el('Name', `${normal(endpoint.name)}.`),
    el('Type', 'CNAME'),
    el('TTL', endpoint.ttlSeconds),
    el('ResourceRecords', el('ResourceRecord', el('Value', rdsAddress(endpoint.pendingTarget ?? endpoint.target)))),
  );
}

function changeInfo(id: string, status: 'PENDING' | 'INSYNC') {
  // No SubmittedAt: the emulator never reads a clock.
  return el('ChangeInfo', el('Id', `/change/${id}`), el('Status', status));
}

function field(xml: string, name: string): string | undefined {
  const match = new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(xml);
  return match === null ? undefined : unescape(match[1]!);
}

function unescape(text: string): string {
  return text.replace(/&(lt|gt|quot|apos|amp);/g, (_, entity: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[entity]!);
}

function normal(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
