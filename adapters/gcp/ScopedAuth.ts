import type { AsyncLocalStorage } from 'node:async_hooks';
import type { GcpAuth } from './GcpAuth.js';
import type { GcpCallScope, WireErrorInfo } from './GcpCallScope.js';
import { googleErrorInfo } from './googleErrorInfo.js';

/**
 * The auth object handed to the Compute client and used for Cloud SQL. It
 * delegates to the real auth and, on every request:
 * - adds the current call's `AbortSignal`, so aborting a contract call
 *   aborts its HTTP request and closes the socket (the Compute client's own
 *   `cancel()` leaves its promise pending);
 * - asks for every status to come back as a response (`validateStatus`),
 *   so errors take the same decoding path in production as with a plain
 *   `fetch`;
 * - notes what the error body says ({@link googleErrorInfo}: its
 *   `ErrorInfo`, legacy `reason` and status, which the client library
 *   drops or reads only from `details`), and removes the body's `details`
 *   before the library sees them: the Compute client re-parses its whole
 *   proto bundle (about 0.7 s of CPU) for every error that carries details,
 *   which a throttle storm would turn into a CPU storm. The note keeps
 *   their `ErrorInfo`.
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

  /**
   * With `keepErrorBody` (our own REST calls, which read the body with
   * {@link googleErrorInfo} themselves) an error body is handed on whole;
   * otherwise (the Compute client) without its `details`.
   */
  async fetch(input: string | URL, init: Record<string, unknown> & { keepErrorBody?: boolean } = {}): Promise<Response> {
    const { keepErrorBody, ...options } = init;
    const scope = this.scopes.getStore();
    const signals = [options['signal'], scope?.signal].filter((each): each is AbortSignal => each instanceof AbortSignal);
    const response = (await this.inner.fetch(String(input), {
      ...options,
      ...(signals.length === 0 ? {} : { signal: signals.length === 1 ? signals[0] : AbortSignal.any(signals) }),
      validateStatus: () => true,
    })) as Response;
    if (response.ok) return response;
    const text = Buffer.from(await response.arrayBuffer()).toString('utf8');
    const { info, body } = inspectError(response.status, text);
    if (scope !== undefined) scope.wire = info;
    return new Response(keepErrorBody === true ? text : body, { status: response.status, statusText: response.statusText, headers: response.headers });
  }
}

/** What the client library gets while credentials cannot be loaded: no universe domain, so the default applies. */
const CREDENTIALS_NOT_LOADED = Object.freeze({});

/** What an error body says, and the body to hand on (without `details`). */
function inspectError(status: number, text: string): { info: WireErrorInfo; body: string } {
  const info = googleErrorInfo(status, text);
  let parsed: { error?: { details?: unknown } } | null;
  try {
    parsed = JSON.parse(text) as { error?: { details?: unknown } } | null;
  } catch {
    // Not JSON (a proxy's HTML page): the status alone classifies it.
    return { info, body: text };
  }
  if (typeof parsed?.error !== 'object' || parsed.error === null || !('details' in parsed.error)) return { info, body: text };
  delete parsed.error.details;
  return { info, body: JSON.stringify(parsed) };
}
