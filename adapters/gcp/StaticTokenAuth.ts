/**
 * A {@link GcpAuth} that sends a fixed bearer token through the global
 * `fetch`: for emulators and tests, where there is no metadata server and
 * no Application Default Credentials.
 */
export class StaticTokenAuth {
  constructor(
    private readonly token: string,
    private readonly projectId: string,
  ) {}

  async getClient(): Promise<unknown> {
    return {
      universeDomain: 'googleapis.com',
      getRequestHeaders: async () => new Headers({ authorization: `Bearer ${this.token}` }),
    };
  }

  async getProjectId(): Promise<string> {
    return this.projectId;
  }

  async getUniverseDomain(): Promise<string> {
    return 'googleapis.com';
  }

  fetch(input: string, init: Record<string, unknown>): Promise<Response> {
    const headers = new Headers(init['headers'] as ConstructorParameters<typeof Headers>[0]);
    headers.set('authorization', `Bearer ${this.token}`);
    // Only what the platform fetch understands: client libraries add options of their own (agent, responseType).
    const request: RequestInit = { headers };
    if (typeof init['method'] === 'string') request.method = init['method'];
    if (init['body'] !== undefined) request.body = init['body'] as RequestInit['body'];
    if (init['signal'] instanceof AbortSignal) request.signal = init['signal'];
    return fetch(input, request);
  }
}
