/**
 * Zod schemas for the parts of a scenario file (spec sections 1, 2, 4, 5):
 * the structure only. Cross-references (does this zone exist, is this
 * replica one of that database's) are checked by the readers, which know the
 * declared topology.
 *
 * Every object is strict: a typo must never be silently ignored.
 */
import { z } from 'zod';
import { MUTATING_OPERATIONS, READ_OPERATIONS, type OperationName } from '../../../core/contract/types.js';
import { parseDurationSeconds } from '../../../core/util/duration.js';
import { describeValue } from './describeValue.js';

/** Every adapter-level operation name a scenario may mention. */
export const OPERATION_NAMES: readonly OperationName[] = [...READ_OPERATIONS, ...MUTATING_OPERATIONS];

/** How durations are written, for messages. */
export const DURATION_FORMAT = 'a duration like 90s, 2.5m, 1h, 1h30m, 100ms, 1d or a number of seconds';

function durationSchema(positive: boolean) {
  return z.unknown().transform((value, ctx): number => {
    const seconds = parseDurationSeconds(value);
    if (seconds === undefined) {
      const negative = (typeof value === 'number' && value < 0) || (typeof value === 'string' && value.trim().startsWith('-'));
      ctx.addIssue({
        code: 'custom',
        message: `expected ${DURATION_FORMAT}, got ${describeValue(value)}${negative ? ' (a duration cannot be negative)' : ''}`,
      });
      return z.NEVER;
    }
    if (positive && seconds <= 0) {
      ctx.addIssue({ code: 'custom', message: `expected a duration greater than zero, got ${describeValue(value)}` });
      return z.NEVER;
    }
    return seconds;
  });
}

/** A duration in seconds, zero allowed. */
export const duration = durationSchema(false);
/** A duration in seconds, greater than zero. */
export const positiveDuration = durationSchema(true);

/**
 * `key:` with nothing after it is YAML for null. For lists and mappings whose
 * empty form is valid, an author who commented out every item means "empty",
 * not "wrong type".
 */
export function nullAsEmpty<S extends z.ZodType>(empty: [] | Record<string, never>, schema: S) {
  return z.preprocess((value) => (value === null ? empty : value), schema);
}

const NAME = /^[a-z0-9-]+$/;

/** Scenario names end up in file names and reports. */
export const nameSchema = z.string().refine((value) => NAME.test(value), {
  error: (issue) => `expected lowercase letters, digits and dashes only ([a-z0-9-]+), got ${describeValue(issue.input)}`,
});

/** The `Random` generator seeds from 32 bits; larger seeds would silently collide. */
export const seedSchema = z.number().int().min(0).max(0xffffffff);

const id = z.string().min(1);
const fraction = z.number().min(0).max(1);
const nonNegativeInteger = z.number().int().min(0);
const operation = z.enum(OPERATION_NAMES as [OperationName, ...OperationName[]]);

/** The top-level `topology` mapping; its list items are validated one by one. */
export const topologySchema = z.strictObject({
  providers: z.array(z.unknown()).min(1),
  groups: nullAsEmpty([], z.array(z.unknown())).optional(),
  databases: nullAsEmpty([], z.array(z.unknown())).optional(),
  loadBalancers: nullAsEmpty([], z.array(z.unknown())).optional(),
});

const latencyShape = Object.fromEntries(OPERATION_NAMES.map((op) => [op, duration.optional()])) as {
  [K in OperationName]: z.ZodOptional<typeof duration>;
};

/** `topology.providers[]` (spec 2 and 2.1). */
export const providerSchema = z.strictObject({
  id,
  latency: nullAsEmpty({}, z.strictObject(latencyShape)).optional(),
  regions: z.array(z.strictObject({ id, zones: z.array(id).min(1) })).min(1),
});

/** `topology.groups[]`. */
export const groupSchema = z.strictObject({
  id,
  provider: id,
  region: id,
  size: z.string().optional(),
  // Checked entry by entry by the reader (see `nodesShapeSchema`).
  nodes: z.unknown(),
  minHealthy: nonNegativeInteger.optional(),
});

/**
 * The shape of a group's `nodes`. Its entries are read one by one into a
 * fresh object with own properties (`Object.fromEntries`): `z.record` builds
 * its result by assignment, and assigning `__proto__` sets the prototype
 * instead of adding a zone of that name.
 */
export const nodesShapeSchema = z.record(z.string(), z.unknown());
/** The value of one `nodes` entry (its zone is checked against the topology by the reader). */
export const nodeCountSchema = nonNegativeInteger;

const location = z.strictObject({ provider: id, region: id, zone: id });

/** `topology.databases[]`. */
export const databaseSchema = z.strictObject({
  id,
  engine: z.string().optional(),
  primary: location,
  replicas: nullAsEmpty(
    [],
    z.array(
      z.strictObject({
        id,
        provider: id,
        region: id,
        zone: id,
        lag: duration.optional(),
        mode: z.enum(['sync', 'async']).default('async'),
      }),
    ),
  ).optional(),
  writes: z.number().min(0).default(0),
  endpoint: z.strictObject({ provider: id, name: id, ttl: duration.optional() }).optional(),
});

/** `topology.loadBalancers[]` (r2). */
export const loadBalancerSchema = z.strictObject({ id, provider: id, region: id, group: id });

/** `*` for all operations; (r2) `*mutating` and `*read` for every mutating or every read one. */
const OPERATIONS_OR_ALL: string[] = [...OPERATION_NAMES, '*', '*mutating', '*read'];
const impairMode = z.enum(['unreachable', 'degraded', 'power', 'storage']);

/** The value of each event kind key (spec 4). */
export const EVENT_SCHEMAS = {
  impair: z.strictObject({ zone: id, mode: impairMode, errorRate: fraction.default(0.5) }),
  impairRegion: z.strictObject({ region: id, mode: impairMode, errorRate: fraction.default(0.5) }),
  recover: z.strictObject({ zone: id.optional(), region: id.optional() }),
  apiFault: z.strictObject({
    provider: id,
    region: id.optional(),
    zone: id.optional(),
    operations: z.array(z.enum(OPERATIONS_OR_ALL as [string, ...string[]])).min(1),
    fault: z.enum(['error', 'throttle', 'hang', 'lostReply']),
    rate: fraction.default(1),
    until: duration.optional(),
  }),
  providerStatus: z.strictObject({ provider: id, zone: id, status: z.enum(['available', 'impaired', 'unavailable']) }),
  // (r2) `broken: false` resumes replication.
  replication: z.strictObject({ database: id, replica: id, lag: duration.optional(), broken: z.boolean().optional() }),
  nodeFailure: z.strictObject({ group: id, count: z.number().int().min(1), zone: id.optional() }),
  observerPartition: z.strictObject({ zone: id, until: duration.optional() }),
  flap: z.strictObject({ zone: id, mode: z.enum(['unreachable', 'degraded']), period: positiveDuration, until: duration }),
} as const;

/** Event kind keys, in the spec's order. */
export const EVENT_KINDS = Object.keys(EVENT_SCHEMAS) as (keyof typeof EVENT_SCHEMAS)[];

/** The value of each expectation kind key (spec 5). */
export const EXPECTATION_SCHEMAS = {
  failover: z.strictObject({
    database: id,
    to: z.strictObject({ region: id.optional(), zone: id.optional(), replica: id.optional() }).optional(),
    within: duration.optional(),
  }),
  noFailover: nullAsEmpty({}, z.strictObject({ database: id.optional() })),
  never: z.strictObject({ action: operation, zone: id.optional(), region: id.optional() }),
  capacity: z.strictObject({ group: id, min: nonNegativeInteger.optional(), within: duration }),
  // A number of seconds per the spec; a written duration (`30s`) means the same and is accepted.
  maxDataLoss: z.strictObject({ database: id, seconds: duration }),
  maxFailovers: z.strictObject({ database: id.optional(), count: nonNegativeInteger }),
  maxCalls: z.strictObject({ provider: id, operation: operation.optional(), count: nonNegativeInteger, per: positiveDuration.optional() }),
  // r2: traffic. `seconds` are seconds of integrated share (a duration written like `30s` means the same).
  endpoint: z.strictObject({ database: id, within: duration }),
  maxWriteUnavailable: z.strictObject({ database: id, seconds: duration }),
  maxRequestErrors: z.strictObject({ loadBalancer: id, seconds: duration }),
  maxSplitBrain: z.strictObject({ database: id.optional(), seconds: duration }),
} as const;

/** Expectation kind keys, in the spec's order. */
export const EXPECTATION_KINDS = Object.keys(EXPECTATION_SCHEMAS) as (keyof typeof EXPECTATION_SCHEMAS)[];

/** Keys of the object schema `schema` (looking through `nullAsEmpty`), for "belongs inside" hints. */
export function shapeKeys(schema: z.core.$ZodType): readonly string[] {
  const def = (schema as z.core.$ZodTypes)._zod.def;
  if (def.type === 'object') return Object.keys(def.shape);
  if (def.type === 'pipe') return shapeKeys(def.out);
  return [];
}
