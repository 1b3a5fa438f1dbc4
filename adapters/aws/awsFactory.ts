import { z } from 'zod';
import type { AdapterFactory } from '../AdapterFactory.js';
import { envNameSchema, idSchema, portSchema } from '../shared/configFields.js';
import { requireEnv } from '../shared/requireEnv.js';

/** A Route 53 hosted zone id, as the console shows it or as the API returns it (`/hostedzone/Z...`). */
const hostedZoneIdSchema = z.string().regex(/^(\/hostedzone\/)?[A-Z0-9]{1,32}$/, { message: 'expected a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ' });

/** A DNS name: labels of letters, digits, hyphens and underscores, an optional trailing dot. */
const recordNameSchema = z
  .string()
  .max(255)
  .regex(/^([A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?\.)+[A-Za-z0-9_-]+\.?$/, { message: 'expected a fully qualified DNS name such as orders.db.example.com' });

/** An ALB's or NLB's ARN: the resource identifier of a zonal shift. */
const loadBalancerArnSchema = z
  .string()
  .regex(/^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:loadbalancer\/(app|net)\/[^/]+\/[0-9a-f]+$/, {
    message: 'expected an Application or Network Load Balancer ARN (arn:aws:elasticloadbalancing:REGION:ACCOUNT:loadbalancer/app/NAME/ID)',
  });

/** Amazon Web Services (EC2, RDS, CloudWatch, Route 53, ARC zonal shift): the `aws` entry of a config. */
export const awsConfigSchema = z.strictObject({
  type: z.literal('aws'),
  id: idSchema.optional(),
  regions: z.array(idSchema).min(1),
  profile: idSchema.optional().describe('shared-config profile to use (AWS_PROFILE otherwise)'),
  credentials: z
    .strictObject({ accessKeyIdEnv: envNameSchema, secretAccessKeyEnv: envNameSchema, sessionTokenEnv: envNameSchema.optional() })
    .optional()
    .describe('environment variables holding static credentials; default: the SDK provider chain'),
  endpoint: z.string().url().optional(),
  probePort: portSchema.optional(),
  images: z.record(z.string(), z.string()).optional(),
  launchTemplates: z.record(z.string(), z.string()).optional(),
  subnets: z.record(z.string(), z.string()).optional(),
  launchTemplateNetworkInterfaces: z.boolean().optional().describe('the launch templates define network interfaces: the subnet goes in the primary interface'),
  replicaOptions: z
    .record(
      z.string(),
      z.strictObject({
        kmsKeyId: z.string().min(1).optional().describe("KMS key of this region, for replicas of an encrypted source in another region"),
        dbSubnetGroupName: idSchema.optional().describe('DB subnet group of this region (a cross-region replica is otherwise not in a VPC)'),
        vpcSecurityGroupIds: z.array(z.string().regex(/^sg-[0-9a-f]+$/, 'a security group id (sg-...)')).optional(),
      }),
    )
    .optional()
    .describe('per region: what read replicas created there get'),
  defaultSize: idSchema.optional(),
  endpoints: z
    .array(
      z.strictObject({
        database: idSchema.describe('the logical database whose clients use the name'),
        hostedZoneId: hostedZoneIdSchema,
        name: recordNameSchema.describe('the CNAME record clients connect to'),
        ttl: z.number().int().min(0).max(172800).optional().describe('TTL written with each change, seconds (default 60)'),
      }),
    )
    .optional()
    .describe('writer endpoints as Route 53 CNAME records; declares the endpoints capability'),
  loadBalancers: z
    .array(
      z.strictObject({
        id: idSchema,
        arn: loadBalancerArnSchema,
        region: idSchema,
        group: idSchema.describe('the node group behind it'),
      }),
    )
    .optional()
    .describe('load balancers moved with ARC zonal shift; declares the loadBalancers capability'),
}).superRefine((config, ctx) => {
  const names = new Set<string>();
  config.endpoints?.forEach((endpoint, i) => {
    const name = endpoint.name.toLowerCase().replace(/\.$/, '');
    if (names.has(name)) ctx.addIssue({ code: 'custom', path: ['endpoints', i, 'name'], message: `endpoint ${endpoint.name} is configured twice` });
    names.add(name);
  });
  const ids = new Set<string>();
  config.loadBalancers?.forEach((lb, i) => {
    if (ids.has(lb.id)) ctx.addIssue({ code: 'custom', path: ['loadBalancers', i, 'id'], message: `load balancer ${lb.id} is configured twice` });
    ids.add(lb.id);
    if (!config.regions.includes(lb.region)) {
      ctx.addIssue({ code: 'custom', path: ['loadBalancers', i, 'region'], message: `region ${lb.region} is not one of regions (${config.regions.join(', ')})` });
    }
    if (lb.arn.split(':')[3] !== lb.region) {
      ctx.addIssue({ code: 'custom', path: ['loadBalancers', i, 'arn'], message: `the ARN names region ${lb.arn.split(':')[3]}, not ${lb.region}` });
    }
  });
});

/** A validated `aws` config entry. */
export type AwsConfig = z.output<typeof awsConfigSchema>;

/**
 * The `aws` adapter's factory. Static credentials are read from the
 * environment variables the config names, here and nowhere else; a profile
 * goes to the SDK's provider chain. The SDK is loaded on the first `create`.
 */
export const awsFactory: AdapterFactory<'aws', typeof awsConfigSchema> = {
  kind: 'aws',
  configSchema: awsConfigSchema,
  async create(config, { clock, env }) {
    const credentials = config.credentials
      ? {
          accessKeyId: requireEnv(env, config.credentials.accessKeyIdEnv, 'credentials.accessKeyIdEnv'),
          secretAccessKey: requireEnv(env, config.credentials.secretAccessKeyEnv, 'credentials.secretAccessKeyEnv'),
          ...(config.credentials.sessionTokenEnv !== undefined
            ? { sessionToken: requireEnv(env, config.credentials.sessionTokenEnv, 'credentials.sessionTokenEnv') }
            : {}),
        }
      : undefined;
    // The SDK costs seconds to load: only when a config names this adapter.
    const { AwsProvider } = await import('./AwsProvider.js');
    const provider = new AwsProvider({
      ...(config.id !== undefined ? { id: config.id } : {}),
      regions: config.regions,
      ...(config.endpoint !== undefined ? { endpoint: config.endpoint } : {}),
      ...(credentials !== undefined ? { credentials } : {}),
      ...(config.profile !== undefined ? { profile: config.profile } : {}),
      ...(config.probePort !== undefined ? { probePort: config.probePort } : {}),
      ...(config.images !== undefined ? { images: config.images } : {}),
      ...(config.launchTemplates !== undefined ? { launchTemplates: config.launchTemplates } : {}),
      ...(config.subnets !== undefined ? { subnets: config.subnets } : {}),
      ...(config.launchTemplateNetworkInterfaces !== undefined ? { launchTemplateNetworkInterfaces: config.launchTemplateNetworkInterfaces } : {}),
      ...(config.replicaOptions !== undefined ? { replicaOptions: config.replicaOptions } : {}),
      ...(config.defaultSize !== undefined ? { defaultSize: config.defaultSize } : {}),
      ...(config.endpoints !== undefined ? { endpoints: config.endpoints } : {}),
      ...(config.loadBalancers !== undefined ? { loadBalancers: config.loadBalancers } : {}),
      clock,
    });
    return { providers: [provider], close: () => provider.close().catch(() => undefined) };
  },
};
