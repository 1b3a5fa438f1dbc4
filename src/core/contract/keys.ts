// Keys that identify a zone or a resource across providers (ids are unique only within a provider).

/** Key of a zone in `Snapshot.zones` and health records. */
export function zoneKey(provider: string, zone: string): string {
  return `${provider}:${zone}`;
}

/** Key of a node or database instance. */
export function resourceKey(provider: string, id: string): string {
  return `${provider}:${id}`;
}
