import type { z } from 'zod';
import type { Clock } from '../src/core/clock/Clock.js';
import type { Prober } from '../src/core/contract/Prober.js';
import type { Provider } from '../src/core/contract/Provider.js';

/**
 * What an adapter is given when an application creates it: time, a signal
 * that ends start-up early, and the environment to read secrets from (only
 * the variables its config names, never logged). Injected, so that a replay
 * can hand a virtual clock and emulator credentials without touching
 * `process.env`.
 */
export interface AdapterContext {
  readonly clock: Clock;
  /** Cuts start-up short (the daemon's shutdown signal). */
  readonly signal: AbortSignal;
  /** Where the config's `...Env` keys are looked up (normally `process.env`). */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** An adapter created from its config: the providers it serves and what must run beside them. */
export interface AdapterInstance {
  /**
   * The providers this entry makes available: one for a cloud adapter, one
   * per provider of the world for `sim`.
   */
  readonly providers: readonly Provider[];
  /**
   * The adapter's own health checks of its nodes and databases, where it has
   * them (`sim`, `local`); real clouds are probed by the application's
   * network prober instead.
   */
  readonly prober?: Prober;
  /** Background work the providers need while in use (a simulated world moving with real time), until `signal` fires. */
  run?(signal: AbortSignal): Promise<void>;
  /** Releases what the adapter started (servers, processes, clients). Never rejects. */
  close(): Promise<void>;
}

/**
 * One adapter's entry in the registry (Libcloud's driver class, as
 * `get_driver` returns it): the schema of its config entry (`type: <kind>`
 * plus its own keys; strict, so a typo is an error) and how to create it.
 * A factory module is light: heavy SDKs and native helpers are imported
 * inside {@link AdapterFactory.create}, so validating a config or printing
 * the JSON Schema loads none of them.
 *
 * @typeParam Config - what `create` takes: the schema's output, or (for
 * `sim`) that output with the world the application read from it.
 * @typeParam Instance - what `create` returns; an adapter whose provider has
 * `ex_` operations an application may use (the demo drives `local`'s zone
 * faults) says so here.
 */
export interface AdapterFactory<
  Kind extends string,
  Schema extends z.ZodType<{ readonly type: Kind }>,
  Config = z.output<Schema>,
  Instance extends AdapterInstance = AdapterInstance,
> {
  readonly kind: Kind;
  /** The config entry, validated by the application's config loader (errors there name file, key path and line). */
  readonly configSchema: Schema;
  /**
   * Creates the adapter. Errors a user can fix (a missing environment
   * variable, an unreachable sim server) are thrown as `Error`s with a
   * message naming the config key, never a secret.
   */
  create(config: Config, context: AdapterContext): Promise<Instance>;
}
