import type { EC2ClientConfig } from '@aws-sdk/client-ec2';
import type { Clock } from '../../src/core/clock/Clock.js';

/** A database's writer endpoint served by a Route 53 record (see {@link AwsProviderOptions.endpoints}). */
export interface AwsEndpointOptions {
  /** The logical database (replication cluster) whose clients use the name. */
  readonly database: string;
  /** The hosted zone holding the record (`Z0123456789ABCDEFGHIJ`, with or without `/hostedzone/`). */
  readonly hostedZoneId: string;
  /** The record's name, the endpoint's id in the contract (`orders.db.example.com`). */
  readonly name: string;
  /** TTL written with each change, in seconds. Default 60. */
  readonly ttl?: number;
}

/** A load balancer registered with ARC zonal shift (see {@link AwsProviderOptions.loadBalancers}). */
export interface AwsLoadBalancerOptions {
  /** The load balancer's id in the contract. */
  readonly id: string;
  /** Its ARN: the zonal shift resource identifier. */
  readonly arn: string;
  readonly region: string;
  /** The node group it sends requests to. */
  readonly group: string;
}

/** What a read replica created in one region gets (see {@link AwsProviderOptions.replicaOptions}). */
export interface AwsReplicaOptions {
  readonly kmsKeyId?: string;
  readonly dbSubnetGroupName?: string;
  readonly vpcSecurityGroupIds?: readonly string[];
}

/** Options for {@link AwsProvider}. Every field is optional; the defaults suit a real account. */
export interface AwsProviderOptions {
  /** Provider id used in nodes, errors and scenarios. Default `aws`. */
  readonly id?: string;
  /**
   * Regions the adapter manages. Default: the one region the AWS SDK
   * resolves (`AWS_REGION`, then the shared config file's profile).
   * Requests naming another region are `invalid-input`.
   */
  readonly regions?: readonly string[];
  /**
   * One endpoint for EC2, RDS and CloudWatch instead of the regional AWS
   * endpoints (`http://127.0.0.1:PORT` for the emulator, a VPC endpoint, a
   * LocalStack URL). The region still goes into each request's signature.
   */
  readonly endpoint?: string;
  /**
   * Credentials instead of the default provider chain (environment, shared
   * files, SSO, web identity, ECS/EC2 instance roles). For tests.
   */
  readonly credentials?: EC2ClientConfig['credentials'];
  /**
   * Shared-config profile for the default provider chain and the default
   * region (instead of `AWS_PROFILE`). Ignored for credentials when
   * `credentials` is given.
   */
  readonly profile?: string;
  /**
   * Attempts per SDK request, retries included. Default 1: retries belong to
   * the controller, which backs off per provider and region, and a second
   * retry layer underneath it multiplies calls during exactly the throttle
   * storms it should calm.
   */
  readonly maxAttempts?: number;
  /** AMI per region for {@link AwsProvider.createNode}, unless a launch template is configured for it. */
  readonly images?: Readonly<Record<string, string>>;
  /** Launch template name per region (its network, security groups, key and user data apply). */
  readonly launchTemplates?: Readonly<Record<string, string>>;
  /** Subnet per zone, for VPCs without a default subnet in that zone. */
  readonly subnets?: Readonly<Record<string, string>>;
  /**
   * Set when the launch templates define network interfaces: EC2 refuses a
   * `SubnetId` next to them (a subnet then belongs in a network interface:
   * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_RunInstances.html),
   * so the zone's subnet is sent as the primary interface's (`DeviceIndex`
   * 0) instead. Default false.
   */
  readonly launchTemplateNetworkInterfaces?: boolean;
  /**
   * Per region, what an RDS read replica created there needs
   * (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstanceReadReplica.html):
   * `kmsKeyId`, the KMS key of that region for a replica of an encrypted
   * source in another region (a key belongs to one region); `dbSubnetGroupName`,
   * without which a cross-region replica is not created in a VPC;
   * `vpcSecurityGroupIds`.
   */
  readonly replicaOptions?: Readonly<Record<string, AwsReplicaOptions>>;
  /** Instance type when a create request names no size. Default: the launch template's, or EC2's own default. */
  readonly defaultSize?: string;
  /** Port the controller probes nodes on; with it, nodes get `endpoint` = `privateIp:port`. */
  readonly probePort?: number;
  /**
   * Where replica lag comes from. `cloudwatch` (default): one `GetMetricData`
   * call per region and listing, reading RDS's `ReplicaLag` metric; the
   * adapter then declares `replicationStatus`. `none`: lag is `null` and the
   * capability is not declared.
   */
  readonly replicaLag?: 'cloudwatch' | 'none';
  /**
   * Where a replica's `lastContactSeconds` comes from; RDS reports no time
   * of last contact. `observed` (default): the adapter notes when a listing
   * first shows a replica's replication stopped (`StatusInfos` no longer
   * `replicating`) after one that showed it replicating, and reports the
   * seconds since then: a lower bound on the time without contact, so loss
   * estimates err high, never low. `null` while replicating and for a
   * replica never seen replicating. `none`: always `null`.
   */
  readonly replicationContact?: 'observed' | 'none';
  /**
   * Also call `DescribeInstanceStatus` on every listing and put the
   * instance and system status checks in each node's `extra`. Default
   * false: it doubles the read calls of every listing.
   */
  readonly instanceStatus?: boolean;
  /**
   * Writer endpoints as Route 53 CNAME records pointing at an RDS instance's
   * address. With at least one, the adapter declares `endpoints`.
   */
  readonly endpoints?: readonly AwsEndpointOptions[];
  /**
   * Load balancers (ALB, NLB with cross-zone load balancing off) moved
   * with ARC zonal shift. With at least one, the adapter declares
   * `loadBalancers`.
   */
  readonly loadBalancers?: readonly AwsLoadBalancerOptions[];
  /** Time source for the CloudWatch query window and observed replication stops. Default: the system clock. */
  readonly clock?: Clock;
}
