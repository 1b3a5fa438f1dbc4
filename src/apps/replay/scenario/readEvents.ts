import { describeValue } from './describeValue.js';
import type { PathSegment } from './formatPath.js';
import { unknownKeyMessage, type IssueList } from './IssueList.js';
import type { ScenarioEvent } from './Scenario.js';
import { duration, EVENT_KINDS, EVENT_SCHEMAS, shapeKeys } from './scenarioSchemas.js';
import type { TopologyIndex } from './TopologyIndex.js';

/** What reading the events needs to know about the rest of the scenario. */
export interface EventContext {
  readonly issues: IssueList;
  readonly index: TopologyIndex;
  /** The scenario's length in seconds, when it is valid. */
  readonly durationSeconds: number | undefined;
  /** `duration` as written, for messages. */
  readonly durationText: string;
}

type EventKind = (typeof EVENT_KINDS)[number];

/**
 * Validates the `events` list (spec 4) and returns the events in
 * application order: by `at`, file order kept for equal `at`. Invalid events
 * are reported to the context's issues and left out.
 */
export function readEvents(items: readonly unknown[], context: EventContext): ScenarioEvent[] {
  const events: ScenarioEvent[] = [];
  items.forEach((item, index) => {
    const event = readEvent(item, index, context);
    if (event) events.push(event);
  });
  // Array.prototype.sort is stable, which is what keeps file order for equal `at`.
  return events.sort((a, b) => a.at - b.at);
}

function readEvent(item: unknown, index: number, context: EventContext): ScenarioEvent | undefined {
  const { issues } = context;
  const path = ['events', index];
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    issues.add(path, `expected a mapping like { at: 10m, impair: { zone: ..., mode: ... } }, got ${describeValue(item)}`);
    return undefined;
  }
  const fields = item as Record<string, unknown>;
  const kinds = Object.keys(fields).filter((key): key is EventKind => Object.hasOwn(EVENT_SCHEMAS, key));
  reportStrayKeys(fields, kinds, path, issues);
  if (kinds.length !== 1) {
    const valid = `an event has "at" and exactly one kind key, one of: ${EVENT_KINDS.join(', ')}`;
    issues.add(path, kinds.length === 0 ? `no event kind: ${valid}` : `${kinds.length} event kinds (${kinds.join(' and ')}): ${valid}`);
    return undefined;
  }
  const kind = kinds[0]!;

  let at: number | undefined;
  if (!Object.hasOwn(fields, 'at')) {
    issues.add([...path, 'at'], 'missing required key');
  } else {
    at = issues.parse(duration, fields['at'], [...path, 'at']);
    if (at !== undefined && context.durationSeconds !== undefined && at > context.durationSeconds) {
      issues.add([...path, 'at'], `${String(fields['at'])} is after the end of the scenario (duration: ${context.durationText})`);
      at = undefined;
    }
  }
  const event = readKind(kind, fields[kind], [...path, kind], at === undefined ? undefined : { seconds: at, text: String(fields['at']) }, context);
  return event && at !== undefined ? ({ at, index, ...event } as ScenarioEvent) : undefined;
}

/** Keys beside `at` and the kind key. A field of the kind written beside it instead of inside it is the likely slip. */
function reportStrayKeys(fields: Record<string, unknown>, kinds: readonly EventKind[], path: readonly PathSegment[], issues: IssueList): void {
  for (const key of Object.keys(fields)) {
    if (key === 'at' || kinds.includes(key as EventKind)) continue;
    const owner = kinds.length === 1 && shapeKeys(EVENT_SCHEMAS[kinds[0]!]).includes(key) ? kinds[0] : undefined;
    issues.add([...path, key], owner !== undefined ? `unknown key (${key} belongs inside ${owner})` : unknownKeyMessage(key, ['at', ...EVENT_KINDS]));
  }
}

type EventBody = DistributiveOmit<ScenarioEvent, 'at' | 'index'>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

function readKind(
  kind: EventKind,
  value: unknown,
  path: readonly PathSegment[],
  at: { readonly seconds: number; readonly text: string } | undefined,
  context: EventContext,
): EventBody | undefined {
  const { issues, index } = context;
  const key = (name: string) => [...path, name];
  const untilAfterAt = (until: number | undefined) => {
    if (until !== undefined && at !== undefined && until <= at.seconds) {
      issues.add(key('until'), `until (${String((value as Record<string, unknown>)['until'])}) must be after at (${at.text}): until is a time from the start of the scenario, not a length`);
    }
  };

  switch (kind) {
    case 'impair': {
      const e = issues.parse(EVENT_SCHEMAS.impair, value, path);
      if (!e) return undefined;
      index.zone(key('zone'), e.zone);
      return { kind, zone: e.zone, mode: e.mode, errorRate: e.errorRate };
    }
    case 'impairRegion': {
      const e = issues.parse(EVENT_SCHEMAS.impairRegion, value, path);
      if (!e) return undefined;
      index.region(key('region'), e.region);
      return { kind, region: e.region, mode: e.mode, errorRate: e.errorRate };
    }
    case 'recover': {
      const e = issues.parse(EVENT_SCHEMAS.recover, value, path);
      if (!e) return undefined;
      if ((e.zone === undefined) === (e.region === undefined)) {
        issues.add(path, `expected exactly one of zone or region, got ${e.zone === undefined ? 'neither' : 'both'}`);
        return undefined;
      }
      if (e.zone !== undefined) {
        index.zone(key('zone'), e.zone);
        return { kind, zone: e.zone };
      }
      index.region(key('region'), e.region!);
      return { kind, region: e.region! };
    }
    case 'apiFault': {
      const e = issues.parse(EVENT_SCHEMAS.apiFault, value, path);
      if (!e) return undefined;
      if (index.provider(key('provider'), e.provider)) {
        const regionKnown = e.region !== undefined && index.region(key('region'), e.region, e.provider);
        if (e.zone !== undefined) index.zone(key('zone'), e.zone, regionKnown ? { provider: e.provider, region: e.region! } : { provider: e.provider });
      }
      untilAfterAt(e.until);
      return {
        kind,
        provider: e.provider,
        ...(e.region !== undefined ? { region: e.region } : {}),
        ...(e.zone !== undefined ? { zone: e.zone } : {}),
        operations: e.operations,
        fault: e.fault,
        rate: e.rate,
        ...(e.until !== undefined ? { until: e.until } : {}),
      };
    }
    case 'providerStatus': {
      const e = issues.parse(EVENT_SCHEMAS.providerStatus, value, path);
      if (!e) return undefined;
      if (index.provider(key('provider'), e.provider)) index.zone(key('zone'), e.zone, { provider: e.provider });
      return { kind, provider: e.provider, zone: e.zone, status: e.status };
    }
    case 'replication': {
      const e = issues.parse(EVENT_SCHEMAS.replication, value, path);
      if (!e) return undefined;
      if (index.database(key('database'), e.database)) index.replica(key('replica'), e.database, e.replica);
      if (e.lag === undefined && e.broken === undefined) {
        issues.add(path, 'expected lag, broken (true to break replication, false to resume it), or both (an event that changes nothing is a mistake)');
      }
      return {
        kind,
        database: e.database,
        replica: e.replica,
        ...(e.lag !== undefined ? { lagSeconds: e.lag } : {}),
        ...(e.broken !== undefined ? { broken: e.broken } : {}),
      };
    }
    case 'nodeFailure': {
      const e = issues.parse(EVENT_SCHEMAS.nodeFailure, value, path);
      if (!e) return undefined;
      if (index.group(key('group'), e.group) && e.zone !== undefined) {
        const home = index.groupHome(e.group);
        index.zone(key('zone'), e.zone, home ? { ...home, reason: `the home region of group ${e.group}` } : {});
      } else if (e.zone !== undefined) {
        index.zone(key('zone'), e.zone);
      }
      return { kind, group: e.group, count: e.count, ...(e.zone !== undefined ? { zone: e.zone } : {}) };
    }
    case 'observerPartition': {
      const e = issues.parse(EVENT_SCHEMAS.observerPartition, value, path);
      if (!e) return undefined;
      index.zone(key('zone'), e.zone);
      untilAfterAt(e.until);
      return { kind, zone: e.zone, ...(e.until !== undefined ? { until: e.until } : {}) };
    }
    case 'flap': {
      const e = issues.parse(EVENT_SCHEMAS.flap, value, path);
      if (!e) return undefined;
      index.zone(key('zone'), e.zone);
      untilAfterAt(e.until);
      return { kind, zone: e.zone, mode: e.mode, periodSeconds: e.period, until: e.until };
    }
  }
}
