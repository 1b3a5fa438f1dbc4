import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { CreateDBInstanceReadReplicaCommand, PromoteReadReplicaCommand, RDSClient } from '@aws-sdk/client-rds';
import { GetChangeCommand, Route53Client } from '@aws-sdk/client-route-53';
import type { Reservation } from '@aws-sdk/client-ec2';
import { AwsApi } from '../../../adapters/aws/AwsApi.js';
import { createAwsProvider } from '../../../adapters/aws/createAwsProvider.js';
import { CloudWatchLag } from '../../../adapters/aws/CloudWatchLag.js';
import { LaunchedInstances } from '../../../adapters/aws/LaunchedInstances.js';
import { PROMOTE_LATER_STATUSES } from '../../../adapters/aws/rdsStatusTable.js';
import { toDatabaseInstance } from '../../../adapters/aws/toDatabaseInstance.js';
import { toNode } from '../../../adapters/aws/toNode.js';
import { VirtualClock } from '../../../src/core/clock/VirtualClock.js';

/**
 * Sample responses published in the AWS API references (each fixture has a
 * sibling `.source.md` naming its page, when it was read and whether it is
 * verbatim), served from loopback to the real AWS SDK clients, so the SDK's
 * own XML deserializer runs, then mapped by the adapter's mappers: the
 * adapter is held to documents nobody here wrote, not only to our emulator.
 */
function fixture(name: string): string {
  const source = readFileSync(new URL(`./fixtures/${name.replace(/\.(xml|json)$/, '.source.md')}`, import.meta.url), 'utf8');
  expect(source).toMatch(/\*\*Source:\*\*[^\n]*\n\s+https:\/\/docs\.aws\.amazon\.com\//);
  expect(source).toMatch(/\*\*Verbatim or adapted:\*\* verbatim/);
  return readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** A loopback endpoint that answers every request with what `answer` makes of its body, and the requests' bodies and `METHOD path`s it saw. */
async function answering(
  answer: (requestBody: string) => { contentType: string; body: string },
): Promise<{ endpoint: string; requests: string[]; paths: string[] }> {
  const requests: string[] = [];
  const paths: string[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const requestBody = Buffer.concat(chunks).toString('utf8');
      requests.push(requestBody);
      paths.push(`${request.method ?? ''} ${request.url ?? ''}`);
      const { contentType, body } = answer(requestBody);
      response.writeHead(200, { 'content-type': contentType });
      response.end(body);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, paths };
}

/** A loopback endpoint that answers every request with the XML `body`. */
function serving(body: string): Promise<{ endpoint: string; requests: string[]; paths: string[] }> {
  return answering(() => ({ contentType: 'text/xml', body }));
}

/** EC2 query-protocol wire names of the `AvailabilityZone` members the CLI prints (the SDK's XML deserializer reads these). */
const EC2_ZONE_MEMBERS: Readonly<Record<string, string>> = {
  State: 'zoneState',
  OptInStatus: 'optInStatus',
  RegionName: 'regionName',
  ZoneName: 'zoneName',
  ZoneId: 'zoneId',
  GroupName: 'groupName',
  NetworkBorderGroup: 'networkBorderGroup',
  ZoneType: 'zoneType',
};

/** A `DescribeAvailabilityZones` response body in EC2's XML, from the CLI's JSON of it. */
function describeAvailabilityZonesXml(zones: readonly Record<string, unknown>[]): string {
  const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const items = zones.map((zone) => {
    const members = Object.entries(zone).map(([key, value]) => {
      if (key === 'Messages') return `<messageSet>${(value as { Message: string }[]).map((m) => `<item><message>${escape(m.Message)}</message></item>`).join('')}</messageSet>`;
      const wire = EC2_ZONE_MEMBERS[key];
      if (wire === undefined) throw new Error(`no EC2 wire name for AvailabilityZone.${key}`);
      return `<${wire}>${escape(String(value))}</${wire}>`;
    });
    return `<item>${members.join('')}</item>`;
  });
  return `<DescribeAvailabilityZonesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>fixture</requestId><availabilityZoneInfo>${items.join('')}</availabilityZoneInfo></DescribeAvailabilityZonesResponse>`;
}

const clientConfig = (endpoint: string, region: string) => ({
  endpoint,
  region,
  credentials: { accessKeyId: 'AKIDEXAMPLEFIXTURES', secretAccessKey: 'fixture-secret-not-a-real-one' },
  maxAttempts: 1,
});

describe('published AWS API examples, through the SDK and the aws adapter\'s mappers', () => {
  it('EC2 DescribeInstances (EC2 API Reference, example 1): a running t2.micro in eu-west-1c with its Name tag and private address', async () => {
    const { endpoint, requests } = await serving(fixture('ec2-describe-instances.xml'));
    const ec2 = new EC2Client(clientConfig(endpoint, 'eu-west-1'));
    const output = await ec2.send(new DescribeInstancesCommand({}));
    ec2.destroy();
    expect(requests[0]).toContain('Action=DescribeInstances');
    const instances = (output.Reservations ?? []).flatMap((reservation) => reservation.Instances ?? []);
    const nodes = instances.map((instance) => toNode(instance, 'aws', 'eu-west-1', 8080));
    expect(nodes).toHaveLength(1);
    expect(nodes[0]).toMatchObject({
      id: 'i-1234567890abcdef0',
      name: 'Server_1',
      provider: 'aws',
      region: 'eu-west-1',
      zone: 'eu-west-1c',
      state: 'running',
      size: 't2.micro',
      endpoint: '192.168.1.88:8080',
      createdAt: Date.parse('2018-05-08T16:46:19.000Z'),
      extra: { rawState: 'running', stateCode: 16, imageId: 'ami-bff32ccc', publicIp: '54.194.252.215', vpcId: 'vpc-11112222', subnetId: 'subnet-56f5f633' },
    });
    // No lifeboat:group tag in AWS's example: the node belongs to no group rather than to a made-up one.
    expect(nodes[0]!.group).toBeUndefined();
  });

  it('RDS PromoteReadReplica (RDS API Reference): the replica answers modifying, still naming its source, and a second promotion now is for later', async () => {
    const { endpoint, requests } = await serving(fixture('rds-promote-read-replica.xml'));
    const rds = new RDSClient(clientConfig(endpoint, 'us-east-1'));
    const output = await rds.send(new PromoteReadReplicaCommand({ DBInstanceIdentifier: 'mysqldb-rr', BackupRetentionPeriod: 7 }));
    rds.destroy();
    expect(requests[0]).toContain('Action=PromoteReadReplica');
    const db = output.DBInstance!;
    const instance = toDatabaseInstance(db, 'aws', 'us-east-1', 'mysqldb', null);
    expect(instance).toMatchObject({
      id: 'mysqldb-rr',
      cluster: 'mysqldb',
      zone: 'us-east-1a',
      engine: 'mysql',
      // RDS still lists the source while the promotion runs: the adapter keeps it a replica until RDS drops it.
      role: 'replica',
      state: 'available',
      endpoint: 'mysqldb-rr.cg029hpkxcjt.us-east-1.rds.amazonaws.com:3306',
      replication: { upstream: 'mysqldb', mode: 'async', state: 'streaming', lagSeconds: null },
      extra: { rawStatus: 'modifying', replicationStatus: 'replicating', instanceClass: 'db.m1.medium', engineVersion: '5.6.13', multiAZ: false },
    });
    // RDS refuses a second PromoteReadReplica while this one runs: retryable, not final.
    expect(PROMOTE_LATER_STATUSES.has(db.DBInstanceStatus!)).toBe(true);
    // The same MySQL replica with ReplicaLag -1 (RDS: replication not active) has unknown lag and is disconnected, not streaming.
    const inactive = toDatabaseInstance(db, 'aws', 'us-east-1', 'mysqldb', { seconds: -1, at: 0, ageSeconds: 60 });
    expect(inactive.replication).toMatchObject({ lagSeconds: null, state: 'disconnected' });
  });

  it('RDS CreateDBInstanceReadReplica (RDS API Reference): a creating replica of mysqldb, with no endpoint yet', async () => {
    const { endpoint, requests } = await serving(fixture('rds-create-db-instance-read-replica.xml'));
    const rds = new RDSClient(clientConfig(endpoint, 'us-east-1'));
    const output = await rds.send(new CreateDBInstanceReadReplicaCommand({ DBInstanceIdentifier: 'mysqldb-rr', SourceDBInstanceIdentifier: 'mysqldb' }));
    rds.destroy();
    expect(requests[0]).toContain('Action=CreateDBInstanceReadReplica');
    const instance = toDatabaseInstance(output.DBInstance!, 'aws', 'us-east-1', 'mysqldb', null);
    expect(instance).toMatchObject({ id: 'mysqldb-rr', role: 'replica', state: 'creating', engine: 'mysql', replication: { upstream: 'mysqldb', lagSeconds: null } });
    // No StatusInfos in a creating replica: replication state unknown, not streaming.
    expect(instance.replication?.state).toBe('unknown');
    expect(instance.endpoint).toBeUndefined();
    expect(instance.zone).toBe('');
  });

  it('Route 53 GetChange (Route 53 API Reference): the change id as ChangeResourceRecordSets returns it reaches the documented path, and INSYNC is not pending', async () => {
    const { endpoint, paths } = await serving(fixture('route53-get-change.xml'));
    const route53 = new Route53Client(clientConfig(endpoint, 'us-east-1'));
    // Route53Endpoints passes back ChangeInfo.Id as ChangeResourceRecordSets gave it (`/change/<id>`); the reference's request names the bare id.
    const output = await route53.send(new GetChangeCommand({ Id: '/change/C2682N5HXP0BZ4' }));
    route53.destroy();
    expect(paths).toEqual(['GET /2013-04-01/change/C2682N5HXP0BZ4']);
    expect(output.ChangeInfo).toMatchObject({ Id: 'C2682N5HXP0BZ4', Status: 'INSYNC', SubmittedAt: new Date('2017-03-10T01:36:41.958Z') });
  });
  it('CloudWatch GetMetricData (AWS CLI Command Reference, example 2) through the SDK and CloudWatchLag: the published datapoint becomes the lag of the published replica, aged from its timestamp', async () => {
    // The replica as RDS's PromoteReadReplica sample shows it (a MySQL read replica of mysqldb), through the RDS SDK.
    const rdsServer = await serving(fixture('rds-promote-read-replica.xml'));
    const rds = new RDSClient(clientConfig(rdsServer.endpoint, 'us-east-1'));
    const db = (await rds.send(new PromoteReadReplicaCommand({ DBInstanceIdentifier: 'mysqldb-rr' }))).DBInstance!;
    rds.destroy();

    const published = JSON.parse(fixture('cloudwatch-get-metric-data.json')) as { MetricDataResults: { Id: string; Timestamps: string[] }[] };
    const cloudWatch = await answering((requestBody) => {
      const sent = JSON.parse(requestBody) as { MetricDataQueries: { Id: string }[] };
      // The CLI prints timestamps as ISO 8601; AWS JSON 1.0 carries epoch seconds. The published result answers the adapter's query.
      const wire = {
        ...published,
        MetricDataResults: published.MetricDataResults.map((result) => ({ ...result, Id: sent.MetricDataQueries[0]!.Id, Timestamps: result.Timestamps.map((at) => Date.parse(at) / 1000) })),
      };
      return { contentType: 'application/x-amz-json-1.0', body: JSON.stringify(wire) };
    });
    const api = new AwsApi('aws', { endpoint: cloudWatch.endpoint, credentials: clientConfig('', '').credentials });
    const clock = new VirtualClock(Date.parse('2024-09-26T12:01:30Z'));
    try {
      const { readings, error } = await new CloudWatchLag('aws', api, clock).read([{ db, region: 'us-east-1' }], new AbortController().signal);
      expect(error).toBeUndefined();
      // What the adapter asked: the replica's ReplicaLag maximum per minute, newest first (the example asks a Maximum of a MetricStat too).
      const query = JSON.parse(cloudWatch.requests[0]!) as { ScanBy: string; MetricDataQueries: { MetricStat: unknown }[] };
      expect(query.ScanBy).toBe('TimestampDescending');
      expect(query.MetricDataQueries[0]!.MetricStat).toEqual({
        Metric: { Namespace: 'AWS/RDS', MetricName: 'ReplicaLag', Dimensions: [{ Name: 'DBInstanceIdentifier', Value: 'mysqldb-rr' }] },
        Period: 60,
        Stat: 'Maximum',
      });
      const reading = readings.get('us-east-1/mysqldb-rr');
      // The datapoint is as old as its timestamp says (90 s), not as fresh as the call.
      expect(reading).toEqual({ seconds: 542.38, at: Date.parse('2024-09-26T12:00:00Z'), ageSeconds: 90 });
      const replica = toDatabaseInstance(db, 'aws', 'us-east-1', 'mysqldb', reading);
      expect(replica.replication).toMatchObject({ upstream: 'mysqldb', state: 'streaming', lagSeconds: 542.38, lagAgeSeconds: 90 });
    } finally {
      api.close();
    }
  });

  it('EC2 RunInstances (AWS CLI Command Reference, example 1) through toNode: a pending, untagged instance in us-east-2a, and one the adapter launched just now', () => {
    const dates = new Set(['LaunchTime', 'AttachTime']);
    const reservation = JSON.parse(fixture('ec2-run-instances.json'), (key, value: unknown) => (dates.has(key) && typeof value === 'string' ? new Date(value) : value)) as Reservation;
    const instance = reservation.Instances![0]!;
    const node = toNode(instance, 'aws', 'us-east-2', 8080);
    expect(node).toMatchObject({
      id: 'i-1231231230abcdef0',
      // No Name tag (Tags is empty): the id names the node.
      name: 'i-1231231230abcdef0',
      region: 'us-east-2',
      zone: 'us-east-2a',
      state: 'pending',
      size: 't2.micro',
      endpoint: '10.0.0.157:8080',
      createdAt: Date.parse('2018-05-10T08:05:20.000Z'),
      extra: { rawState: 'pending', stateCode: 0, stateReason: 'pending', imageId: 'ami-0abcdef1234567890', subnetId: 'subnet-04a636d18e83cfacb', vpcId: 'vpc-1234567890abcdef0' },
    });
    expect(node.group).toBeUndefined();
    // No public address in a default-subnet launch without one ("PublicDnsName": "" and no PublicIpAddress).
    expect(node.extra['publicIp']).toBeUndefined();
    // What createNode remembers of it: an InvalidInstanceID.NotFound for this id right after is EC2's eventual consistency, not "gone".
    const launched = new LaunchedInstances();
    launched.launched('us-east-2', instance, 1_000);
    expect(launched.launchedRecently('i-1231231230abcdef0', 1_000 + 60_000)).toBe(true);
    expect([...launched.byZone('us-east-2').keys()]).toEqual(['us-east-2a']);
  });
  it('EC2 DescribeAvailabilityZones (AWS CLI Command Reference): the Local Zone listed with us-west-2\'s Availability Zones is no zone of the region to fail over to', async () => {
    const published = JSON.parse(fixture('ec2-describe-availability-zones.json')) as { AvailabilityZones: Record<string, unknown>[] };
    // The published answer holds a Local Zone next to the Availability Zones: another network border group.
    expect(published.AvailabilityZones.map((zone) => [zone['ZoneName'], zone['NetworkBorderGroup']])).toContainEqual(['us-west-2-lax-1a', 'us-west-2-lax-1']);
    const { endpoint, requests } = await serving(describeAvailabilityZonesXml(published.AvailabilityZones));
    const provider = createAwsProvider({ regions: ['us-west-2'], endpoint, credentials: clientConfig('', '').credentials });
    try {
      const signal = new AbortController().signal;
      const [region] = await provider.listLocations({ signal });
      expect(requests[0]).toContain('Action=DescribeAvailabilityZones');
      // Replacements and replicas go to the healthy zones of a region: only its Availability Zones are candidates.
      expect(region!.zones.map((zone) => zone.id)).toEqual(['us-west-2a', 'us-west-2b', 'us-west-2c', 'us-west-2d']);
      expect(region!.zones[0]).toMatchObject({ region: 'us-west-2', status: 'available', extra: { rawState: 'available', zoneId: 'usw2-az1' } });
      expect((await provider.zoneStatus({ region: 'us-west-2' }, { signal })).map((zone) => zone.id)).toEqual(['us-west-2a', 'us-west-2b', 'us-west-2c', 'us-west-2d']);
    } finally {
      await provider.close();
    }
  });
});
