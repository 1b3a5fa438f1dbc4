import { CreateDBInstanceReadReplicaCommand, RDSClient, StopDBInstanceCommand } from '@aws-sdk/client-rds';
import { afterEach, describe, expect, it } from 'vitest';
import { awsWire, type AwsWire } from './awsFixture.js';
import { rejectionOf } from './captureOutput.js';

/** A request signed in shape (the emulator checks the shape and reads the scope, never the signature). */
function post(wire: AwsWire, service: string, body: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(wire.emulator.endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-amz-date': '20260101T000000Z',
      authorization: `AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20260101/us-east-1/${service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`,
      ...headers,
    },
    body,
  });
}

describe('aws emulator wire format', () => {
  let wire: AwsWire;
  afterEach(async () => wire?.close());

  it('answers EC2 in the 2016-11-15 namespace, with item lists and a next token', async () => {
    wire = await awsWire();
    const response = await post(wire, 'ec2', 'Action=DescribeInstances&Version=2016-11-15&MaxResults=5&Filter.1.Name=tag%3Alifeboat%3Agroup&Filter.1.Value.1=web');
    const xml = await response.text();
    expect(response.status).toBe(200);
    expect(xml).toContain('<DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">');
    expect(xml).toMatch(/<reservationSet><item><reservationId>r-[0-9a-f]{17}<\/reservationId>/);
    expect(xml).toContain('<instanceState><code>16</code><name>running</name></instanceState>');
    expect(xml).toContain('<key>lifeboat:group</key><value>web</value>');
    expect(xml).not.toContain('<nextToken>');
  });

  it('refuses a request whose SigV4 signing is malformed (IncompleteSignature, 403), before the world is asked', async () => {
    wire = await awsWire();
    const shapes: Record<string, string>[] = [
      { authorization: 'AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20260101/us-east-1/ec2/aws4_request, SignedHeaders=host;x-amz-date, Signature=00' },
      { authorization: `AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20260101/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=${'0'.repeat(64)}` },
      { 'x-amz-date': 'yesterday' },
      { 'x-amz-date': '20251231T235959Z' },
    ];
    for (const headers of shapes) {
      const response = await post(wire, 'ec2', 'Action=DescribeInstances&Version=2016-11-15', headers);
      expect(response.status).toBe(403);
      expect(await response.text()).toContain('<Code>IncompleteSignature</Code>');
    }
    expect(wire.world.calls).toHaveLength(0);
  });

  it('refuses unknown actions, filters and tokens in EC2\'s error format', async () => {
    wire = await awsWire();
    const unknown = await post(wire, 'ec2', 'Action=DescribeVolumes&Version=2016-11-15');
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toMatch(/^<\?xml[^>]*>\n<Response><Errors><Error><Code>InvalidAction<\/Code><Message>[^<]+<\/Message><\/Error><\/Errors><RequestID>[^<]+<\/RequestID><\/Response>$/);
    const filter = await post(wire, 'ec2', 'Action=DescribeInstances&Filter.1.Name=vpc-id&Filter.1.Value.1=x');
    expect(await filter.text()).toContain('<Code>InvalidParameterValue</Code>');
    const token = await post(wire, 'ec2', 'Action=DescribeInstances&NextToken=bogus');
    expect(await token.text()).toContain('<Code>InvalidParameterValue</Code>');
    // Refused before the world is asked: a malformed request is no world call.
    expect(wire.world.calls).toHaveLength(0);
  });

  it('answers RDS in the 2014-10-31 namespace and refuses in <ErrorResponse>', async () => {
    wire = await awsWire();
    const ok = await post(wire, 'rds', 'Action=DescribeDBInstances&Version=2014-10-31');
    const xml = await ok.text();
    expect(xml).toContain('<DescribeDBInstancesResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/"><DescribeDBInstancesResult><DBInstances><DBInstance>');
    expect(xml).toContain('<ReadReplicaDBInstanceIdentifiers><ReadReplicaDBInstanceIdentifier>orders-b</ReadReplicaDBInstanceIdentifier></ReadReplicaDBInstanceIdentifiers>');
    expect(xml).toContain('<ResponseMetadata><RequestId>');
    const unknown = await post(wire, 'rds', 'Action=ModifyDBInstance&Version=2014-10-31');
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toContain('<ErrorResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/"><Error><Type>Sender</Type><Code>InvalidAction</Code>');
    const missing = await post(wire, 'rds', 'Action=DescribeDBInstances&DBInstanceIdentifier=nope');
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('<Code>DBInstanceNotFound</Code>');
  });

  it('applies RDS\'s snapshot rules to DeleteDBInstance: none for a replica, one or an explicit skip for the rest', async () => {
    wire = await awsWire();
    const replicaWithSnapshot = await post(wire, 'rds', 'Action=DeleteDBInstance&DBInstanceIdentifier=orders-b&FinalDBSnapshotIdentifier=final-1');
    expect(replicaWithSnapshot.status).toBe(400);
    expect(await replicaWithSnapshot.text()).toContain('<Code>InvalidParameterCombination</Code>');
    const primaryWithout = await post(wire, 'rds', 'Action=DeleteDBInstance&DBInstanceIdentifier=orders');
    expect(await primaryWithout.text()).toContain('<Code>InvalidParameterCombination</Code>');
    expect(wire.world.calls.filter((call) => call.operation === 'destroyDatabase')).toEqual([]);
    // The world refuses to delete an instance that has replicas (RDS would promote them).
    const withReplicas = await post(wire, 'rds', 'Action=DeleteDBInstance&DBInstanceIdentifier=orders&SkipFinalSnapshot=true');
    expect(withReplicas.status).toBe(400);
    expect(await withReplicas.text()).toContain('<Code>InvalidDBInstanceState</Code>');
    const ok = await post(wire, 'rds', 'Action=DeleteDBInstance&DBInstanceIdentifier=orders-b&SkipFinalSnapshot=true');
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('<DeleteDBInstanceResult><DBInstance><DBInstanceIdentifier>orders-b</DBInstanceIdentifier></DBInstance></DeleteDBInstanceResult>');
    const listed = await (await post(wire, 'rds', 'Action=DescribeDBInstances&DBInstanceIdentifier=orders-b')).text();
    expect(listed).toContain('<DBInstanceStatus>deleting</DBInstanceStatus>');
  });

  it('refuses StopDBInstance with the codes and HTTP statuses of its API reference, as the RDS SDK reads them', async () => {
    // https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_StopDBInstance.html: DBInstanceNotFound 404,
    // InvalidDBInstanceState 400 (a read replica, an instance with read replicas, one not in a state to stop).
    const client = (endpoint: string) =>
      new RDSClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'AKIAEXAMPLESTOPDB', secretAccessKey: 'stop-db-secret' }, maxAttempts: 1 });
    const refusal = async (rds: RDSClient, id: string) => {
      const error = (await rejectionOf(rds.send(new StopDBInstanceCommand({ DBInstanceIdentifier: id })))) as { name?: string; Code?: string; $fault?: string; $metadata?: { httpStatusCode?: number } };
      return [error.name, error.Code, error.$fault, error.$metadata?.httpStatusCode];
    };
    wire = await awsWire();
    const strict = client(wire.emulator.endpoint);
    expect(await refusal(strict, 'orders-b')).toEqual(['InvalidDBInstanceStateFault', 'InvalidDBInstanceState', 'client', 400]);
    expect(await refusal(strict, 'orders')).toEqual(['InvalidDBInstanceStateFault', 'InvalidDBInstanceState', 'client', 400]);
    expect(await refusal(strict, 'no-such-db')).toEqual(['DBInstanceNotFoundFault', 'DBInstanceNotFound', 'client', 404]);
    expect(wire.world.calls.filter((call) => call.operation === 'stopDatabase').map((call) => call.result)).toEqual(['invalid']);
    strict.destroy();
    await wire.close();

    // Without rdsRules the world refuses on its own: an instance still being created cannot be stopped.
    wire = await awsWire({ emulator: { rdsRules: false } });
    const lenient = client(wire.emulator.endpoint);
    await lenient.send(new CreateDBInstanceReadReplicaCommand({ DBInstanceIdentifier: 'orders-c', SourceDBInstanceIdentifier: 'orders' }));
    expect(await refusal(lenient, 'orders-c')).toEqual(['InvalidDBInstanceStateFault', 'InvalidDBInstanceState', 'client', 400]);
    lenient.destroy();
  });

  it('refuses unsigned requests and unknown services', async () => {
    wire = await awsWire();
    const unsigned = await fetch(wire.emulator.endpoint, { method: 'POST', body: 'Action=DescribeInstances' });
    expect(unsigned.status).toBe(403);
    expect(await unsigned.text()).toContain('MissingAuthenticationToken');
    const s3 = await post(wire, 's3', 'Action=ListBuckets');
    expect(await s3.text()).toContain('UnknownService');
    expect(wire.world.calls).toHaveLength(0);
  });
});
