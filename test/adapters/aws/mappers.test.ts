import { describe, expect, it } from 'vitest';
import {
  awsSizes,
  AWS_PRICE_SOURCE,
  ec2StatesFor,
  RDS_REPLICATION_STATES,
  ReplicationStopWatch,
  toAwsProviderError,
  toDatabaseInstance,
  toDatabaseState,
  toNode,
  toNodeState,
  toZoneStatus,
} from '../../../adapters/aws/index.js';
import { redactAwsSecrets } from '../../../adapters/aws/redactAwsSecrets.js';

describe('aws state tables', () => {
  it('maps every EC2 instance state, and anything else to unknown', () => {
    expect(['pending', 'running', 'shutting-down', 'terminated', 'stopping', 'stopped', 'hibernating', '', undefined].map(toNodeState)).toEqual([
      'pending',
      'running',
      'stopping',
      'terminated',
      'stopping',
      'stopped',
      'unknown',
      'unknown',
      'unknown',
    ]);
    expect(toNodeState('constructor')).toBe('unknown');
  });

  it('computes the EC2 state names of a contract state set, or none when unknown is asked for', () => {
    expect(ec2StatesFor(['stopping'])).toEqual(['shutting-down', 'stopping']);
    expect(ec2StatesFor(['running', 'pending'])).toEqual(['pending', 'running']);
    expect(ec2StatesFor(['rebooting', 'error'])).toEqual([]);
    expect(ec2StatesFor(['running', 'unknown'])).toBeUndefined();
  });

  it('maps RDS statuses by whether the instance serves, comes back by itself, or needs an operator', () => {
    expect(toDatabaseState('available')).toBe('available');
    expect(toDatabaseState('modifying')).toBe('available');
    expect(toDatabaseState('backing-up')).toBe('available');
    expect(toDatabaseState('creating')).toBe('creating');
    expect(toDatabaseState('rebooting')).toBe('rebooting');
    expect(toDatabaseState('starting')).toBe('rebooting');
    expect(toDatabaseState('stopping')).toBe('stopping');
    expect(toDatabaseState('stopped')).toBe('stopped');
    expect(toDatabaseState('storage-full')).toBe('failed');
    expect(toDatabaseState('incompatible-parameters')).toBe('failed');
    expect(toDatabaseState('some-future-status')).toBe('unknown');
    expect(toDatabaseState(undefined)).toBe('unknown');
  });

  it('maps zone states to the provider status', () => {
    expect(['available', 'information', 'impaired', 'constrained', 'unavailable', 'weird', undefined].map(toZoneStatus)).toEqual([
      'available',
      'available',
      'impaired',
      'impaired',
      'unavailable',
      'unknown',
      'unknown',
    ]);
  });
});

describe('aws mappers', () => {
  it('maps an instance, with tags, type, endpoint and provider-only data in extra', () => {
    const node = toNode(
      {
        InstanceId: 'i-0abc',
        State: { Name: 'running', Code: 16 },
        InstanceType: 'm5.large',
        Placement: { AvailabilityZone: 'us-east-1b' },
        PrivateIpAddress: '10.0.0.7',
        LaunchTime: new Date('2024-01-02T03:04:05Z'),
        Tags: [
          { Key: 'Name', Value: 'web-7' },
          { Key: 'lifeboat:group', Value: 'web' },
        ],
      },
      'aws',
      'us-east-1',
      8080,
    );
    expect(node).toMatchObject({
      id: 'i-0abc',
      name: 'web-7',
      region: 'us-east-1',
      zone: 'us-east-1b',
      state: 'running',
      group: 'web',
      size: 'm5.large',
      endpoint: '10.0.0.7:8080',
      createdAt: Date.parse('2024-01-02T03:04:05Z'),
    });
    expect(node.extra).toMatchObject({ rawState: 'running', stateCode: 16, privateIp: '10.0.0.7' });
    expect(toNode({ InstanceId: 'i-1', State: { Name: 'hibernated' as never } }, 'aws', 'us-east-1')).toMatchObject({ name: 'i-1', state: 'unknown' });
  });

  it('maps a cross-region replica named by ARN, with its replication status and lag', () => {
    const db = toDatabaseInstance(
      {
        DBInstanceIdentifier: 'orders-w',
        DBInstanceStatus: 'available',
        Engine: 'postgres',
        AvailabilityZone: 'us-west-2a',
        ReadReplicaSourceDBInstanceIdentifier: 'arn:aws:rds:us-east-1:123456789012:db:orders',
        StatusInfos: [{ StatusType: 'read replication', Status: 'error', Normal: false }],
        Endpoint: { Address: 'orders-w.abc.us-west-2.rds.amazonaws.com', Port: 5432 },
      },
      'aws',
      'us-west-2',
      'orders',
      { seconds: 7, at: 1000, ageSeconds: 90 },
    );
    expect(db).toMatchObject({
      id: 'orders-w',
      cluster: 'orders',
      role: 'replica',
      state: 'available',
      endpoint: 'orders-w.abc.us-west-2.rds.amazonaws.com:5432',
      replication: { upstream: 'orders', mode: 'async', state: 'disconnected', lagSeconds: 7, lastContactSeconds: null, lagAgeSeconds: 90 },
    });
    const primary = toDatabaseInstance({ DBInstanceIdentifier: 'orders', DBInstanceStatus: 'stopped' }, 'aws', 'us-east-1', 'orders', undefined);
    expect(primary).toMatchObject({ role: 'primary', state: 'stopped' });
    expect(primary.replication).toBeUndefined();
  });

  it('reads ReplicaLag -1 per engine: MySQL and MariaDB say replication is not active (unknown lag, disconnected), PostgreSQL only unknown', () => {
    const replica = (Engine: string, Status: string, seconds: number) =>
      toDatabaseInstance(
        { DBInstanceIdentifier: 'r', DBInstanceStatus: 'available', Engine, ReadReplicaSourceDBInstanceIdentifier: 'p', StatusInfos: [{ StatusType: 'read replication', Status }] },
        'aws',
        'us-east-1',
        'p',
        { seconds, at: 0, ageSeconds: 60 },
      ).replication!;
    // RDS may still show `replicating` for a while: the metric says otherwise.
    expect(replica('mysql', 'replicating', -1)).toMatchObject({ state: 'disconnected', lagSeconds: null });
    expect(replica('mariadb', 'replicating', -1)).toMatchObject({ state: 'disconnected', lagSeconds: null });
    expect(replica('mysql', 'replicating', -1).lagAgeSeconds).toBeUndefined();
    expect(replica('mysql', 'terminated', -1)).toMatchObject({ state: 'broken', lagSeconds: null });
    expect(replica('postgres', 'replicating', -1)).toMatchObject({ state: 'streaming', lagSeconds: null });
    expect(replica('mysql', 'replicating', 0)).toMatchObject({ state: 'streaming', lagSeconds: 0, lagAgeSeconds: 60 });
  });

  it('maps the read replication status honestly: stopped-but-may-resume is disconnected, only terminated is broken', () => {
    const stateOf = (Status: string | undefined) =>
      toDatabaseInstance(
        { DBInstanceIdentifier: 'r', DBInstanceStatus: 'available', ReadReplicaSourceDBInstanceIdentifier: 'p', ...(Status === undefined ? {} : { StatusInfos: [{ StatusType: 'read replication', Status }] }) },
        'aws',
        'us-east-1',
        'p',
        null,
      ).replication?.state;
    expect(stateOf('replicating')).toBe('streaming');
    expect(stateOf('replication degraded')).toBe('streaming');
    expect(stateOf('replication stop point set')).toBe('streaming');
    expect(stateOf('replication stop point reached')).toBe('disconnected');
    expect(stateOf('error')).toBe('disconnected');
    expect(stateOf('stopped')).toBe('disconnected');
    expect(stateOf('terminated')).toBe('broken');
    expect(stateOf('something new')).toBe('unknown');
    expect(stateOf(undefined)).toBe('unknown');
    expect(Object.keys(RDS_REPLICATION_STATES).sort()).toEqual(
      ['error', 'replicating', 'replication degraded', 'replication stop point reached', 'replication stop point set', 'stopped', 'terminated'],
    );
  });

  it('the stop watch reports a lower bound on time without contact, from the first listing that saw replication stopped', () => {
    const watch = new ReplicationStopWatch();
    // Never seen streaming: it may have stopped long before; nothing to say.
    expect(watch.observe('us-east-1/a', 'disconnected', 1_000)).toBeNull();
    expect(watch.observe('us-east-1/a', 'disconnected', 9_000)).toBeNull();
    expect(watch.observe('us-east-1/b', 'streaming', 1_000)).toBeNull();
    expect(watch.observe('us-east-1/b', 'disconnected', 5_000)).toBe(0);
    expect(watch.observe('us-east-1/b', 'unknown', 7_500)).toBe(2.5);
    expect(watch.observe('us-east-1/b', 'broken', 12_000)).toBe(7);
    // Streaming again: the next stop counts from its own first sighting.
    expect(watch.observe('us-east-1/b', 'streaming', 20_000)).toBeNull();
    expect(watch.observe('us-east-1/b', 'disconnected', 30_000)).toBe(0);
    expect(watch.observe('us-east-1/b', 'disconnected', 31_000)).toBe(1);
  });

  it('embeds a size table with a documented price source, priced only for us-east-1', () => {
    const east = awsSizes('aws', 'us-east-1');
    expect(east.find((size) => size.id === 'm5.large')).toMatchObject({ vcpus: 2, memoryMiB: 8192, pricePerHour: 0.096, priceSource: AWS_PRICE_SOURCE });
    const elsewhere = awsSizes('aws', 'eu-west-1');
    expect(elsewhere.map((size) => size.id)).toEqual(east.map((size) => size.id));
    expect(elsewhere.every((size) => size.pricePerHour === null)).toBe(true);
  });
});

describe('aws error translation without the wire', () => {
  it('an aborted signal wins over whatever was thrown', () => {
    const signal = AbortSignal.abort();
    expect(toAwsProviderError(Object.assign(new Error('boom'), { name: 'InternalError' }), { provider: 'aws', operation: 'listNodes', signal }).kind).toBe('timeout');
  });

  it('missing local credentials are terminal, with the adapter\'s own message', () => {
    const error = toAwsProviderError(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }), {
      provider: 'aws',
      operation: 'listNodes',
    });
    expect(error).toMatchObject({ kind: 'terminal', code: 'CredentialsProviderError' });
  });

  it('redacts secrets by value and by shape', () => {
    const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    expect(redactAwsSecrets(`bad key ${secret} here`)).toBe('bad key [redacted] here');
    expect(redactAwsSecrets('X-Amz-Security-Token: abcdef123')).toBe('X-Amz-Security-Token: [redacted]');
    expect(redactAwsSecrets('Signature=deadbeef, other')).toBe('Signature=[redacted], other');
    expect(redactAwsSecrets('known s3cr3t-value!', ['s3cr3t-value'])).toBe('known [redacted]!');
    expect(redactAwsSecrets('instance i-0abc in us-east-1a')).toBe('instance i-0abc in us-east-1a');
  });
});
