import type { Provider } from '../../src/core/contract/Provider.js';

/**
 * How an emulated service reads its own records while it serves a request
 * (RDS checking that an instance has no read replicas before a stop, Route 53
 * finding the record a change names). Those lookups are not API calls: a
 * fault on the API's reads must not fail a mutation that only looked
 * something up on the way, nor count as a read. The replay hands the
 * emulators the world's records view (`SimWorld.records`), which is neither
 * recorded nor faulted; an emulator given none reads through its provider.
 */
export type ServiceRecords = Pick<Provider, 'listNodes' | 'listDatabases' | 'zoneStatus' | 'listEndpoints' | 'listLoadBalancers'>;
