import { z } from 'zod';
import type { AdapterFactory } from '../AdapterFactory.js';
import { envNameSchema, idSchema, portSchema } from '../shared/configFields.js';
import { requireEnv } from '../shared/requireEnv.js';

/** Amazon Web Services (EC2, RDS, CloudWatch): the `aws` entry of a config. */
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
  defaultSize: idSchema.optional(),
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
      ...(config.defaultSize !== undefined ? { defaultSize: config.defaultSize } : {}),
      clock,
    });
    return { providers: [provider], close: () => provider.close().catch(() => undefined) };
  },
};
