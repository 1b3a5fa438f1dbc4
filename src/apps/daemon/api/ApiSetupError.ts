/** Cross-realm brand: works even when two copies of this package are loaded. */
const BRAND = Symbol.for('lifeboat.ApiSetupError');

/**
 * Why the daemon refuses to serve its API: an unsafe listen address, a token
 * that is too short, TLS files that cannot be read. A user mistake: the CLI
 * prints the message (never a credential) and exits 2, with no stack trace.
 */
export class ApiSetupError extends Error {
  readonly [BRAND] = true;

  constructor(message: string) {
    super(message);
    this.name = 'ApiSetupError';
  }
}

/** Type guard for {@link ApiSetupError}. */
export function isApiSetupError(value: unknown): value is ApiSetupError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}
