import { GcpHttpError } from './GcpHttpError.js';
import { googleErrorInfo } from './googleErrorInfo.js';
import type { ScopedAuth } from './ScopedAuth.js';

/**
 * One Google REST API (`https://HOST/VERSION/...`) called directly through
 * the auth object's `fetch`, so the same credentials, signal and error
 * handling apply as for Compute. Subclasses name the API's methods.
 */
export class GoogleRestApi {
  constructor(
    private readonly auth: ScopedAuth,
    private readonly baseUrl: string,
    private readonly version: string,
  ) {}

  /** `method` on `path` (relative to `/VERSION/`); resolves with the JSON body, rejects with {@link GcpHttpError}. */
  async call<T>(method: string, path: string, options: { query?: Record<string, string | undefined>; body?: unknown } = {}): Promise<T> {
    const url = new URL(`${this.baseUrl.replace(/\/+$/, '')}/${this.version}/${path}`);
    for (const [key, value] of Object.entries(options.query ?? {})) if (value !== undefined) url.searchParams.set(key, value);
    const response = await this.auth.fetch(url.toString(), {
      method,
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      // gaxios: hand back the untouched body (we read it ourselves) and never retry on its own.
      responseType: 'stream',
      retry: false,
      // Its ErrorInfo in `details` is what says a 403 is a rate limit or a 429 a stockout.
      keepErrorBody: true,
    });
    const text = Buffer.from(await response.arrayBuffer()).toString('utf8');
    if (!response.ok) throw new GcpHttpError(googleErrorInfo(response.status, text));
    return (text === '' ? {} : JSON.parse(text)) as T;
  }
}
