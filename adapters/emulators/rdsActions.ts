import type { DatabaseInstance } from '../../src/core/contract/types.js';
import type { AwsCallContext } from './AwsCallContext.js';
import { page, tokenOffset } from './pageToken.js';
import { dbInstanceFields } from './rdsWire.js';
import { WireError } from './WireError.js';
import { document, el, list, opt, type XmlChild } from './xml.js';

/** The API version every RDS response is namespaced with. */
export const RDS_NAMESPACE = 'http://rds.amazonaws.com/doc/2014-10-31/';

/** RDS Query actions the emulator serves. */
export async function rdsAction(action: string, ctx: AwsCallContext): Promise<string> {
  const id = (): string => required(ctx, 'DBInstanceIdentifier');
  // RDS starts an instance stopped seven days ago by itself: every RDS answer from then on shows it started.
  if (ctx.rdsRestarts?.anyDue === true) await ctx.world(ctx.rdsRestarts.startDue(ctx.records, ctx.provider, ctx.signal));
  switch (action) {
    case 'DescribeDBInstances':
      return describeDBInstances(ctx);
    case 'CreateDBInstanceReadReplica':
      return createReadReplica(ctx);
    case 'PromoteReadReplica':
      return acknowledge(ctx, action, id(), async (target) => {
        refuseWhileBackingUp(ctx, target);
        await ctx.provider.promoteReplica(target, { signal: ctx.signal });
      });
    case 'RebootDBInstance':
      return acknowledge(ctx, action, id(), async (target) => {
        if (ctx.rdsRules) await refuseUnlessStatus(ctx, target, action, (state) => state !== 'stopped' && state !== 'stopping', 'it is stopped; start it with StartDBInstance');
        await ctx.provider.rebootDatabase(target, { signal: ctx.signal });
      });
    case 'StartDBInstance':
      // The world's reboot is what starts a stopped instance; RDS starts only a stopped one.
      return acknowledge(ctx, action, id(), async (target) => {
        await refuseUnlessStatus(ctx, target, action, (state) => state === 'stopped', 'only a stopped instance can be started');
        await ctx.provider.rebootDatabase(target, { signal: ctx.signal });
        ctx.rdsRestarts?.started(target);
      });
    case 'StopDBInstance':
      return acknowledge(ctx, action, id(), async (target) => {
        if (ctx.rdsRules) await refuseRdsStop(ctx, target);
        await ctx.provider.stopDatabase(target, { signal: ctx.signal });
        ctx.rdsRestarts?.stopped(target);
      });
    case 'DeleteDBInstance':
      return deleteDBInstance(ctx, id());
    default:
      throw new WireError(400, 'InvalidAction', `Could not find operation ${action} for version 2014-10-31`);
  }
}

function required(ctx: AwsCallContext, name: string): string {
  const value = ctx.params.get(name);
  if (value === undefined || value === '') throw new WireError(400, 'MissingParameter', `The request must contain the parameter ${name}`);
  return value;
}

function respond(action: string, ctx: AwsCallContext, ...result: XmlChild[]): string {
  return document(
    `${action}Response`,
    RDS_NAMESPACE,
    el(`${action}Result`, ...result),
    el('ResponseMetadata', el('RequestId', ctx.requestId)),
  );
}

/** Instance id from an identifier or an RDS ARN (cross-region replicas name their source by ARN). */
function instanceId(value: string): string {
  const match = /^arn:aws[\w-]*:rds:[^:]*:[^:]*:db:(.+)$/.exec(value);
  return match === null ? value : match[1]!;
}

function dbInstance(db: DatabaseInstance, listing: readonly DatabaseInstance[], ctx: AwsCallContext): XmlChild {
  const replicas = listing.filter((each) => each.replication?.upstream === db.id).map((each) => each.id);
  // RDS backs up an available instance only; it reads `backing-up` meanwhile.
  const shown = db.state === 'available' && ctx.backingUp?.(db.id) === true ? { ...db, extra: { ...db.extra, rawState: 'backing-up' } } : db;
  return el('DBInstance', ...dbInstanceFields(shown, replicas, ctx.accountId));
}

/**
 * PromoteReadReplica's reference: "a read replica cannot be promoted to a
 * standalone instance when it is in the backing-up status"
 * (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_PromoteReadReplica.html).
 * Refused with `InvalidDBInstanceState` (400), reported through `onRefusal`;
 * the world never sees the call. The backup is the emulator's own state
 * (`backingUp`), so no world call is needed to know it.
 */
function refuseWhileBackingUp(ctx: AwsCallContext, id: string): void {
  if (ctx.backingUp?.(id) !== true) return;
  const message = `DB instance ${id} is backing-up; it cannot be promoted until the backup completes.`;
  ctx.onRefusal?.({ operation: 'promoteReplica', target: id, region: ctx.region, code: 'InvalidDBInstanceState', message });
  throw new WireError(400, 'InvalidDBInstanceState', message);
}

async function describeDBInstances(ctx: AwsCallContext): Promise<string> {
  const { params } = ctx;
  const wanted = new Set<string>();
  for (const i of params.indexes('Filters.Filter', 'Name')) {
    const name = params.get(`Filters.Filter.${i}.Name`)!;
    if (name !== 'db-instance-id') throw new WireError(400, 'InvalidParameterValue', `Unrecognized filter name: ${name}`);
    for (const value of params.list(`Filters.Filter.${i}.Values.Value`)) wanted.add(instanceId(value));
  }
  const single = params.get('DBInstanceIdentifier');
  const max = params.int('MaxRecords') ?? 100;
  if (!(max >= 20 && max <= 100)) throw new WireError(400, 'InvalidParameterValue', 'MaxRecords must be between 20 and 100');
  const offset = tokenOffset(params.get('Marker'), 'DescribeDBInstances');
  if (offset === undefined) throw new WireError(400, 'InvalidParameterValue', 'The value of Marker is invalid');
  // The whole region in one world call: replica lists need every instance, not only the filtered ones.
  const listing = await ctx.world(ctx.provider.listDatabases({ region: ctx.region }, { signal: ctx.signal }));
  let kept = wanted.size === 0 ? listing : listing.filter((db) => wanted.has(db.id));
  if (single !== undefined) {
    kept = kept.filter((db) => db.id === instanceId(single));
    if (kept.length === 0) throw new WireError(404, 'DBInstanceNotFound', `DBInstance ${single} not found.`);
  }
  const slice = page(kept, max, offset, 'DescribeDBInstances');
  return respond(
    'DescribeDBInstances',
    ctx,
    el('DBInstances', ...slice.items.map((db) => dbInstance(db, listing, ctx))),
    opt('Marker', slice.next),
  );
}

async function createReadReplica(ctx: AwsCallContext): Promise<string> {
  const id = required(ctx, 'DBInstanceIdentifier');
  const sourceName = required(ctx, 'SourceDBInstanceIdentifier');
  const source = instanceId(sourceName);
  const zone = ctx.params.get('AvailabilityZone');
  // https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstanceReadReplica.html: a replica in
  // another region of an encrypted source needs a KMS key of the replica's region (keys do not cross regions).
  const sourceRegion = /^arn:aws[\w-]*:rds:([^:]*):/.exec(sourceName)?.[1];
  if (ctx.account.encryptedDatabases && sourceRegion !== undefined && sourceRegion !== ctx.region && ctx.params.get('KmsKeyId') === undefined) {
    throw new WireError(400, 'InvalidParameterCombination', `KmsKeyId is required to create a read replica in ${ctx.region} of encrypted DB instance ${source} in ${sourceRegion}`);
  }
  const created = await ctx.world(
    ctx.provider.createReplica(
      { id, source, region: ctx.region, ...(zone === undefined ? {} : { zone }) },
      { signal: ctx.signal },
    ),
  );
  // RDS answers with the new instance as requested: its subnet group and security groups included.
  const subnetGroup = ctx.params.get('DBSubnetGroupName');
  const securityGroups = ctx.params.list('VpcSecurityGroupIds.VpcSecurityGroupId');
  const kms = ctx.params.get('KmsKeyId');
  return respond(
    'CreateDBInstanceReadReplica',
    ctx,
    el(
      'DBInstance',
      ...dbInstanceFields(created, [], ctx.accountId),
      ...(subnetGroup === undefined ? [] : [el('DBSubnetGroup', el('DBSubnetGroupName', subnetGroup))]),
      ...(securityGroups.length === 0 ? [] : [list('VpcSecurityGroups', 'VpcSecurityGroupMembership', securityGroups, (group) => [el('VpcSecurityGroupId', group), el('Status', 'active')])]),
      ...(kms === undefined ? [] : [el('StorageEncrypted', true), el('KmsKeyId', kms)]),
    ),
  );
}

/**
 * RDS's rule, which the world does not enforce (with `rdsRules`): a read
 * replica cannot be stopped, nor can an instance that has read replicas (in
 * any region). Refused like RDS refuses it, `InvalidDBInstanceState` (400),
 * and reported through `onRefusal`. RDS reads its own topology for it
 * (`ctx.records`: no API read, no read fault).
 */
async function refuseRdsStop(ctx: AwsCallContext, id: string): Promise<void> {
  // Called inside acknowledge's world wait: the time spent here already counts as waiting on the world.
  const listing = await ctx.records.listDatabases({}, { signal: ctx.signal });
  const db = listing.find((each) => each.id === id);
  if (db === undefined) return; // the world's own refusal names it
  // A replica being deleted has stopped replicating and no longer holds its source (see the AWS README).
  const replicas = listing.filter((each) => each.replication?.upstream === id && !isDeleting(each)).map((each) => each.id);
  const why = db.replication !== undefined ? 'it is a read replica' : replicas.length > 0 ? `it has read replicas (${replicas.join(', ')})` : undefined;
  if (why === undefined) return;
  const message = `Cannot stop DB instance ${id}: ${why}.`;
  ctx.onRefusal?.({ operation: 'stopDatabase', target: id, region: db.region, zone: db.zone, code: 'InvalidDBInstanceState', message });
  throw new WireError(400, 'InvalidDBInstanceState', message);
}

/**
 * RDS refuses `RebootDBInstance` unless the instance is available
 * (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_RebootDBInstance.html:
 * the instance must be in the available state; a stopped one is started with
 * StartDBInstance) and `StartDBInstance` unless it is stopped
 * (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_StartDBInstance.html).
 * Refused with `InvalidDBInstanceState` (400), reported through `onRefusal`.
 * Costs one world `listDatabases` call.
 */
async function refuseUnlessStatus(ctx: AwsCallContext, id: string, action: string, allowed: (state: string) => boolean, why: string): Promise<void> {
  const [db] = await ctx.records.listDatabases({ ids: [id] }, { signal: ctx.signal });
  if (db === undefined || allowed(db.state)) return;
  const message = `${action} refused for DB instance ${id}: ${why}.`;
  ctx.onRefusal?.({ operation: 'rebootDatabase', target: id, region: db.region, zone: db.zone, code: 'InvalidDBInstanceState', message });
  throw new WireError(400, 'InvalidDBInstanceState', message);
}

/**
 * `DeleteDBInstance` with RDS's parameter rules: a read replica is deleted
 * without a final snapshot (`SkipFinalSnapshot` true, no
 * `FinalDBSnapshotIdentifier`), anything else needs one or an explicit skip.
 * The snapshot itself is not kept (the world has no snapshots). RDS reads
 * its own records to check the rules (`ctx.records`: no API read).
 */
async function deleteDBInstance(ctx: AwsCallContext, id: string): Promise<string> {
  const skip = ctx.params.get('SkipFinalSnapshot') === 'true';
  const finalSnapshot = ctx.params.get('FinalDBSnapshotIdentifier');
  return acknowledge(ctx, 'DeleteDBInstance', id, async (target) => {
    const listing = await ctx.records.listDatabases({ ids: [target] }, { signal: ctx.signal });
    const db = listing.find((each) => each.id === target);
    if (db !== undefined && db.replication !== undefined && finalSnapshot !== undefined) {
      throw new WireError(400, 'InvalidParameterCombination', 'FinalDBSnapshotIdentifier can not be specified when deleting a replica instance');
    }
    if (db !== undefined && db.replication === undefined && !skip && finalSnapshot === undefined) {
      throw new WireError(400, 'InvalidParameterCombination', 'FinalDBSnapshotIdentifier is required unless SkipFinalSnapshot is specified');
    }
    await ctx.provider.destroyDatabase(target, { signal: ctx.signal });
  });
}

function isDeleting(db: DatabaseInstance): boolean {
  return db.extra['rawState'] === 'deleting';
}

/**
 * Promote/Reboot/Stop/Delete answers. RDS returns the whole instance; the world's
 * calls return nothing and a second read would count as an extra call, so
 * the emulator returns the identifier only.
 */
async function acknowledge(ctx: AwsCallContext, action: string, id: string, call: (id: string) => Promise<void>): Promise<string> {
  await ctx.world(call(id));
  return respond(action, ctx, el('DBInstance', el('DBInstanceIdentifier', id)));
}
