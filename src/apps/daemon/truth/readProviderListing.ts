import { timeoutSignal, type Clock } from '../../../core/clock/Clock.js';
import type { Provider } from '../../../core/contract/Provider.js';
import type { DatabaseInstance, Node } from '../../../core/contract/types.js';
import type { ProtectedResources, ProviderListing } from './findMissingResources.js';

/** What could not be read, with why (never a credential: adapters' messages are redacted). */
export interface ListingFailure {
  readonly provider: string;
  readonly region?: string;
  readonly message: string;
}

/**
 * Lists each provider's regions, and the databases and nodes of each watched
 * region, once, each call cut off after `timeoutMs`: the picture
 * {@link findMissingResources} judges at startup and in
 * `lifeboat config check --online`. Calls that fail are returned as
 * failures, not thrown.
 */
export async function readProviderListing(
  protect: ProtectedResources,
  providers: readonly Provider[],
  clock: Clock,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<{ listing: ProviderListing; failures: ListingFailure[] }> {
  const byId = new Map(providers.map((p) => [p.id, p]));
  const regions = new Map<string, ReadonlySet<string>>();
  const databases: DatabaseInstance[] = [];
  const nodes: Node[] = [];
  const listed = new Set<string>();
  const failures: ListingFailure[] = [];
  const call = async <T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> => {
    const { signal: s, dispose } = timeoutSignal(clock, timeoutMs, signal);
    try {
      return await fn(s);
    } finally {
      dispose();
    }
  };
  await Promise.all(
    [...new Set(protect.watch.map((w) => w.provider))].map(async (id) => {
      const provider = byId.get(id);
      if (!provider) {
        failures.push({ provider: id, message: 'no such provider is configured' });
        return;
      }
      try {
        const found = await call((s) => provider.listLocations({ signal: s }));
        regions.set(id, new Set(found.map((r) => r.id)));
      } catch (error) {
        failures.push({ provider: id, message: `listLocations: ${(error as Error).message}` });
      }
      await Promise.all(
        protect.watch
          .filter((w) => w.provider === id)
          .map(async (w) => {
            try {
              const [dbs, ns] = await Promise.all([call((s) => provider.listDatabases({ region: w.region }, { signal: s })), call((s) => provider.listNodes({ region: w.region }, { signal: s }))]);
              databases.push(...dbs);
              nodes.push(...ns);
              listed.add(`${w.provider}/${w.region}`);
            } catch (error) {
              failures.push({ provider: id, region: w.region, message: (error as Error).message });
            }
          }),
      );
    }),
  );
  return { listing: { regions, databases, nodes, listed }, failures };
}
