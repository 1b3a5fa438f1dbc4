/**
 * Where Google's control plane cannot look now, as the GCP emulator reports
 * it in listings: Compute leaves the zones' instances out of
 * `aggregatedList` and names them in `unreachables` (a zonal list of one
 * fails), Cloud SQL leaves the regions' instances out of `instances.list`
 * and adds a `REGION_UNREACHABLE` warning for each.
 */
export interface GcpControlPlaneReach {
  /** Zones whose instances Compute cannot list. */
  readonly zones: readonly string[];
  /** Regions whose instances Cloud SQL cannot list. */
  readonly regions: readonly string[];
}

/** Everything reachable: what the emulator reports when nobody tells it otherwise. */
export const FULL_REACH: GcpControlPlaneReach = Object.freeze({ zones: [], regions: [] });

/**
 * The reach a world's cut-off zones imply. A zone cut off from the network
 * cannot be listed by Compute; a zone without power still can (its
 * instances show as stopped), since Compute's control plane for a zone runs
 * apart from the zone's hosts. A region all of whose zones are cut off
 * (network or power) has lost its control plane: neither Compute nor Cloud
 * SQL can list anything there. These are the emulator's model, not
 * something Google documents (see `adapters/gcp/README.md`).
 */
export function reachOfCutOffZones(
  cutOff: readonly { readonly zone: string; readonly region: string; readonly mode: 'unreachable' | 'power' }[],
  regions: readonly { readonly id: string; readonly zones: readonly string[] }[],
): GcpControlPlaneReach {
  if (cutOff.length === 0) return FULL_REACH;
  const off = new Set(cutOff.map((each) => each.zone));
  const lostRegions = regions.filter((region) => region.zones.length > 0 && region.zones.every((zone) => off.has(zone)));
  const zones = new Set(cutOff.filter((each) => each.mode === 'unreachable').map((each) => each.zone));
  for (const region of lostRegions) for (const zone of region.zones) zones.add(zone);
  return { zones: [...zones].sort(), regions: lostRegions.map((region) => region.id).sort() };
}
