import type { DatabaseInstance } from '../../src/core/contract/types.js';
import type { ServiceRecords } from './ServiceRecords.js';
import type { GcpCallContext } from './GcpCallContext.js';
import { SQL_BASE, sqlInstance } from './gcpWire.js';
import { page, tokenOffset } from './pageToken.js';
import { WireError } from './WireError.js';

/** Cloud SQL's largest page. */
const MAX_PAGE = 1000;

/** Cloud SQL Admin v1 methods the emulator serves, by name (`sql.instances.list`). */
export async function sqlAdminAction(action: string, ctx: GcpCallContext): Promise<unknown> {
  const [project, instance] = ctx.path as [string, string];
  const signal = { signal: ctx.signal };
  switch (action) {
    case 'sql.instances.list':
      return list(ctx, project);
    case 'sql.instances.get': {
      // An instance in a region the control plane cannot reach cannot be read either (its listing leaves it out):
      // 503 UNAVAILABLE, before the world is asked. Where it is comes from Cloud SQL's own records.
      const located = (await everything(ctx, ctx.records)).find((each) => each.id === instance);
      if (located !== undefined && ctx.strict.reach().regions.includes(located.region)) {
        throw new WireError(503, 'backendError', `Region ${located.region} is unreachable; the Cloud SQL instance cannot be read now.`);
      }
      const listing = await everything(ctx);
      const db = listing.find((each) => each.id === instance);
      if (db === undefined) throw new WireError(404, 'instanceDoesNotExist', 'The Cloud SQL instance does not exist.');
      return render(db, listing, project);
    }
    case 'sql.instances.insert':
      return insert(ctx, project);
    case 'sql.instances.patch': {
      const settings = (ctx.body['settings'] ?? {}) as Record<string, unknown>;
      const keys = Object.keys(ctx.body);
      if (settings['activationPolicy'] !== 'NEVER' || keys.some((key) => key !== 'settings') || Object.keys(settings).length !== 1) {
        throw new WireError(400, 'invalid', 'The emulator supports only the patch {settings: {activationPolicy: "NEVER"}} (stop)');
      }
      // Cloud SQL does not support NEVER on a read replica (https://cloud.google.com/sql/docs/start-stop-restart-instance:
      // a replica cannot be stopped by its activation policy); the world would stop it, so refuse before asking.
      const target = (await everything(ctx, ctx.records)).find((each) => each.id === instance);
      if (target?.role === 'replica') {
        throw new WireError(400, 'invalidFlagValue', 'Activation policy NEVER is not supported for read replica instances.');
      }
      await ctx.world(ctx.provider.stopDatabase(instance, signal));
      return operation(ctx, project, 'UPDATE', instance);
    }
    case 'sql.instances.delete':
      // The world refuses an instance that has replicas, as Cloud SQL does.
      await ctx.world(ctx.provider.destroyDatabase(instance, signal));
      return operation(ctx, project, 'DELETE', instance);
    case 'sql.instances.promoteReplica':
      await ctx.world(ctx.provider.promoteReplica(instance, signal));
      return operation(ctx, project, 'PROMOTE_REPLICA', instance);
    case 'sql.instances.restart':
      await ctx.world(ctx.provider.rebootDatabase(instance, signal));
      return operation(ctx, project, 'RESTART', instance);
    case 'sql.operations.get': {
      const found = ctx.operations.get(`sql/${project}`, instance);
      if (found === undefined) throw new WireError(404, 'operationDoesNotExist', 'The Cloud SQL operation does not exist.');
      return found;
    }
    default:
      throw new WireError(404, 'notFound', `The emulator does not implement ${action}`);
  }
}

/**
 * Every instance of the project, through the API (`ctx.provider`, for the
 * reads Cloud SQL serves) or its own `records` (what a change looks up: no
 * API read, no read fault). One call for the whole project: replicaNames
 * need every instance.
 */
function everything(ctx: GcpCallContext, source: ServiceRecords = ctx.provider): Promise<DatabaseInstance[]> {
  return ctx.world(source.listDatabases({}, { signal: ctx.signal }));
}

function render(db: DatabaseInstance, listing: readonly DatabaseInstance[], project: string): Record<string, unknown> {
  const replicas = listing.filter((each) => each.replication?.upstream === db.id).map((each) => each.id);
  return sqlInstance(db, replicas, project);
}

async function list(ctx: GcpCallContext, project: string): Promise<unknown> {
  const raw = ctx.query.get('maxResults');
  const size = raw === null ? 500 : Number(raw);
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE) throw new WireError(400, 'invalid', `Invalid value for maxResults: ${raw}`);
  const offset = tokenOffset(ctx.query.get('pageToken'), 'sql.instances');
  if (offset === undefined) throw new WireError(400, 'invalid', 'Invalid page token');
  const listing = await everything(ctx);
  // Instances of a region the control plane cannot reach are left out, with a REGION_UNREACHABLE warning per region
  // (https://cloud.google.com/sql/docs/mysql/admin-api/rest/v1/ApiWarning: the result set may then be incomplete).
  const unreachable = ctx.strict.reach().regions;
  const visible = unreachable.length === 0 ? listing : listing.filter((db) => !unreachable.includes(db.region));
  const slice = page(visible, size, offset, 'sql.instances');
  return {
    kind: 'sql#instancesList',
    ...(unreachable.length === 0
      ? {}
      : { warnings: unreachable.map((region) => ({ code: 'REGION_UNREACHABLE', message: `Region ${region} is unreachable. The result set may be incomplete.`, region })) }),
    items: slice.items.map((db) => render(db, listing, project)),
    ...(slice.next === undefined ? {} : { nextPageToken: slice.next }),
  };
}

async function insert(ctx: GcpCallContext, project: string): Promise<unknown> {
  const { body } = ctx;
  const name = body['name'];
  const master = body['masterInstanceName'];
  const region = body['region'];
  if (typeof name !== 'string' || name === '') throw new WireError(400, 'required', 'Missing instance name');
  if (typeof master !== 'string' || master === '') {
    throw new WireError(400, 'invalid', 'The emulator creates read replicas only (masterInstanceName is required)');
  }
  if (typeof region !== 'string' || region === '') throw new WireError(400, 'required', 'Missing region');
  const settings = (body['settings'] ?? {}) as { locationPreference?: { zone?: unknown }; tier?: unknown; edition?: unknown };
  const zone = settings.locationPreference?.zone;
  // Left out, the edition is Cloud SQL's default for the version (Enterprise Plus from PostgreSQL 16), not the
  // primary's, and a custom tier is not valid there (https://cloud.google.com/sql/docs/editions-intro).
  const version = typeof body['databaseVersion'] === 'string' ? body['databaseVersion'] : 'POSTGRES_16';
  const edition = typeof settings.edition === 'string' ? settings.edition : /^POSTGRES_(1[6-9]|[2-9]\d)$/.test(version) ? 'ENTERPRISE_PLUS' : 'ENTERPRISE';
  if (edition === 'ENTERPRISE_PLUS' && typeof settings.tier === 'string' && settings.tier.startsWith('db-custom-')) {
    throw new WireError(400, 'invalid', `Invalid Tier (${settings.tier}) for (ENTERPRISE_PLUS) Edition.`);
  }
  await ctx.world(
    ctx.provider.createReplica(
      {
        id: name,
        source: master.includes(':') ? master.slice(master.lastIndexOf(':') + 1) : master,
        region,
        ...(typeof zone === 'string' ? { zone } : {}),
      },
      { signal: ctx.signal },
    ),
  );
  return operation(ctx, project, 'CREATE_REPLICA', name);
}

function operation(ctx: GcpCallContext, project: string, type: string, instance: string): Record<string, unknown> {
  const name = ctx.operations.nextName();
  return ctx.operations.put(`sql/${project}`, {
    kind: 'sql#operation',
    name,
    operationType: type,
    status: 'DONE',
    targetId: instance,
    targetProject: project,
    targetLink: `${SQL_BASE}/projects/${project}/instances/${instance}`,
    selfLink: `${SQL_BASE}/projects/${project}/operations/${name}`,
  });
}
