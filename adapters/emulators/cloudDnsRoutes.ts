import type { DatabaseEndpoint } from '../../src/core/contract/types.js';
import { fakeAddress } from './fakeAddress.js';
import type { ServiceRecords } from './ServiceRecords.js';
import type { GcpCallContext } from './GcpCallContext.js';
import { WireError } from './WireError.js';

/**
 * Cloud DNS v1 methods the emulator serves (`dns.resourceRecordSets.list`,
 * `dns.changes.create`, `dns.changes.get`), backed by the world's endpoints:
 * every managed zone holds an `A` record per world endpoint, answering with
 * the address of the instance the endpoint points at (the pending one as
 * soon as a change is accepted, as Cloud DNS shows it). A change is
 * `pending` while the world has not served it yet, then `done`.
 */
export async function cloudDnsAction(action: string, ctx: GcpCallContext): Promise<unknown> {
  const [project, managedZone, id] = ctx.path as [string, string, string | undefined];
  const scope = `${project}/${managedZone}`;
  switch (action) {
    case 'dns.resourceRecordSets.list': {
      const name = ctx.query.get('name');
      const type = ctx.query.get('type');
      const rrsets = (await endpoints(ctx))
        .map(recordSet)
        .filter((each) => (name === null || each.name === name) && (type === null || each.type === type));
      return { kind: 'dns#resourceRecordSetsListResponse', rrsets };
    }
    case 'dns.changes.create':
      return create(ctx, scope);
    case 'dns.changes.get': {
      const change = ctx.dnsChanges.get(scope, id!);
      if (change === undefined) throw new WireError(404, 'notFound', `The 'parameters.changeId' resource named '${id!}' does not exist.`);
      const [endpoint] = (await endpoints(ctx)).filter((each) => each.name === change.endpoint);
      return render(change, endpoint?.pendingTarget === change.target ? 'pending' : 'done');
    }
    default:
      throw new WireError(404, 'notFound', `The emulator does not implement ${action}`);
  }
}

interface RecordSet {
  readonly kind: 'dns#resourceRecordSet';
  readonly name: string;
  readonly type: string;
  readonly ttl: number;
  readonly rrdatas: readonly string[];
}

/**
 * The world's endpoints, through the API (`ctx.provider`, for the reads Cloud
 * DNS serves) or its own `records` (what a change looks up: no API read).
 */
function endpoints(ctx: GcpCallContext, source: ServiceRecords = ctx.provider): Promise<DatabaseEndpoint[]> {
  if (source.listEndpoints === undefined) return Promise.resolve([]);
  return ctx.world(source.listEndpoints({}, { signal: ctx.signal }));
}

function recordSet(endpoint: DatabaseEndpoint): RecordSet {
  return { kind: 'dns#resourceRecordSet', name: `${endpoint.name}.`, type: 'A', ttl: endpoint.ttlSeconds, rrdatas: [fakeAddress(endpoint.pendingTarget ?? endpoint.target)] };
}

async function create(ctx: GcpCallContext, scope: string): Promise<unknown> {
  const additions = asList(ctx.body['additions']);
  const deletions = asList(ctx.body['deletions']);
  const [addition] = additions;
  if (additions.length !== 1 || addition?.['type'] !== 'A' || !Array.isArray(addition['rrdatas']) || addition['rrdatas'].length !== 1) {
    throw new WireError(400, 'invalid', 'The emulator accepts only changes that set one A record to one address');
  }
  const name = String(addition['name'] ?? '');
  const current = (await endpoints(ctx, ctx.records)).find((each) => `${each.name}.` === name);
  if (current === undefined) throw new WireError(400, 'invalid', `The emulator serves only the world's endpoints; ${name} is not one`);
  const record = recordSet(current);
  const deletion = deletions[0];
  if (deletions.length === 0) throw new WireError(409, 'alreadyExists', `The resource 'entity.change.additions[0]' named '${name} (A)' already exists`);
  if (
    deletions.length !== 1 ||
    deletion?.['name'] !== record.name ||
    deletion['type'] !== record.type ||
    deletion['ttl'] !== record.ttl ||
    JSON.stringify(deletion['rrdatas']) !== JSON.stringify(record.rrdatas)
  ) {
    throw new WireError(412, 'conditionNotMet', `The resource 'entity.change.deletions[0]' named '${name} (A)' does not match the current record`);
  }
  const address = String(addition['rrdatas'][0]);
  const databases = await ctx.world(ctx.records.listDatabases({}, { signal: ctx.signal }));
  const target = databases.find((db) => fakeAddress(db.id) === address);
  if (target === undefined) throw new WireError(400, 'invalid', `The emulator can point ${name} only at a Cloud SQL instance's address; no instance has ${address}`);
  await ctx.world(ctx.provider.updateEndpoint!(current.name, target.id, { signal: ctx.signal }));
  const change = ctx.dnsChanges.add(scope, { endpoint: current.name, target: target.id, additions, deletions });
  const [after] = (await endpoints(ctx, ctx.records)).filter((each) => each.name === current.name);
  return render(change, after?.pendingTarget === target.id ? 'pending' : 'done');
}

function asList(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? (value as Record<string, unknown>[]) : [];
}

function render(change: { id: string; additions: readonly unknown[]; deletions: readonly unknown[] }, status: string): Record<string, unknown> {
  return { kind: 'dns#change', id: change.id, status, additions: change.additions, deletions: change.deletions };
}
