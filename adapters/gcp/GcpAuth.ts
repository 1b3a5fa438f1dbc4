/**
 * The part of google-auth-library's `GoogleAuth` the adapter uses; a
 * `GoogleAuth` instance fits, and so does a stand-in for tests
 * ({@link StaticTokenAuth}). `fetch` must return a fetch `Response` and
 * add the credentials itself.
 */
export interface GcpAuth {
  getClient(): Promise<unknown>;
  getProjectId(): Promise<string | null | undefined>;
  getUniverseDomain?(): Promise<string>;
  fetch(input: string, init: Record<string, unknown>): Promise<unknown>;
}
