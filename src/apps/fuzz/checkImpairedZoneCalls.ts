import type { ReplayReport } from '../replay/ReplayReport.js';
import type { ImpairMode } from '../replay/scenario/Scenario.js';
import type { Violation } from './Invariant.js';
import type { ZoneConditions } from './zoneConditions.js';

/**
 * Calls that put something into a zone, or restart it there, and the
 * impairments under which each cannot work: nothing runs in a zone that is
 * cut off or without power; a database (a replica created, an instance
 * rebooted) does not work in a zone whose storage stalls, while nodes do.
 */
const CANNOT_WORK: ReadonlyMap<string, ReadonlySet<ImpairMode>> = new Map([
  ['createNode', new Set<ImpairMode>(['unreachable', 'power'])],
  ['startNode', new Set<ImpairMode>(['unreachable', 'power'])],
  ['rebootNode', new Set<ImpairMode>(['unreachable', 'power'])],
  ['stopNode', new Set<ImpairMode>(['unreachable', 'power'])],
  ['createReplica', new Set<ImpairMode>(['unreachable', 'power', 'storage'])],
  ['rebootDatabase', new Set<ImpairMode>(['unreachable', 'power', 'storage'])],
]);

/**
 * The invariant "no reboot, stop or create into an impaired zone", on
 * ground truth: a call of one of {@link CANNOT_WORK}'s operations into a
 * zone that is really impaired in a mode where it cannot work, at a moment
 * the controller itself had declared that zone impaired (and not recovered
 * since). The second condition keeps it true of correct behaviour: an
 * impairment is not known before it is detected, and a zone with nothing in
 * it to probe can look healthy. The first call found is reported, with the
 * `never` expectation that fails on it when the scenario file is replayed.
 */
export function checkImpairedZoneCalls(report: ReplayReport, zones: ZoneConditions): Violation | undefined {
  const declared = new Map<string, number>();
  const events = report.timeline.filter((e) => e.kind === 'zone.impaired' || e.kind === 'zone.recovered');
  let next = 0;
  for (const action of report.actions) {
    // Timeline entries up to and including the call's instant (actions and timeline are both in time order).
    while (next < events.length && events[next]!.t <= action.t) {
      const e = events[next++]!;
      if (e.zone === undefined) continue;
      if (e.kind === 'zone.impaired') declared.set(e.zone, e.t);
      else declared.delete(e.zone);
    }
    const modes = CANNOT_WORK.get(action.operation);
    if (modes === undefined || action.zone === undefined) continue;
    const since = declared.get(action.zone);
    if (since === undefined) continue;
    const stretch = zones.impaired.get(action.zone)?.find((s) => s.from <= since && action.t < s.to && modes.has(s.mode));
    if (stretch === undefined) continue;
    return {
      invariant: 'impairedZoneCall',
      detail: `${action.operation} on ${action.target ?? action.zone} into ${action.zone} at ${action.t}s: the zone was ${stretch.mode} since ${stretch.from}s and declared impaired by the controller at ${since}s`,
      expectation: { never: { action: action.operation, zone: action.zone } },
    };
  }
  return undefined;
}
