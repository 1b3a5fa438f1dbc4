import { isProviderError, type ProviderError } from '../../src/core/contract/errors.js';
import type { Provider } from '../../src/core/contract/Provider.js';
import type { AwsCallContext, EmulatedAccount } from './AwsCallContext.js';
import type { Clock } from '../../src/core/clock/Clock.js';
import { SystemClock } from '../../src/core/clock/SystemClock.js';
import { CloudWatchRoutes, type ReplicaLagPublishing } from './cloudWatchActions.js';
import { ec2Action } from './ec2Actions.js';
import type { EmulatorHandle } from './EmulatorHandle.js';
import type { ServiceRecords } from './ServiceRecords.js';
import type { FrontEndRefusal } from './FrontEndRefusal.js';
import { HttpEmulator, type WireFrontEnd, type WireRequest, type WireResponse, type WorldWait } from './HttpEmulator.js';
import { QueryParams } from './QueryParams.js';
import { RDS_NAMESPACE, rdsAction } from './rdsActions.js';
import { EMULATOR_HOSTED_ZONE_ID, ROUTE53_NAMESPACE, route53ActionOf, Route53Routes } from './route53Routes.js';
import { sigV4Problem, sigV4Scope } from './sigV4Scope.js';
import type { WireRequestInfo } from './WireFault.js';
import { WireError } from './WireError.js';
import { StoppedDatabaseRestarts } from './StoppedDatabaseRestarts.js';
import { document, el } from './xml.js';
import { zonalShiftAction, zonalShiftActionOf } from './zonalShiftRoutes.js';

/** Options for {@link startAwsEmulator}. */
export interface AwsEmulatorOptions {
  /** The provider whose state and behaviour the emulator serves (normally a `SimWorld`'s `aws` provider). */
  readonly provider: Provider;
  /** Interface to listen on. Default `127.0.0.1`: the emulators are for loopback only. */
  readonly host?: string;
  /** Port; default an ephemeral one. */
  readonly port?: number;
  /** Account id shown in ARNs and owner ids. Default `000000000000`. */
  readonly accountId?: string;
  /**
   * Enforce RDS rules the world does not model: `StopDBInstance` on a read
   * replica, or on an instance that has read replicas, is refused with
   * `InvalidDBInstanceState` (400) before the world is asked, as RDS refuses
   * it; an instance stopped through `StopDBInstance` starts again by itself
   * seven days later on {@link AwsEmulatorOptions.clock}, as RDS starts it
   * ({@link StoppedDatabaseRestarts}). Default true, as strict as RDS; false
   * leaves the world's own, more permissive rules.
   */
  readonly rdsRules?: boolean;
  /**
   * Fail a `DescribeInstances` that names no instance ids, or names one in
   * a disrupted zone, while the world's status API says a zone of the
   * region is impaired or unavailable, as EC2 documents. Default true.
   */
  readonly strictListing?: boolean;
  /**
   * The zones of a region in a service disruption, from the world's own
   * state (no call recorded, no fault applies). Default: one world
   * `zoneStatus` call per region-wide `DescribeInstances`, which the
   * world's faults on `zoneStatus` then reach too.
   */
  readonly disruptedZones?: (region: string) => readonly string[];
  /**
   * RDS instances in an automated backup right now (the world has no
   * backups): shown `backing-up` while the world has them available, and
   * `PromoteReadReplica` on them is refused `InvalidDBInstanceState`, as
   * RDS documents. Default: none.
   */
  readonly backingUp?: (dbInstanceId: string) => boolean;
  /**
   * How the services read their own records while serving a request (see
   * {@link ServiceRecords}). Default `provider`: each such lookup is then a
   * world read, which the world's faults on reads reach too.
   */
  readonly records?: ServiceRecords;
  /** Account settings the world does not model (launch templates with network interfaces, encrypted databases). */
  readonly account?: EmulatedAccount;
  /** Called for every request refused on such a rule (the world never sees those calls). */
  readonly onRefusal?: (refusal: FrontEndRefusal) => void;
  /** The Route 53 hosted zone holding the world's endpoints. Default {@link EMULATOR_HOSTED_ZONE_ID}. */
  readonly hostedZoneId?: string;
  /**
   * The world's clock: CloudWatch samples and publishes on it (a world on
   * virtual time needs its virtual clock here). Default the system clock.
   */
  readonly clock?: Clock;
  /** How `ReplicaLag` is published; default as RDS does (one-minute periods, served a minute late, -1 where RDS says so). */
  readonly replicaLag?: ReplicaLagPublishing;
}

/** A running AWS emulator. */
export type AwsEmulator = EmulatorHandle;

const JSON_CONTENT = 'application/x-amz-json-1.0';

/**
 * Starts an HTTP front end that speaks the EC2 Query protocol (2016-11-15),
 * the RDS Query protocol (2014-10-31), the CloudWatch JSON protocol
 * (`GetMetricData` only), Route 53 REST-XML (2013-04-01: record sets and
 * changes) and ARC zonal shift REST-JSON (2022-10-30), all on one endpoint, routed by the SigV4 credential
 * scope of each request (which names the region and the service). Each
 * request becomes the matching call on `provider`, so the world's faults,
 * latencies and call records apply; the answer is rendered in the service's
 * own format, errors included. Signatures are read for routing but never
 * verified.
 */
export async function startAwsEmulator(options: AwsEmulatorOptions): Promise<AwsEmulator> {
  const clock = options.clock ?? new SystemClock();
  const rdsRules = options.rdsRules ?? true;
  const emulator = new HttpEmulator(
    new AwsFrontEnd(
      options.provider,
      options.records ?? options.provider,
      options.accountId ?? '000000000000',
      rdsRules ? new StoppedDatabaseRestarts(clock) : undefined,
      options.strictListing ?? true,
      options.account ?? {},
      options.disruptedZones,
      options.onRefusal,
      options.backingUp,
      new Route53Routes(options.hostedZoneId ?? EMULATOR_HOSTED_ZONE_ID),
      new CloudWatchRoutes(clock, options.replicaLag),
    ),
  );
  return emulator.listen(options.host ?? '127.0.0.1', options.port ?? 0);
}

class AwsFrontEnd implements WireFrontEnd {
  private requests = 0;

  constructor(
    private readonly provider: Provider,
    private readonly records: ServiceRecords,
    private readonly accountId: string,
    /** Present when RDS's rules are enforced. */
    private readonly rdsRestarts: StoppedDatabaseRestarts | undefined,
    private readonly strictListing: boolean,
    private readonly account: EmulatedAccount,
    private readonly disruptedZones: ((region: string) => readonly string[]) | undefined,
    private readonly onRefusal: ((refusal: FrontEndRefusal) => void) | undefined,
    private readonly backingUp: ((dbInstanceId: string) => boolean) | undefined,
    private readonly route53: Route53Routes,
    private readonly cloudWatch: CloudWatchRoutes,
  ) {}

  classify(request: WireRequest): WireRequestInfo {
    const scope = sigV4Scope(headerOf(request, 'authorization'));
    const service = scope?.service ?? 'unknown';
    const target = headerOf(request, 'x-amz-target');
    // REST protocols name the action by method and path; Query and JSON 1.0 in the body or a header.
    const action =
      service === 'route53'
        ? route53ActionOf(request.method, request.url.pathname)
        : service === 'arc-zonal-shift'
          ? zonalShiftActionOf(request.method, request.url.pathname)
          : target !== undefined
            ? target.slice(target.lastIndexOf('.') + 1)
            : (new QueryParams(request.body).get('Action') ?? '');
    return {
      service,
      action,
      ...(scope === undefined ? {} : { region: scope.region }),
      headers: request.headers,
    };
  }

  async handle(request: WireRequest, info: WireRequestInfo, world: WorldWait): Promise<WireResponse> {
    try {
      if (info.region === undefined) {
        throw new WireError(403, 'MissingAuthenticationToken', 'Request is missing Authentication Token');
      }
      const unsigned = sigV4Problem(headerOf(request, 'authorization'), headerOf(request, 'x-amz-date'));
      if (unsigned !== undefined) throw new WireError(403, 'IncompleteSignature', unsigned);
      const ctx: AwsCallContext = {
        provider: this.provider,
        records: this.records,
        region: info.region,
        params: new QueryParams(info.service === 'ec2' || info.service === 'rds' ? request.body : ''),
        body: request.body,
        method: request.method,
        url: request.url,
        signal: request.signal,
        world,
        requestId: this.nextRequestId(),
        accountId: this.accountId,
        rdsRules: this.rdsRestarts !== undefined,
        ...(this.rdsRestarts === undefined ? {} : { rdsRestarts: this.rdsRestarts }),
        strictListing: this.strictListing,
        account: this.account,
        ...(this.disruptedZones === undefined ? {} : { disruptedZones: this.disruptedZones }),
        ...(this.onRefusal === undefined ? {} : { onRefusal: this.onRefusal }),
        ...(this.backingUp === undefined ? {} : { backingUp: this.backingUp }),
      };
      switch (info.service) {
        case 'ec2':
          return { status: 200, contentType: 'text/xml;charset=UTF-8', body: await ec2Action(info.action, ctx) };
        case 'rds':
          return { status: 200, contentType: 'text/xml', body: await rdsAction(info.action, ctx) };
        case 'monitoring':
          return { status: 200, contentType: JSON_CONTENT, body: await this.cloudWatch.handle(info.action, ctx) };
        case 'route53':
          return { status: 200, contentType: 'text/xml', body: await this.route53.handle(info.action, ctx) };
        case 'arc-zonal-shift':
          return { status: 200, contentType: 'application/json', body: JSON.stringify(await zonalShiftAction(info.action, ctx)) };
        default:
          throw new WireError(400, 'UnknownService', `The emulator does not serve the service ${info.service}`);
      }
    } catch (error) {
      if (error instanceof WireError) return this.renderError(info, error.status, error.code, error.message);
      if (isProviderError(error)) {
        const wire = wireErrorOf(info.service, error);
        return this.renderError(info, wire.status, wire.code, error.message);
      }
      throw error;
    }
  }

  renderError(info: WireRequestInfo, status: number, code: string, message: string): WireResponse {
    const requestId = this.nextRequestId();
    switch (info.service) {
      case 'rds':
        return {
          status,
          contentType: 'text/xml',
          body: document(
            'ErrorResponse',
            RDS_NAMESPACE,
            el('Error', el('Type', status < 500 ? 'Sender' : 'Receiver'), el('Code', code), el('Message', message)),
            el('RequestId', requestId),
          ),
        };
      case 'route53':
        return {
          status,
          contentType: 'text/xml',
          body: document(
            'ErrorResponse',
            ROUTE53_NAMESPACE,
            el('Error', el('Type', status < 500 ? 'Sender' : 'Receiver'), el('Code', code), el('Message', message)),
            el('RequestId', requestId),
          ),
        };
      case 'arc-zonal-shift':
        return {
          status,
          contentType: 'application/json',
          headers: { 'x-amzn-errortype': code, 'x-amzn-requestid': requestId },
          body: JSON.stringify({ message }),
        };
      case 'monitoring':
        return {
          status,
          contentType: JSON_CONTENT,
          headers: { 'x-amzn-query-error': `${code};${status < 500 ? 'Sender' : 'Receiver'}`, 'x-amzn-requestid': requestId },
          body: JSON.stringify({ __type: code, message }),
        };
      default:
        // EC2's error document has no namespace: <Response><Errors><Error>...
        return {
          status,
          contentType: 'text/xml;charset=UTF-8',
          body: document('Response', undefined, el('Errors', el('Error', el('Code', code), el('Message', message))), el('RequestID', requestId)),
        };
    }
  }

  private nextRequestId(): string {
    return `00000000-0000-4000-8000-${String(++this.requests).padStart(12, '0')}`;
  }
}

function headerOf(request: WireRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The HTTP status and error code each service uses for a world error. EC2
 * throttles with `RequestLimitExceeded` (503), RDS, CloudWatch and Route 53
 * with `Throttling` (400), ARC with `ThrottlingException` (429); server
 * faults are 5xx; refusals keep the world's code (`IncorrectInstanceState`,
 * `DBInstanceNotFound`, ...), except for Route 53 and ARC, which have
 * codes of their own for each kind.
 */
function wireErrorOf(service: string, error: ProviderError): { status: number; code: string } {
  const serverStatus = error.status !== undefined && error.status >= 500 ? error.status : 500;
  if (service === 'route53') return route53ErrorOf(error, serverStatus);
  if (service === 'arc-zonal-shift') return zonalShiftErrorOf(error, serverStatus);
  switch (error.kind) {
    case 'throttled':
      return service === 'ec2' ? { status: 503, code: 'RequestLimitExceeded' } : { status: 400, code: 'Throttling' };
    case 'retryable':
    case 'timeout':
      if (service === 'ec2') return { status: serverStatus, code: error.code ?? 'InternalError' };
      return { status: serverStatus, code: service === 'rds' ? 'InternalFailure' : 'InternalServiceError' };
    case 'terminal':
      return { status: 400, code: error.code ?? (service === 'rds' ? 'InvalidDBInstanceState' : 'IncorrectState') };
    case 'invalid-input':
      if (error.code === 'DBInstanceNotFound') return { status: 404, code: error.code };
      return { status: 400, code: error.code ?? 'InvalidParameterValue' };
  }
}

/** Route 53's codes: `Throttling` and `PriorRequestNotComplete` to slow down, `InvalidChangeBatch` for a change it refuses. */
function route53ErrorOf(error: ProviderError, serverStatus: number): { status: number; code: string } {
  switch (error.kind) {
    case 'throttled':
      return { status: 400, code: 'Throttling' };
    case 'retryable':
    case 'timeout':
      return { status: serverStatus, code: 'ServiceUnavailable' };
    case 'terminal':
      return { status: 400, code: 'ConcurrentModification' };
    case 'invalid-input':
      return { status: 400, code: 'InvalidChangeBatch' };
  }
}

/** ARC zonal shift's codes, each with its own status. */
function zonalShiftErrorOf(error: ProviderError, serverStatus: number): { status: number; code: string } {
  switch (error.kind) {
    case 'throttled':
      return { status: 429, code: 'ThrottlingException' };
    case 'retryable':
    case 'timeout':
      return { status: serverStatus, code: 'InternalServerException' };
    case 'terminal':
      return { status: 409, code: 'ConflictException' };
    case 'invalid-input':
      return error.code === 'ResourceNotFoundException' ? { status: 404, code: error.code } : { status: 400, code: 'ValidationException' };
  }
}
