import {
  BackendServicesClient,
  GlobalOperationsClient,
  InstancesClient,
  RegionBackendServicesClient,
  RegionOperationsClient,
  ZoneOperationsClient,
  ZonesClient,
} from '@google-cloud/compute';
import type { GcpProviderOptions } from './GcpProviderOptions.js';
import type { ScopedAuth } from './ScopedAuth.js';

/** Compute's largest page. */
export const COMPUTE_PAGE = 500;

/**
 * Call options for every Compute request: the client library's own retries
 * (up to ten minutes on UNAVAILABLE for reads) are off, so a call costs a
 * known number of requests and the controller's backoff is the only one.
 */
export const NO_RETRY = { retry: { retryCodes: [] as number[] } };

/** The Compute Engine clients the gcp adapter uses. */
export interface ComputeClientSet {
  readonly instances: InstancesClient;
  readonly zones: ZonesClient;
  readonly operations: ZoneOperationsClient;
  readonly backendServices: BackendServicesClient;
  readonly regionBackendServices: RegionBackendServicesClient;
  readonly globalOperations: GlobalOperationsClient;
  readonly regionOperations: RegionOperationsClient;
}

/**
 * The `@google-cloud/compute` clients, made on first use with the REST
 * transport (Compute is a REST API, and only REST carries the call's signal
 * through {@link ScopedAuth}'s `fetch`), pointed at `apiEndpoint` when set.
 */
export class ComputeClients {
  private set: ComputeClientSet | undefined;

  constructor(
    private readonly auth: ScopedAuth,
    private readonly options: Pick<GcpProviderOptions, 'apiEndpoint' | 'port' | 'protocol'>,
  ) {}

  /** The clients, made on first use. */
  clients(): ComputeClientSet {
    if (this.set === undefined) {
      const { apiEndpoint, port, protocol } = this.options;
      const options = {
        fallback: true,
        auth: this.auth as never,
        ...(apiEndpoint === undefined ? {} : { apiEndpoint }),
        ...(port === undefined ? {} : { port }),
        ...(protocol === undefined ? {} : { protocol }),
      };
      this.set = {
        instances: new InstancesClient(options),
        zones: new ZonesClient(options),
        operations: new ZoneOperationsClient(options),
        backendServices: new BackendServicesClient(options),
        regionBackendServices: new RegionBackendServicesClient(options),
        globalOperations: new GlobalOperationsClient(options),
        regionOperations: new RegionOperationsClient(options),
      };
    }
    return this.set;
  }

  /** Closes the clients, if any were made; later use makes new ones. */
  async close(): Promise<void> {
    const set = this.set;
    this.set = undefined;
    if (set !== undefined) await Promise.all(Object.values(set).map((client: { close(): Promise<void> }) => client.close()));
  }
}
