import type { AsyncLocalStorage } from 'node:async_hooks';
import type { GcpAuth } from './GcpAuth.js';
import type { GcpCallScope, WireErrorInfo } from './GcpCallScope.js';

/**
 * The auth object handed to the Compute client and used for Cloud SQL. It
 * delegates to the real auth and, on every request:
 * - adds the current call's `AbortSignal`, so aborting a contract call
 *   aborts its HTTP request and closes the socket (the Compute client's own
 *   `cancel()` leaves its promise pending);
 * - asks for every status to come back as a response (`validateStatus`),
 *   so errors take the same decoding path in production as with a plain
 *   `fetch`;
 * - notes the error body's legacy `reason`, which the client library drops,
 *   and removes the body's `details` before the library sees them: the
 *   Compute client re-parses its whole proto bundle (about 0.7 s of CPU) for
 *   every error that carries details, which a throttle storm would turn
 *   into a CPU storm. Their `ErrorInfo.reason` is kept in the note.
 */
export class ScopedAuth {
  constructor(
    private readonly inner: GcpAuth,
    private readonly scopes: AsyncLocalStorage<GcpCallScope>,
  ) {}

  /**
   * Never rejects. The Compute client asks for the auth client once, when it
   * builds its stub, outside any contract call, and every method wrapper it
   * made holds that promise: a failure here (a credentials file that is
   * missing or unreadable) became an unhandled rejection that killed the
   * daemon. The client library uses the answer only for its universe
   * domain; every request goes through {@link ScopedAuth.fetch}, where the
   * same failure is raised again inside the contract call and translated
   * like any other error. google-auth-library does not cache a failure, so
   * each later call tries to load the credentials again.
   */
  async getClient(): Promise<unknown> {
    try {
      return await this.inner.getClient();
    } catch {
      return CREDENTIALS_NOT_LOADED;
    }
  }

  async getProjectId(): Promise<string> {
    return (await this.inner.getProjectId()) ?? '';
  }

  getUniverseDomain(): Promise<string> {
    return this.inner.getUniverseDomain?.() ?? Promise.resolve('googleapis.com');
  }

  async fetch(input: string | URL, init: Record<string, unknown> = {}): Promise<Response> {
    const scope = this.scopes.getStore();
    const signals = [init['signal'], scope?.signal].filter((each): each is AbortSignal => each instanceof AbortSignal);
    const response = (await this.inner.fetch(String(input), {
      ...init,
      ...(signals.length === 0 ? {} : { signal: signals.length === 1 ? signals[0] : AbortSignal.any(signals) }),
      validateStatus: () => true,
    })) as Response;
    if (response.ok) return response;
    const text = Buffer.from(await response.arrayBuffer()).toString('utf8');
    const { info, body } = inspectError(response.status, text);
    if (scope !== undefined) scope.wire = info;
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  }
}

/** What the client library gets while credentials cannot be loaded: no universe domain, so the default applies. */
const CREDENTIALS_NOT_LOADED = Object.freeze({});

interface ErrorBody {
  error?: {
    message?: unknown;
    status?: unknown;
    errors?: { reason?: unknown }[];
    details?: { '@type'?: unknown; reason?: unknown }[];
  };
}

/** What an error body says, and the body to hand on (without `details`). */
function inspectError(status: number, text: string): { info: WireErrorInfo; body: string } {
  const info: { status: number; reason?: string; grpcStatus?: string; message?: string } = { status };
  let parsed: ErrorBody;
  try {
    parsed = JSON.parse(text) as ErrorBody;
  } catch {
    // Not JSON (a proxy's HTML page): the status alone classifies it.
    return { info, body: text };
  }
  const error = parsed.error;
  const legacy = error?.errors?.[0]?.reason;
  const errorInfo = error?.details?.find((detail) => detail['@type'] === 'type.googleapis.com/google.rpc.ErrorInfo')?.reason;
  if (typeof legacy === 'string') info.reason = legacy;
  else if (typeof errorInfo === 'string') info.reason = errorInfo;
  if (typeof error?.status === 'string') info.grpcStatus = error.status;
  if (typeof error?.message === 'string') info.message = error.message;
  if (error !== undefined) delete error.details;
  return { info, body: JSON.stringify(parsed) };
}
