import type { ImpairMode, Scenario } from '../replay/scenario/Scenario.js';

/** A stretch of virtual seconds `[from, to)` during which a zone was impaired in `mode`. */
export interface ImpairedStretch {
  readonly from: number;
  readonly to: number;
  readonly mode: ImpairMode;
}

/** What the scenario's events did to each zone (ground truth, from the events alone). */
export interface ZoneConditions {
  /** Per zone, stretches of `impair`/`impairRegion` until the matching `recover` (flaps not included). */
  readonly impaired: ReadonlyMap<string, readonly ImpairedStretch[]>;
  /** Zones impaired at the end of the scenario (flaps that outlast it included). */
  readonly impairedAtEnd: ReadonlyMap<string, ImpairMode>;
  /** Per zone, the last status its provider reports (`providerStatus`), if any. */
  readonly lastStatus: ReadonlyMap<string, string>;
}

/** Reads every zone's impairments out of the scenario's events (spec 4). */
export function zoneConditions(scenario: Scenario): ZoneConditions {
  const regionZones = new Map<string, string[]>();
  for (const p of scenario.topology.providers) for (const r of p.regions) regionZones.set(r.id, [...(regionZones.get(r.id) ?? []), ...r.zones]);
  const open = new Map<string, { from: number; mode: ImpairMode }>();
  const impaired = new Map<string, ImpairedStretch[]>();
  const flapsAtEnd = new Map<string, ImpairMode>();
  const lastStatus = new Map<string, string>();
  const close = (zone: string, at: number) => {
    const stretch = open.get(zone);
    if (stretch === undefined) return;
    open.delete(zone);
    impaired.set(zone, [...(impaired.get(zone) ?? []), { from: stretch.from, to: at, mode: stretch.mode }]);
  };
  for (const event of scenario.events) {
    switch (event.kind) {
      case 'impair':
      case 'impairRegion':
        for (const zone of event.kind === 'impair' ? [event.zone] : (regionZones.get(event.region) ?? [])) {
          close(zone, event.at);
          open.set(zone, { from: event.at, mode: event.mode });
        }
        break;
      case 'recover':
        for (const zone of event.zone !== undefined ? [event.zone] : (regionZones.get(event.region ?? '') ?? [])) close(zone, event.at);
        break;
      case 'flap':
        if (event.until >= scenario.durationSeconds) flapsAtEnd.set(event.zone, event.mode);
        break;
      case 'providerStatus':
        lastStatus.set(event.zone, event.status);
        break;
      default:
        break;
    }
  }
  const impairedAtEnd = new Map<string, ImpairMode>(flapsAtEnd);
  for (const [zone, stretch] of open) impairedAtEnd.set(zone, stretch.mode);
  for (const zone of [...open.keys()]) close(zone, Infinity);
  return { impaired, impairedAtEnd, lastStatus };
}
