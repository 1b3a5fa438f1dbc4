export { localFactory, localConfigSchema, type LocalAdapter, type LocalConfig } from './localFactory.js';
export { LocalProvider } from './LocalProvider.js';
export { LocalProber, type LocalProberOptions } from './LocalProber.js';
export type {
  LocalDatabaseSpec,
  LocalGroupSpec,
  LocalLoadBalancerSpec,
  LocalProviderOptions,
  LocalReplicaSpec,
  LocalTopology,
  PortPurpose,
} from './LocalProviderOptions.js';
export type { PgTarget } from './withPgSession.js';
export { ZONE_FAULTS, type ZoneFault } from './ZoneFault.js';
export type { EndpointRouterChoice, EndpointRouterKind } from './EndpointRouter.js';
export { HAPROXY_INSTALL_HINT } from './findHaproxy.js';
