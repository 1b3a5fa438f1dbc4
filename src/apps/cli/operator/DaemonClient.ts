/** Why a request to the daemon's API did not succeed. */
export class DaemonRequestError extends Error {
  constructor(
    /** `unreachable`: no answer (refused, timed out, TLS); `refused`: the daemon answered with an error status. */
    readonly kind: 'unreachable' | 'refused',
    message: string,
    /** The HTTP status, when the daemon answered. */
    readonly status?: number,
  ) {
    super(message);
    this.name = 'DaemonRequestError';
  }
}

/** Where the daemon is and how to talk to it. */
export interface DaemonClientOptions {
  /** The API's base URL (`http://127.0.0.1:7400`). */
  readonly url: string;
  /** Bearer token; never printed, never part of an error message. */
  readonly token?: string;
  /** Budget of one request (ms). */
  readonly timeoutMs: number;
}

/**
 * The operator CLI's client of the daemon's HTTP API: one request, one
 * answer, bounded by a timeout; every failure becomes a
 * {@link DaemonRequestError} with a one-line message.
 */
export class DaemonClient {
  constructor(private readonly options: DaemonClientOptions) {}

  /** `GET path`, the JSON answer. @throws {@link DaemonRequestError}. */
  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path, undefined);
  }

  /** `POST path` with a JSON body, the JSON answer. @throws {@link DaemonRequestError}. */
  post<T>(path: string, body: Record<string, unknown>): Promise<T> {
    return this.request<T>('POST', path, body);
  }

  private async request<T>(method: 'GET' | 'POST', path: string, body: Record<string, unknown> | undefined): Promise<T> {
    const { url, token, timeoutMs } = this.options;
    const target = `${url.replace(/\/+$/, '')}${path}`;
    let response: Response;
    try {
      response = await fetch(target, {
        method,
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new DaemonRequestError('unreachable', `cannot reach the daemon at ${url}: ${describeFetchError(error, timeoutMs)}`);
    }
    const text = await response.text().catch(() => '');
    let value: unknown;
    try {
      value = text === '' ? undefined : JSON.parse(text);
    } catch {
      value = undefined;
    }
    if (!response.ok) {
      const said = typeof value === 'object' && value !== null && typeof (value as { error?: unknown }).error === 'string' ? (value as { error: string }).error : `HTTP ${response.status}`;
      const hint = response.status === 401 ? ' (set LIFEBOAT_TOKEN to the daemon\'s token)' : '';
      throw new DaemonRequestError('refused', `the daemon refused: ${said}${hint}`, response.status);
    }
    if (value === undefined) throw new DaemonRequestError('refused', `the daemon at ${url} answered ${method} ${path} with something that is not JSON; is it a lifeboat daemon?`, response.status);
    return value as T;
  }
}

/** The cause of a failed fetch in a few words (undici hides it in `cause`). */
function describeFetchError(error: unknown, timeoutMs: number): string {
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return `no answer within ${timeoutMs / 1000}s`;
  return e.cause?.code ?? e.cause?.message ?? e.message ?? String(error);
}
