// Keys that identify a zone or a resource across providers (ids are unique only within a provider).

/**
 * Keys already built, by provider then id: the same string object every
 * time. A key is looked up in a map several times for every resource in
 * every decided cycle, and a freshly concatenated key is hashed anew on each
 * lookup, while a kept one carries its hash. Bounded: emptied when it holds
 * {@link MAX_KEPT} keys (a daemon that outlives many generations of
 * resources), which costs nothing but new strings.
 */
const kept = new Map<string, Map<string, string>>();
let keptCount = 0;
const MAX_KEPT = 100_000;

function key(provider: string, id: string): string {
  const found = kept.get(provider)?.get(id);
  if (found !== undefined) return found;
  if (keptCount >= MAX_KEPT) {
    kept.clear();
    keptCount = 0;
  }
  let byId = kept.get(provider);
  if (byId === undefined) kept.set(provider, (byId = new Map()));
  const made = `${provider}:${id}`;
  byId.set(id, made);
  keptCount++;
  return made;
}

/** Key of a zone in `Snapshot.zones` and health records. */
export function zoneKey(provider: string, zone: string): string {
  return key(provider, zone);
}

/** Key of a node or database instance. */
export function resourceKey(provider: string, id: string): string {
  return key(provider, id);
}

/** Key of a node group (group ids are unique only within a provider). */
export function groupKey(provider: string, group: string): string {
  return key(provider, group);
}
