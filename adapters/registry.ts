/**
 * The provider registry (Libcloud's `get_driver`): each adapter kind a
 * config can name, mapped to that adapter's one factory. Applications create
 * adapters here, or through an adapter's public `index.ts`, and nowhere else
 * (`test/layering/`). The factories are light: importing this module loads
 * no cloud SDK and no PostgreSQL (each factory imports those in `create`).
 */
import { z } from 'zod';
import type { AdapterContext, AdapterFactory, AdapterInstance } from './AdapterFactory.js';
import { awsFactory, type AwsConfig } from './aws/awsFactory.js';
import { gcpFactory, type GcpConfig } from './gcp/gcpFactory.js';
import { localFactory, type LocalConfig } from './local/localFactory.js';
import { simFactory, type SimConfig } from './sim/simFactory.js';

export type { AdapterContext, AdapterFactory, AdapterInstance } from './AdapterFactory.js';
export type { AwsConfig } from './aws/awsFactory.js';
export type { GcpConfig } from './gcp/gcpFactory.js';
export type { LocalAdapter, LocalConfig } from './local/localFactory.js';
export type { SimConfig } from './sim/simFactory.js';
/** Config fields the adapters' entries use, for applications whose own keys mean the same (an API token's variable). */
export { envNameSchema, idSchema } from './shared/configFields.js';

/** Every adapter a config can name, by kind. */
export const ADAPTER_FACTORIES = {
  sim: simFactory,
  local: localFactory,
  aws: awsFactory,
  gcp: gcpFactory,
} as const;

/** An adapter kind: the `type` of a config's provider entry. */
export type AdapterKind = keyof typeof ADAPTER_FACTORIES;

/** The kinds, in the order configs and the JSON Schema list them. */
export const ADAPTER_KINDS = Object.keys(ADAPTER_FACTORIES) as readonly AdapterKind[];

/** The factory of `kind` (Libcloud's `get_driver(Provider.X)`). */
export function getFactory<K extends AdapterKind>(kind: K): (typeof ADAPTER_FACTORIES)[K] {
  return ADAPTER_FACTORIES[kind];
}

/**
 * One provider entry of a config, for any adapter: the factories' schemas,
 * told apart by `type`. An application composes its config schema from this
 * rather than knowing any adapter's keys.
 */
export const adapterConfigSchema = z.discriminatedUnion('type', [
  simFactory.configSchema,
  localFactory.configSchema,
  awsFactory.configSchema,
  gcpFactory.configSchema,
]);

/** A validated provider entry, as the schema gives it. */
export type AdapterConfigEntry = z.output<typeof adapterConfigSchema>;

/** A provider entry ready for its factory (a `sim` entry with its world read). */
export type AdapterConfig = SimConfig | LocalConfig | AwsConfig | GcpConfig;

/** Creates the adapter an entry names, through its kind's factory. */
export function createAdapter(config: AdapterConfig, context: AdapterContext): Promise<AdapterInstance> {
  // TypeScript cannot correlate the entry's `type` with the factory it picks; each factory takes exactly its own kind's entry.
  const factory = ADAPTER_FACTORIES[config.type] as AdapterFactory<AdapterKind, z.ZodType<{ readonly type: AdapterKind }>, AdapterConfig>;
  return factory.create(config, context);
}

// Secret redaction of the cloud adapters, light to load (no SDK), for messages that leave an adapter's boundary.
export { redactAwsSecrets } from './aws/redactAwsSecrets.js';
export { redactGcpSecrets } from './gcp/redactGcpSecrets.js';
