import { z } from 'zod';
import type { AdapterFactory } from '../AdapterFactory.js';
import { envNameSchema, idSchema, portSchema } from '../shared/configFields.js';
import { requireEnv } from '../shared/requireEnv.js';
import { checkCredentialsFile } from './checkCredentialsFile.js';

/** Google Cloud (Compute Engine, Cloud SQL): the `gcp` entry of a config. */
export const gcpConfigSchema = z
  .strictObject({
    type: z.literal('gcp'),
    id: idSchema.optional(),
    project: idSchema.optional(),
    regions: z.array(idSchema).min(1).optional(),
    credentialsFileEnv: envNameSchema.optional().describe('environment variable naming a service-account key file; default: ADC'),
    accessTokenEnv: envNameSchema
      .optional()
      .describe('environment variable holding an OAuth access token to send instead of ADC (emulators, short-lived tokens); needs project'),
    endpoint: z
      .string()
      .url()
      .optional()
      .describe('one base URL for Compute Engine, Cloud SQL Admin and Cloud Monitoring instead of Google\'s (an emulator: http://127.0.0.1:PORT)'),
    probePort: portSchema.optional(),
    sourceImage: z.string().optional(),
    instanceTemplate: z.string().optional(),
    network: z.string().optional(),
    defaultSize: idSchema.optional(),
  })
  .refine((v) => !(v.credentialsFileEnv !== undefined && v.accessTokenEnv !== undefined), {
    message: 'give credentialsFileEnv or accessTokenEnv, not both',
  })
  .refine((v) => v.accessTokenEnv === undefined || v.project !== undefined, {
    message: 'accessTokenEnv needs project (a bare token does not say which project it is for)',
  });

/** A validated `gcp` config entry. */
export type GcpConfig = z.output<typeof gcpConfigSchema>;

/**
 * The `gcp` adapter's factory. A key file or access token is read from the
 * environment variable the config names, here and nowhere else. The client
 * libraries are loaded on the first `create`.
 */
export const gcpFactory: AdapterFactory<'gcp', typeof gcpConfigSchema> = {
  kind: 'gcp',
  configSchema: gcpConfigSchema,
  async create(config, { clock, env }) {
    // Checked at start (a missing file, a FIFO or a huge one is a clear error, exit 2 in the daemon); later trouble
    // with it is contained by the adapter's auth and reported as a provider error.
    const keyFile =
      config.credentialsFileEnv === undefined ? undefined : await checkCredentialsFile(config.credentialsFileEnv, requireEnv(env, config.credentialsFileEnv, 'credentialsFileEnv'));
    const token = config.accessTokenEnv === undefined ? undefined : requireEnv(env, config.accessTokenEnv, 'accessTokenEnv');
    const endpoint = config.endpoint === undefined ? undefined : new URL(config.endpoint);
    // The client libraries cost seconds to load: only when a config names this adapter.
    const [{ GcpProvider }, { StaticTokenAuth }] = await Promise.all([import('./GcpProvider.js'), import('./StaticTokenAuth.js')]);
    const provider = new GcpProvider({
      ...(config.id !== undefined ? { id: config.id } : {}),
      ...(config.project !== undefined ? { project: config.project } : {}),
      ...(config.regions !== undefined ? { regions: config.regions } : {}),
      ...(keyFile !== undefined ? { keyFile } : {}),
      ...(token !== undefined ? { auth: new StaticTokenAuth(token, config.project!) } : {}),
      ...(endpoint !== undefined
        ? {
            apiEndpoint: endpoint.hostname,
            ...(endpoint.port === '' ? {} : { port: Number(endpoint.port) }),
            protocol: endpoint.protocol === 'http:' ? ('http' as const) : ('https' as const),
          }
        : {}),
      ...(config.probePort !== undefined ? { probePort: config.probePort } : {}),
      ...(config.sourceImage !== undefined ? { sourceImage: config.sourceImage } : {}),
      ...(config.instanceTemplate !== undefined ? { instanceTemplate: config.instanceTemplate } : {}),
      ...(config.network !== undefined ? { network: config.network } : {}),
      ...(config.defaultSize !== undefined ? { defaultSize: config.defaultSize } : {}),
      clock,
    });
    return { providers: [provider], close: () => provider.close().catch(() => undefined) };
  },
};
