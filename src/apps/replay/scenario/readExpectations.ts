import { describeValue } from './describeValue.js';
import type { PathSegment } from './formatPath.js';
import { unknownKeyMessage, type IssueList } from './IssueList.js';
import type { Expectation } from './Scenario.js';
import { EXPECTATION_KINDS, EXPECTATION_SCHEMAS, shapeKeys } from './scenarioSchemas.js';
import type { TopologyIndex } from './TopologyIndex.js';

type ExpectationKind = (typeof EXPECTATION_KINDS)[number];
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type ExpectationBody = DistributiveOmit<Expectation, 'index' | 'spec'>;

/**
 * Validates the `expect` list (spec 5), in file order. Invalid items are
 * reported to `issues` and left out.
 */
export function readExpectations(items: readonly unknown[], issues: IssueList, index: TopologyIndex): Expectation[] {
  const expectations: Expectation[] = [];
  items.forEach((item, position) => {
    const path = ['expect', position];
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      issues.add(path, `expected a mapping like { failover: { database: ... } }, got ${describeValue(item)}`);
      return;
    }
    const fields = item as Record<string, unknown>;
    const kinds = Object.keys(fields).filter((key): key is ExpectationKind => Object.hasOwn(EXPECTATION_SCHEMAS, key));
    for (const key of Object.keys(fields)) {
      if (kinds.includes(key as ExpectationKind)) continue;
      const owner = kinds.length === 1 && shapeKeys(EXPECTATION_SCHEMAS[kinds[0]!]).includes(key) ? kinds[0] : undefined;
      issues.add([...path, key], owner !== undefined ? `unknown key (${key} belongs inside ${owner})` : unknownKeyMessage(key, EXPECTATION_KINDS));
    }
    if (kinds.length !== 1) {
      const valid = `an expectation has exactly one kind key, one of: ${EXPECTATION_KINDS.join(', ')}`;
      issues.add(path, kinds.length === 0 ? `no expectation kind: ${valid}` : `${kinds.length} expectation kinds (${kinds.join(' and ')}): ${valid}`);
      return;
    }
    const kind = kinds[0]!;
    const body = readKind(kind, fields[kind], [...path, kind], issues, index);
    // The report shows the expectation's body as written (its kind is beside it); a copy keeps it independent of the parsed tree.
    if (body) expectations.push({ ...body, index: position, spec: structuredClone(fields[kind] ?? {}) } as Expectation);
  });
  return expectations;
}

function readKind(kind: ExpectationKind, value: unknown, path: readonly PathSegment[], issues: IssueList, index: TopologyIndex): ExpectationBody | undefined {
  const key = (...names: string[]) => [...path, ...names];
  switch (kind) {
    case 'failover': {
      const e = issues.parse(EXPECTATION_SCHEMAS.failover, value, path);
      if (!e) return undefined;
      const known = index.database(key('database'), e.database);
      const to = e.to;
      if (to?.replica !== undefined && known) index.replica(key('to', 'replica'), e.database, to.replica);
      const regionKnown = to?.region !== undefined && index.region(key('to', 'region'), to.region);
      if (to?.zone !== undefined) index.zone(key('to', 'zone'), to.zone, regionKnown ? { region: to.region! } : {});
      return {
        kind,
        database: e.database,
        ...(to !== undefined ? { to: withoutUndefined(to) } : {}),
        ...(e.within !== undefined ? { withinSeconds: e.within } : {}),
      };
    }
    case 'noFailover': {
      const e = issues.parse(EXPECTATION_SCHEMAS.noFailover, value, path);
      if (!e) return undefined;
      if (e.database !== undefined) index.database(key('database'), e.database);
      return { kind, ...(e.database !== undefined ? { database: e.database } : {}) };
    }
    case 'never': {
      const e = issues.parse(EXPECTATION_SCHEMAS.never, value, path);
      if (!e) return undefined;
      const regionKnown = e.region !== undefined && index.region(key('region'), e.region);
      if (e.zone !== undefined) index.zone(key('zone'), e.zone, regionKnown ? { region: e.region! } : {});
      return {
        kind,
        action: e.action,
        ...(e.zone !== undefined ? { zone: e.zone } : {}),
        ...(e.region !== undefined ? { region: e.region } : {}),
      };
    }
    case 'capacity': {
      const e = issues.parse(EXPECTATION_SCHEMAS.capacity, value, path);
      if (!e) return undefined;
      index.group(key('group'), e.group);
      return { kind, group: e.group, ...(e.min !== undefined ? { min: e.min } : {}), withinSeconds: e.within };
    }
    case 'maxDataLoss': {
      const e = issues.parse(EXPECTATION_SCHEMAS.maxDataLoss, value, path);
      if (!e) return undefined;
      index.database(key('database'), e.database);
      return { kind, database: e.database, seconds: e.seconds };
    }
    case 'maxFailovers': {
      const e = issues.parse(EXPECTATION_SCHEMAS.maxFailovers, value, path);
      if (!e) return undefined;
      if (e.database !== undefined) index.database(key('database'), e.database);
      return { kind, ...(e.database !== undefined ? { database: e.database } : {}), count: e.count };
    }
    case 'maxCalls': {
      const e = issues.parse(EXPECTATION_SCHEMAS.maxCalls, value, path);
      if (!e) return undefined;
      index.provider(key('provider'), e.provider);
      return {
        kind,
        provider: e.provider,
        ...(e.operation !== undefined ? { operation: e.operation } : {}),
        count: e.count,
        ...(e.per !== undefined ? { perSeconds: e.per } : {}),
      };
    }
    case 'endpoint': {
      const e = issues.parse(EXPECTATION_SCHEMAS.endpoint, value, path);
      if (!e) return undefined;
      index.databaseWithEndpoint(key('database'), e.database);
      return { kind, database: e.database, withinSeconds: e.within };
    }
    case 'maxWriteUnavailable': {
      const e = issues.parse(EXPECTATION_SCHEMAS.maxWriteUnavailable, value, path);
      if (!e) return undefined;
      index.databaseWithEndpoint(key('database'), e.database);
      return { kind, database: e.database, seconds: e.seconds };
    }
    case 'maxRequestErrors': {
      const e = issues.parse(EXPECTATION_SCHEMAS.maxRequestErrors, value, path);
      if (!e) return undefined;
      index.loadBalancer(key('loadBalancer'), e.loadBalancer);
      return { kind, loadBalancer: e.loadBalancer, seconds: e.seconds };
    }
    case 'maxSplitBrain': {
      const e = issues.parse(EXPECTATION_SCHEMAS.maxSplitBrain, value, path);
      if (!e) return undefined;
      if (e.database !== undefined) index.database(key('database'), e.database);
      return { kind, ...(e.database !== undefined ? { database: e.database } : {}), seconds: e.seconds };
    }
  }
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
