/** Cross-realm brand: works even when two copies of this package are loaded. */
const BRAND = Symbol.for('lifeboat.HookSetupError');

/**
 * Why the hooks or webhooks of a config cannot be set up: a webhook secret
 * whose environment variable is unset or whose file cannot be read. A user
 * mistake: the CLI prints the message (never the secret) and exits 2; a
 * reload with it is refused and the old config keeps running.
 */
export class HookSetupError extends Error {
  readonly [BRAND] = true;

  constructor(message: string) {
    super(message);
    this.name = 'HookSetupError';
  }
}

/** Type guard for {@link HookSetupError}. */
export function isHookSetupError(value: unknown): value is HookSetupError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}
