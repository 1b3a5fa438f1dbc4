import type { Clock } from '../../../core/clock/Clock.js';
import type { Provider } from '../../../core/contract/Provider.js';
import { resolvePolicy } from '../../../core/controller/Policy.js';
import type { DaemonConfig } from '../config/DaemonConfig.js';
import { findMissingResources, type MissingResource } from './findMissingResources.js';
import { readProviderListing, type ListingFailure } from './readProviderListing.js';

/** The protected resources the providers do not list, and the providers or regions that could not be read. */
export interface ProtectedResourceCheck {
  readonly missing: readonly MissingResource[];
  readonly unreadable: readonly ListingFailure[];
}

/**
 * Checks each protected resource of `config` against what its provider
 * lists (each call cut off after the policy's `callTimeout`): what the
 * daemon does at startup and `lifeboat config check --online` does.
 */
export async function checkProtectedResources(config: DaemonConfig, providers: readonly Provider[], clock: Clock, signal?: AbortSignal): Promise<ProtectedResourceCheck> {
  const timeoutMs = resolvePolicy(config.policy).callTimeout * 1000;
  const { listing, failures } = await readProviderListing(config, providers, clock, timeoutMs, signal);
  return { missing: findMissingResources(config, listing), unreadable: failures };
}

/** One line per missing resource: the config file, the key that names it, and what the providers list instead. */
export function describeMissing(file: string, missing: readonly MissingResource[]): string {
  return missing.map((m) => `  ${file}: ${m.path}: ${m.message}`).join('\n');
}

/** One line per provider or region that could not be read. */
export function describeUnreadable(unreadable: readonly ListingFailure[]): string {
  return unreadable.map((f) => `  ${f.provider}${f.region ? `/${f.region}` : ''}: ${f.message}`).join('\n');
}
