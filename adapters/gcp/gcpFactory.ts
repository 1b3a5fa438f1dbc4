import { z } from 'zod';
import type { AdapterFactory } from '../AdapterFactory.js';
import { envNameSchema, idSchema, portSchema } from '../shared/configFields.js';
import { requireEnv } from '../shared/requireEnv.js';
import { checkCredentialsFile } from './checkCredentialsFile.js';

/** A DNS name: dot-separated labels of letters, digits and hyphens, with or without the final dot. */
const DNS_NAME = /^(?=.{1,253}\.?$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.?$/;

/** Google Cloud (Compute Engine, Cloud SQL, Cloud DNS, backend services): the `gcp` entry of a config. */
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
    endpoints: z
      .array(
        z.strictObject({
          database: idSchema.describe('the logical database (lifeboat-cluster label) whose clients use the name'),
          managedZone: idSchema.describe('the Cloud DNS managed zone (its name) holding the record'),
          name: z.string().regex(DNS_NAME, { message: 'expected a DNS name such as orders.db.internal.example.com' }),
          ttl: z.number().int().min(0).max(86_400).optional().describe('TTL written with a change, seconds; default: the record\'s own'),
        }),
      )
      .optional()
      .describe('writer endpoints as Cloud DNS A records; declares the endpoints capability'),
    loadBalancers: z
      .array(
        z.strictObject({
          id: idSchema,
          backendService: idSchema.describe('the backend service\'s name'),
          region: idSchema.optional().describe('the region of a regional backend service; absent for a global one'),
          group: idSchema.describe('the node group (lifeboat-group label) behind it'),
        }),
      )
      .optional()
      .describe('zonal load balancers as backend services (one instance group per zone); declares the loadBalancers capability'),
  })
  .refine((v) => new Set((v.endpoints ?? []).map((e) => e.name.replace(/\.$/, ''))).size === (v.endpoints ?? []).length, {
    message: 'two endpoints have the same name',
    path: ['endpoints'],
  })
  .refine((v) => new Set((v.loadBalancers ?? []).map((lb) => lb.id)).size === (v.loadBalancers ?? []).length, {
    message: 'two load balancers have the same id',
    path: ['loadBalancers'],
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
      ...(config.endpoints !== undefined ? { endpoints: config.endpoints } : {}),
      ...(config.loadBalancers !== undefined ? { loadBalancers: config.loadBalancers } : {}),
      clock,
    });
    return { providers: [provider], close: () => provider.close().catch(() => undefined) };
  },
};
