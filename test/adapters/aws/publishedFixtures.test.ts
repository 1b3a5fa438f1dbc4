import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { CreateDBInstanceReadReplicaCommand, PromoteReadReplicaCommand, RDSClient } from '@aws-sdk/client-rds';
import { GetChangeCommand, Route53Client } from '@aws-sdk/client-route-53';
import { PROMOTE_LATER_STATUSES } from '../../../adapters/aws/rdsStatusTable.js';
import { toDatabaseInstance } from '../../../adapters/aws/toDatabaseInstance.js';
import { toNode } from '../../../adapters/aws/toNode.js';

/**
 * Sample responses published in the AWS API references (each fixture has a
 * sibling `.source.md` naming its page, when it was read and whether it is
 * verbatim), served from loopback to the real AWS SDK clients, so the SDK's
 * own XML deserializer runs, then mapped by the adapter's mappers: the
 * adapter is held to documents nobody here wrote, not only to our emulator.
 */
function fixture(name: string): string {
  const source = readFileSync(new URL(`./fixtures/${name.replace(/\.xml$/, '.source.md')}`, import.meta.url), 'utf8');
  expect(source).toMatch(/\*\*Source:\*\*[^\n]*\n\s+https:\/\/docs\.aws\.amazon\.com\//);
  expect(source).toMatch(/\*\*Verbatim or adapted:\*\* verbatim/);
  return readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** A loopback endpoint that answers every request with `body`, and the requests' bodies and `METHOD path`s it saw. */
async function serving(body: string): Promise<{ endpoint: string; requests: string[]; paths: string[] }> {
  const requests: string[] = [];
  const paths: string[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      requests.push(Buffer.concat(chunks).toString('utf8'));
      paths.push(`${request.method ?? ''} ${request.url ?? ''}`);
      response.writeHead(200, { 'content-type': 'text/xml' });
      response.end(body);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, paths };
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
});
