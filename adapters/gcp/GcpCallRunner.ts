/**
 * What the gcp adapter's traffic parts borrow from {@link GcpProvider}: one
 * contract call with its signal, error translation and project, so that
 * Cloud DNS and backend services fail and time out like every other call.
 */
export interface GcpCallRunner {
  /** The provider id, for errors. */
  readonly provider: string;
  /** Runs `run` as one contract call (signal carried to every request, every error translated by `toGcpProviderError`). */
  call<T>(operation: string, signal: AbortSignal, run: () => Promise<T>): Promise<T>;
  /** Runs `run` with every HTTP request made inside carrying `signal` (an operation wait's own budget). */
  withSignal<T>(signal: AbortSignal, run: () => Promise<T>): Promise<T>;
  /** The project id. */
  projectId(operation: string, signal: AbortSignal): Promise<string>;
}
