import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, Provider as CredentialProvider } from '@smithy/types';

/**
 * A zonal shift as ARC returns it (`ZonalShift`, `ZonalShiftSummary` and
 * `ZonalShiftInResource` share these fields). Times are epoch seconds.
 */
export interface ZonalShiftRecord {
  readonly zonalShiftId: string;
  readonly resourceIdentifier: string;
  /** The AZ id (`use1-az1`), not its name. */
  readonly awayFrom: string;
  readonly expiryTime: number;
  readonly startTime?: number;
  readonly status?: string;
  readonly appliedStatus?: string;
  readonly comment?: string;
}

/** `GetManagedResource`'s answer, the parts the adapter reads. */
export interface ManagedResource {
  readonly arn?: string;
  readonly name?: string;
  /** Per AZ id the resource is deployed in: 1 in rotation, 0 shifted away. */
  readonly appliedWeights?: Readonly<Record<string, number>>;
  /** The shifts active on the resource. */
  readonly zonalShifts?: readonly ZonalShiftRecord[];
}

/** Where and as whom the client signs. */
export interface ZonalShiftClientOptions {
  readonly region: string;
  /** Base URL instead of `https://arc-zonal-shift.<region>.amazonaws.com` (an emulator, a VPC endpoint). */
  readonly endpoint?: string;
  /** The credential chain of the adapter's SDK clients (so both resolve the same identity). */
  readonly credentials: CredentialProvider<AwsCredentialIdentity>;
}

/**
 * An error answer, shaped like the SDK's service exceptions (`name` is the
 * error code, `$metadata.httpStatusCode` the status) so that
 * `toAwsProviderError` translates it like any other SDK error.
 */
export class ZonalShiftServiceError extends Error {
  readonly $fault: 'client' | 'server';
  readonly $metadata: { readonly httpStatusCode: number; readonly requestId?: string };
  readonly $response: { readonly headers: Record<string, string | undefined> };

  constructor(code: string, message: string, status: number, headers: Record<string, string | undefined>) {
    super(message);
    this.name = code;
    this.$fault = status >= 500 ? 'server' : 'client';
    this.$metadata = { httpStatusCode: status, ...(headers['x-amzn-requestid'] === undefined ? {} : { requestId: headers['x-amzn-requestid'] }) };
    this.$response = { headers };
  }
}

/**
 * A minimal client for the ARC zonal shift API (REST-JSON, API version
 * 2022-10-30; reference: https://docs.aws.amazon.com/arc-zonal-shift/latest/api/Welcome.html),
 * because `@aws-sdk/client-arc-zonal-shift` cannot be installed from the
 * registry this project builds from. Requests are signed with the SDK's own
 * SigV4 signer (service name `arc-zonal-shift`) and the adapter's credential
 * chain; errors keep ARC's code (`x-amzn-errortype`) and status.
 */
export class ZonalShiftClient {
  private readonly signer: SignatureV4;
  private readonly base: URL;

  constructor(options: ZonalShiftClientOptions) {
    this.signer = new SignatureV4({ service: 'arc-zonal-shift', region: options.region, credentials: options.credentials, sha256: NodeSha256 });
    this.base = new URL(options.endpoint ?? `https://arc-zonal-shift.${options.region}.amazonaws.com`);
  }

  /** `POST /zonalshifts` (StartZonalShift). `expiresIn` like `30m` or `2h`. */
  startZonalShift(input: { resourceIdentifier: string; awayFrom: string; expiresIn: string; comment: string }, signal: AbortSignal): Promise<ZonalShiftRecord> {
    return this.request('POST', '/zonalshifts', undefined, input, signal) as Promise<ZonalShiftRecord>;
  }

  /** `PATCH /zonalshifts/{id}` (UpdateZonalShift): a new expiry, counted from now. */
  updateZonalShift(id: string, input: { expiresIn: string; comment?: string }, signal: AbortSignal): Promise<ZonalShiftRecord> {
    return this.request('PATCH', `/zonalshifts/${encodeURIComponent(id)}`, undefined, input, signal) as Promise<ZonalShiftRecord>;
  }

  /** `DELETE /zonalshifts/{id}` (CancelZonalShift). */
  cancelZonalShift(id: string, signal: AbortSignal): Promise<ZonalShiftRecord> {
    return this.request('DELETE', `/zonalshifts/${encodeURIComponent(id)}`, undefined, undefined, signal) as Promise<ZonalShiftRecord>;
  }

  /** `GET /zonalshifts` (ListZonalShifts), one page. */
  listZonalShifts(
    query: { resourceIdentifier?: string; status?: string; nextToken?: string; maxResults?: number },
    signal: AbortSignal,
  ): Promise<{ items?: ZonalShiftRecord[]; nextToken?: string }> {
    const params: Record<string, string> = {};
    if (query.resourceIdentifier !== undefined) params['resourceIdentifier'] = query.resourceIdentifier;
    if (query.status !== undefined) params['status'] = query.status;
    if (query.nextToken !== undefined) params['nextToken'] = query.nextToken;
    if (query.maxResults !== undefined) params['maxResults'] = String(query.maxResults);
    return this.request('GET', '/zonalshifts', params, undefined, signal) as Promise<{ items?: ZonalShiftRecord[]; nextToken?: string }>;
  }

  /** `GET /managedresources/{resourceIdentifier}` (GetManagedResource). */
  getManagedResource(resourceIdentifier: string, signal: AbortSignal): Promise<ManagedResource> {
    return this.request('GET', `/managedresources/${encodeURIComponent(resourceIdentifier)}`, undefined, undefined, signal) as Promise<ManagedResource>;
  }

  private async request(method: string, path: string, query: Record<string, string> | undefined, body: unknown, signal: AbortSignal): Promise<unknown> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const basePath = this.base.pathname.replace(/\/$/, '');
    const signed = await this.signer.sign({
      method,
      protocol: this.base.protocol,
      hostname: this.base.hostname,
      ...(this.base.port === '' ? {} : { port: Number(this.base.port) }),
      path: `${basePath}${path}`,
      query: query ?? {},
      headers: {
        host: this.base.host,
        ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(payload === undefined ? {} : { body: payload }),
    });
    const url = new URL(`${basePath}${path}`, this.base);
    for (const [key, value] of Object.entries(query ?? {})) url.searchParams.set(key, value);
    const headers = Object.fromEntries(Object.entries(signed.headers).filter(([name]) => name.toLowerCase() !== 'host'));
    const response = await fetch(url, { method, headers, ...(payload === undefined ? {} : { body: payload }), signal });
    const text = await response.text();
    const responseHeaders: Record<string, string> = {};
    response.headers.forEach((value, name) => (responseHeaders[name] = value));
    const parsed = text === '' ? {} : parseJson(text);
    if (!response.ok) {
      const errorType = responseHeaders['x-amzn-errortype'] ?? stringField(parsed, '__type') ?? `HTTP${response.status}`;
      // `x-amzn-errortype` may carry a namespace after a colon, `__type` one before a hash.
      const code = errorType.split(':')[0]!.split('#').pop()!;
      throw new ZonalShiftServiceError(code, stringField(parsed, 'message') ?? stringField(parsed, 'Message') ?? text.slice(0, 200), response.status, responseHeaders);
    }
    return parsed;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // Not ARC's JSON (a proxy's error page): reported as such, never echoed whole.
    return { message: `unparseable answer: ${text.slice(0, 200)}` };
  }
}

function stringField(value: unknown, name: string): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const field = (value as Record<string, unknown>)[name];
  return typeof field === 'string' ? field : undefined;
}

/** SHA-256 (and its HMAC, with a secret) for the signer, on node:crypto. */
class NodeSha256 {
  private readonly hash: Hash | Hmac;

  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', toBuffer(secret));
  }

  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(toBuffer(data));
  }

  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
}

function toBuffer(data: string | ArrayBuffer | ArrayBufferView): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}
