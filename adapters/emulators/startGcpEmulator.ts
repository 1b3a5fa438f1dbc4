import { isProviderError, type ProviderError } from '../../src/core/contract/errors.js';
import type { Provider } from '../../src/core/contract/Provider.js';
import type { ServiceRecords } from './ServiceRecords.js';
import { backendServiceAction, computeOperationAction } from './backendServiceRoutes.js';
import { BackendNotes } from './BackendNotes.js';
import { cloudDnsAction } from './cloudDnsRoutes.js';
import { googleErrorBody } from './googleErrorBody.js';
import { computeAction } from './computeRoutes.js';
import { DnsChangeStore } from './DnsChangeStore.js';
import { monitoringAction } from './monitoringRoutes.js';
import type { EmulatorHandle } from './EmulatorHandle.js';
import type { GcpCallContext } from './GcpCallContext.js';
import { HttpEmulator, type WireFrontEnd, type WireRequest, type WireResponse, type WorldWait } from './HttpEmulator.js';
import { OperationStore } from './OperationStore.js';
import { MetricSamples } from './MetricSamples.js';
import type { Clock } from '../../src/core/clock/Clock.js';
import { FULL_REACH, type GcpControlPlaneReach } from './GcpControlPlaneReach.js';
import type { GcpStrictness } from './GcpCallContext.js';
import { sqlAdminAction } from './sqlAdminRoutes.js';
import type { WireRequestInfo } from './WireFault.js';
import { WireError } from './WireError.js';

/** Options for {@link startGcpEmulator}. */
export interface GcpEmulatorOptions {
  /** The provider whose state and behaviour the emulator serves (normally a `SimWorld`'s `gcp` provider). */
  readonly provider: Provider;
  /** Interface to listen on. Default `127.0.0.1`. */
  readonly host?: string;
  /** Port; default an ephemeral one. */
  readonly port?: number;
  /**
   * Report each operation `RUNNING` for this many `get`/`wait` polls before
   * `DONE` (default 0: done at once). The world has already carried the
   * request out; this only exercises a client's waiting.
   */
  readonly operationPolls?: number;
  /**
   * The world's clock. With it the emulator is as slow as the service where
   * a client must cope with it: operations run for their duration
   * ({@link DEFAULT_OPERATION_SECONDS}, or `operationSeconds`) before they
   * are `DONE`, and Cloud Monitoring samples every 60 s and shows a sample
   * only after its visibility delay. In a replay this clock is virtual, so
   * none of it costs real time. Without it operations are done at once and
   * metrics show the world's current value.
   */
  readonly clock?: Clock;
  /** Durations of operations by `operationType`, in seconds of `clock` time, over the defaults. */
  readonly operationSeconds?: Readonly<Record<string, number>>;
  /**
   * How the services read their own records while serving a request (see
   * {@link ServiceRecords}). Default `provider`: each such lookup is then a
   * world read, which the world's faults on reads reach too.
   */
  readonly records?: ServiceRecords;
  /** Where the control plane cannot look now (default: everywhere reachable); see {@link GcpControlPlaneReach}. */
  readonly reach?: () => GcpControlPlaneReach;
  /**
   * Zones out of capacity now: an `instances.insert` there is accepted and
   * its operation ends with `ZONE_RESOURCE_POOL_EXHAUSTED`, as GCE reports
   * a stockout; the world is not asked.
   */
  readonly stockouts?: () => readonly string[];
}

/**
 * How long each operation runs before it is `DONE`, in seconds, by
 * `operationType`. Orders of magnitude from Google's documentation and
 * common experience, not measurements: a VM create takes tens of seconds, a
 * Cloud SQL replica minutes. Types not listed take 10 s.
 */
export const DEFAULT_OPERATION_SECONDS: Readonly<Record<string, number>> = Object.freeze({
  insert: 20,
  start: 15,
  stop: 15,
  reset: 5,
  delete: 15,
  patch: 10,
  CREATE_REPLICA: 300,
  PROMOTE_REPLICA: 60,
  UPDATE: 30,
  RESTART: 30,
  DELETE: 30,
});

/** A running GCP emulator. */
export type GcpEmulator = EmulatorHandle;

interface Route {
  readonly method: string;
  readonly pattern: RegExp;
  readonly service: 'compute' | 'sqladmin' | 'monitoring' | 'dns';
  readonly action: string;
}

const SEGMENT = '([^/]+)';
const COMPUTE = `^/compute/v1/projects/${SEGMENT}`;
const SQL = `^/v1/projects/${SEGMENT}`;
const MONITORING = `^/v3/projects/${SEGMENT}`;
const DNS = `^/dns/v1/projects/${SEGMENT}/managedZones/${SEGMENT}`;

/** Every method the emulator serves; anything else is a 404 in the service's error format. */
const ROUTES: readonly Route[] = [
  { method: 'GET', pattern: new RegExp(`${COMPUTE}/aggregated/instances$`), service: 'compute', action: 'instances.aggregatedList' },
  { method: 'GET', pattern: new RegExp(`${COMPUTE}/zones/${SEGMENT}/instances$`), service: 'compute', action: 'instances.list' },
  { method: 'POST', pattern: new RegExp(`${COMPUTE}/zones/${SEGMENT}/instances$`), service: 'compute', action: 'instances.insert' },
  { method: 'GET', pattern: new RegExp(`${COMPUTE}/zones/${SEGMENT}/instances/${SEGMENT}$`), service: 'compute', action: 'instances.get' },
  { method: 'DELETE', pattern: new RegExp(`${COMPUTE}/zones/${SEGMENT}/instances/${SEGMENT}$`), service: 'compute', action: 'instances.delete' },
  { method: 'POST', pattern: new RegExp(`${COMPUTE}/zones/${SEGMENT}/instances/${SEGMENT}/reset$`), service: 'compute', action: 'instances.reset' },
  { method: 'POST', pattern: new RegExp(`${COMPUTE}/zones/${SEGMENT}/instances/${SEGMENT}/start$`), service: 'compute', action: 'instances.start' },
  { method: 'POST', pattern: new RegExp(`${COMPUTE}/zones/${SEGMENT}/instances/${SEGMENT}/stop$`), service: 'compute', action: 'instances.stop' },
  { method: 'GET', pattern: new RegExp(`${COMPUTE}/zones/${SEGMENT}/operations/${SEGMENT}$`), service: 'compute', action: 'zoneOperations.get' },
  { method: 'POST', pattern: new RegExp(`${COMPUTE}/zones/${SEGMENT}/operations/${SEGMENT}/wait$`), service: 'compute', action: 'zoneOperations.wait' },
  { method: 'GET', pattern: new RegExp(`${COMPUTE}/zones$`), service: 'compute', action: 'zones.list' },
  { method: 'GET', pattern: new RegExp(`${COMPUTE}/global/backendServices/${SEGMENT}$`), service: 'compute', action: 'backendServices.get' },
  { method: 'PATCH', pattern: new RegExp(`${COMPUTE}/global/backendServices/${SEGMENT}$`), service: 'compute', action: 'backendServices.patch' },
  { method: 'GET', pattern: new RegExp(`${COMPUTE}/regions/${SEGMENT}/backendServices/${SEGMENT}$`), service: 'compute', action: 'regionBackendServices.get' },
  { method: 'PATCH', pattern: new RegExp(`${COMPUTE}/regions/${SEGMENT}/backendServices/${SEGMENT}$`), service: 'compute', action: 'regionBackendServices.patch' },
  { method: 'GET', pattern: new RegExp(`${COMPUTE}/global/operations/${SEGMENT}$`), service: 'compute', action: 'globalOperations.get' },
  { method: 'POST', pattern: new RegExp(`${COMPUTE}/global/operations/${SEGMENT}/wait$`), service: 'compute', action: 'globalOperations.wait' },
  { method: 'GET', pattern: new RegExp(`${COMPUTE}/regions/${SEGMENT}/operations/${SEGMENT}$`), service: 'compute', action: 'regionOperations.get' },
  { method: 'POST', pattern: new RegExp(`${COMPUTE}/regions/${SEGMENT}/operations/${SEGMENT}/wait$`), service: 'compute', action: 'regionOperations.wait' },
  { method: 'GET', pattern: new RegExp(`${DNS}/rrsets$`), service: 'dns', action: 'dns.resourceRecordSets.list' },
  { method: 'POST', pattern: new RegExp(`${DNS}/changes$`), service: 'dns', action: 'dns.changes.create' },
  { method: 'GET', pattern: new RegExp(`${DNS}/changes/${SEGMENT}$`), service: 'dns', action: 'dns.changes.get' },
  { method: 'GET', pattern: new RegExp(`${SQL}/instances$`), service: 'sqladmin', action: 'sql.instances.list' },
  { method: 'POST', pattern: new RegExp(`${SQL}/instances$`), service: 'sqladmin', action: 'sql.instances.insert' },
  { method: 'GET', pattern: new RegExp(`${SQL}/instances/${SEGMENT}$`), service: 'sqladmin', action: 'sql.instances.get' },
  { method: 'PATCH', pattern: new RegExp(`${SQL}/instances/${SEGMENT}$`), service: 'sqladmin', action: 'sql.instances.patch' },
  { method: 'DELETE', pattern: new RegExp(`${SQL}/instances/${SEGMENT}$`), service: 'sqladmin', action: 'sql.instances.delete' },
  { method: 'POST', pattern: new RegExp(`${SQL}/instances/${SEGMENT}/promoteReplica$`), service: 'sqladmin', action: 'sql.instances.promoteReplica' },
  { method: 'POST', pattern: new RegExp(`${SQL}/instances/${SEGMENT}/restart$`), service: 'sqladmin', action: 'sql.instances.restart' },
  { method: 'GET', pattern: new RegExp(`${SQL}/operations/${SEGMENT}$`), service: 'sqladmin', action: 'sql.operations.get' },
  { method: 'GET', pattern: new RegExp(`${MONITORING}/timeSeries$`), service: 'monitoring', action: 'monitoring.timeSeries.list' },
];

/**
 * Starts an HTTP front end that speaks the Compute Engine v1 REST API
 * (instances, zones, zone operations, backend services and their global
 * and regional operations), the Cloud DNS v1 REST API (record sets,
 * changes), the Cloud SQL Admin v1 REST API
 * (instances, operations) and the Cloud Monitoring v3 REST API
 * (`timeSeries.list` for Cloud SQL replication metrics), only the methods
 * the GCP adapter uses, on one loopback endpoint. Each request becomes the matching call on `provider`;
 * answers and errors are shaped like Google's JSON. Every request must
 * carry a bearer token of the shape Google's front end accepts (checked
 * for shape only: any such token is good), else 401 `UNAUTHENTICATED`.
 */
export async function startGcpEmulator(options: GcpEmulatorOptions): Promise<GcpEmulator> {
  const { clock } = options;
  const seconds = { ...DEFAULT_OPERATION_SECONDS, ...options.operationSeconds };
  const timing = clock === undefined ? undefined : { clock, durationMs: (type: string) => (seconds[type] ?? 10) * 1000 };
  const strict: GcpStrictness = {
    reach: options.reach ?? (() => FULL_REACH),
    stockouts: options.stockouts ?? (() => []),
    ...(clock === undefined ? {} : { samples: new MetricSamples(clock) }),
  };
  const emulator = new HttpEmulator(new GcpFrontEnd(options.provider, options.records ?? options.provider, new OperationStore(options.operationPolls ?? 0, timing), new BackendNotes(), new DnsChangeStore(), strict));
  return emulator.listen(options.host ?? '127.0.0.1', options.port ?? 0);
}

class GcpFrontEnd implements WireFrontEnd {
  constructor(
    private readonly provider: Provider,
    private readonly records: ServiceRecords,
    private readonly operations: OperationStore,
    private readonly backends: BackendNotes,
    private readonly dnsChanges: DnsChangeStore,
    private readonly strict: GcpStrictness,
  ) {}

  classify(request: WireRequest): WireRequestInfo {
    const route = this.route(request);
    return {
      service:
        route?.route.service ??
        (request.url.pathname.startsWith('/compute/')
          ? 'compute'
          : request.url.pathname.startsWith('/v3/')
            ? 'monitoring'
            : request.url.pathname.startsWith('/dns/')
              ? 'dns'
              : 'sqladmin'),
      action: route?.route.action ?? `${request.method} ${request.url.pathname}`,
      headers: request.headers,
    };
  }

  async handle(request: WireRequest, info: WireRequestInfo, world: WorldWait): Promise<WireResponse> {
    try {
      checkBearer(request.headers.authorization);
      const matched = this.route(request);
      if (matched === undefined) throw new WireError(404, 'notFound', `The emulator does not serve ${request.method} ${request.url.pathname}`);
      let body: Record<string, unknown> = {};
      if (request.body !== '') {
        try {
          body = JSON.parse(request.body) as Record<string, unknown>;
        } catch {
          throw new WireError(400, 'parseError', 'This API does not support parsing form-encoded input.');
        }
      }
      const ctx: GcpCallContext = {
        provider: this.provider,
        records: this.records,
        path: matched.path,
        query: request.url.searchParams,
        body,
        signal: request.signal,
        world,
        operations: this.operations,
        backends: this.backends,
        dnsChanges: this.dnsChanges,
        strict: this.strict,
      };
      const { service, action } = matched.route;
      const result =
        service === 'dns'
          ? await cloudDnsAction(action, ctx)
          : action.includes('ackendServices.')
            ? await backendServiceAction(action, ctx)
            : action.includes('lobalOperations.') || action.includes('egionOperations.')
              ? await computeOperationAction(action, ctx)
              : service === 'compute'
          ? await computeAction(action, ctx)
          : service === 'monitoring'
            ? await monitoringAction(action, ctx)
            : await sqlAdminAction(action, ctx);
      return { status: 200, contentType: 'application/json; charset=UTF-8', body: JSON.stringify(result) };
    } catch (error) {
      if (error instanceof WireError) return this.renderError(info, error.status, error.code, error.message);
      if (isProviderError(error)) {
        const wire = wireErrorOf(info.service, error);
        return this.renderError(info, wire.status, wire.reason, error.message);
      }
      throw error;
    }
  }

  /** Google's JSON error shape (see {@link googleErrorBody}). */
  renderError(info: WireRequestInfo, status: number, reason: string, message: string): WireResponse {
    return { status, contentType: 'application/json; charset=UTF-8', body: JSON.stringify(googleErrorBody(info.service, status, reason, message)) };
  }

  private route(request: WireRequest): { route: Route; path: string[] } | undefined {
    for (const route of ROUTES) {
      if (route.method !== request.method) continue;
      const match = route.pattern.exec(request.url.pathname);
      if (match !== null) return { route, path: match.slice(1).map((each) => decodeURIComponent(each)) };
    }
    return undefined;
  }
}

/**
 * The HTTP status and legacy `reason` Google APIs use for a world error:
 * 429 `rateLimitExceeded` for throttling, 5xx `backendError` for server
 * faults, 400 `resourceNotReady`/`invalidState` for wrong states, 404 and
 * 409 for missing and existing resources, 400 `invalid` for the rest.
 */
function wireErrorOf(service: string, error: ProviderError): { status: number; reason: string } {
  switch (error.kind) {
    case 'throttled':
      return { status: 429, reason: 'rateLimitExceeded' };
    case 'retryable':
    case 'timeout':
      return { status: error.status !== undefined && error.status >= 500 ? error.status : 503, reason: 'backendError' };
    case 'terminal':
      return { status: 400, reason: service === 'sqladmin' ? 'invalidState' : 'resourceNotReady' };
    case 'invalid-input':
      if (error.code?.endsWith('NotFound')) return { status: 404, reason: service === 'sqladmin' ? 'instanceDoesNotExist' : 'notFound' };
      if (error.code?.endsWith('AlreadyExists')) return { status: 409, reason: 'alreadyExists' };
      return { status: 400, reason: 'invalid' };
  }
}

/** RFC 6750 `b64token` characters: what a bearer token may be made of. */
const BEARER = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/;

/**
 * Google's front end refuses a request without credentials, or whose
 * `Authorization` is not a bearer token, with 401 before any API sees it.
 * The emulator checks the shape only (no token is verified), so the
 * adapter's header is on the path and a missing one is caught.
 */
function checkBearer(header: string | undefined): void {
  if (header === undefined || header === '') {
    throw new WireError(401, 'required', 'Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential.');
  }
  const match = BEARER.exec(header);
  if (match === null) throw new WireError(401, 'authError', 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.');
}
