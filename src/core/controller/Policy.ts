import { z } from 'zod';
import { parseDurationSeconds } from '../util/duration.js';

/**
 * The controller's configuration. The same keys are read from a scenario's
 * `policy`, from `lifeboat replay --policy FILE` and from the daemon's config.
 * Durations are in seconds here; in files they may be written as `90s`, `2m`,
 * or plain numbers of seconds.
 *
 * Every default is the one we recommend for production; the reason is given
 * next to each.
 */
export interface Policy {
  /**
   * The blip tolerance: how long a zone may go silent (a frozen primary, a
   * network blip) without costing a failover, and so about how long after a
   * real fault the failover starts. Default 3 s: longer than a checkpoint
   * stall or a short network blip, far below Patroni's 30 s ttl.
   *
   * The detection keys follow from it unless set themselves (see
   * {@link resolvePolicy}): `replicationStaleAfter` = T (a replica silent
   * this long says its primary is cut off: measured from the fault itself),
   * `probeInterval` = min(2 s, T/3), `suspectProbeInterval` =
   * min(0.5 s, T/6), `probeTimeout` = min(1 s, T/3), `impairedAfter` = T
   * (counted from the first failed observation: a replica's lost contact
   * with the zone's primary, or our first failed probe), `failedRounds` =
   * max(1, round((T - probeInterval) / probeTimeout)) (the confirmation
   * rounds of a hung target fit in the tolerance). Setting one of those keys
   * overrides its derived value.
   */
  readonly blipTolerance: number;
  /**
   * How often the controller probes every node and database itself.
   * Default `blipTolerance`/3, at most 2 s (1 s at the default tolerance):
   * a fault is first seen at most this long after it happens. Cheap
   * (data-plane health checks, not API calls).
   */
  readonly probeInterval: number;
  /**
   * Probe interval while something is unsettled: a target failing but not
   * yet counted down (or up again), or a zone counting rounds toward a
   * transition. Default `blipTolerance`/6, at most 0.5 s (HAProxy's
   * `fastinter` idea): the `failedRounds` confirmation rounds follow each
   * other quickly, while a calm estate is still probed only every
   * `probeInterval`. A round never starts before the previous one ended (at
   * most `probeTimeout`). The controller also wakes early, at the moment a
   * pending confirmation can complete (a replica's silence reaching
   * `replicationStaleAfter`, a down target reaching `impairedAfter`).
   */
  readonly suspectProbeInterval: number;
  /** A probe that has not answered after this long has failed. Default `blipTolerance`/3, at most 1 s. */
  readonly probeTimeout: number;
  /**
   * How often the control-plane reads run (listNodes, listDatabases,
   * zoneStatus) while everything looks healthy. Default 30 s: provider read
   * APIs are rate-limited, and a suspicion (a failed probe) triggers an
   * immediate read anyway.
   */
  readonly observeInterval: number;
  /**
   * Control-plane read interval while something is unsettled: a target or
   * zone looks bad but is not yet confirmed, or a promotion or a create is
   * under way. Default 5 s: confirmation (replication, provider listing) is
   * needed quickly, but an outage already confirmed goes back to
   * `observeInterval` so a struggling control plane is not hammered.
   */
  readonly suspectObserveInterval: number;
  /**
   * Consecutive failed probe rounds before a target counts as down, and
   * before a zone's evidence counts. Default
   * max(1, round((`blipTolerance` - `probeInterval`) / `probeTimeout`)):
   * 2 at the default tolerance, so the rounds of a hung target (each lasts
   * `probeTimeout`) are over within the tolerance.
   */
  readonly failedRounds: number;
  /**
   * Minimum time a zone must look bad, continuously, before it is declared
   * impaired (dwell), counted from the first failed observation: the
   * moment replicas elsewhere last heard the zone's primary (as they report
   * it, never before the primary last answered our own probe), or our first
   * failed probe's start when that is earlier. Default `blipTolerance`: a
   * disturbance shorter than the tolerance never costs a failover, and a
   * real fault is acted on about `blipTolerance` after it happened.
   */
  readonly impairedAfter: number;
  /**
   * Consecutive healthy rounds, and minimum healthy time, before an impaired
   * zone is declared recovered. Defaults 5 rounds and 120 s: coming back is
   * not trusted as fast as going away (anti-flapping).
   */
  readonly recoveredRounds: number;
  readonly recoveredAfter: number;
  /**
   * Share of a zone's probed targets that must be down for the zone's own
   * probes to say "impaired" (0..1). Default 0.5. Below it but above zero the
   * zone is `degraded`.
   */
  readonly impairedFraction: number;
  /**
   * A replica that has not heard from its upstream for this long says the
   * upstream's zone is cut off (the second vantage point). Default
   * `blipTolerance` (3 s): longer than the gap between keepalives of an idle
   * stream (PostgreSQL sends one at least every `wal_receiver_timeout / 2`;
   * see the local adapter's settings). The replica's own contact age dates
   * the silence from the fault, not from when the controller first noticed.
   */
  readonly replicationStaleAfter: number;
  /**
   * Never promote a replica that would lose more than this many seconds of
   * committed writes (its lag when replication stopped). Default 30 s,
   * against promoting a replica hours behind (orchestrator#1050).
   */
  readonly maxDataLoss: number;
  /** Promote a replica in another region when none is left in the primary's region. Default true. */
  readonly crossRegionFailover: boolean;
  /** Promote a replica on another provider when none is left on the primary's provider. Default true. */
  readonly crossProviderFailover: boolean;
  /**
   * After a failover of a database, no further automatic failover of it for
   * this long unless its new primary's zone is itself declared impaired.
   * Default 600 s (anti-flapping).
   */
  readonly failoverCooldown: number;
  /** A promotion that has not produced a writable primary after this long is abandoned for the next candidate. Default 300 s. */
  readonly promoteTimeout: number;
  /** Stop (fence) an old primary as soon as it is reachable again. Default true. */
  readonly fenceOldPrimary: boolean;
  /** Re-point the remaining replicas to the new primary (when the provider can). Default true. */
  readonly repointReplicas: boolean;
  /**
   * Point each database's writer endpoint (a DNS record, a proxy) at its
   * primary once the primary takes writes, retried with backoff until the
   * provider serves it; a failover is never undone because the endpoint
   * cannot move yet. Default true: clients find the new primary without a
   * change of their own.
   */
  readonly moveEndpoints: boolean;
  /**
   * How long a failed primary's fence waits for its database's endpoint to
   * stop answering it, counted from when the new primary takes writes. The
   * endpoint is moved first so that clients are never sent to an instance
   * the controller stopped while another takes writes (whatever the
   * endpoint's propagation time); an old primary that takes writes again is
   * fenced at once regardless. Past this, the fence is sent anyway (an
   * endpoint that cannot move must not keep a failed primary unfenced).
   * Default 300 s: Route 53 changes are usually served within a minute.
   */
  readonly endpointMoveTimeout: number;
  /**
   * Shift an impaired zone out of its load balancers' rotation (ARC zonal
   * shift, backend capacity, HAProxy maintenance), and back once it has
   * recovered (`recoveredRounds` and `recoveredAfter`, so a flapping zone
   * does not churn). Never on one vantage point (the zone must be impaired),
   * never the last zone in rotation, never a shift the controller did not
   * make. Default true.
   */
  readonly shiftTraffic: boolean;
  /**
   * How long a shift lasts unless renewed: renewed while the zone stays
   * impaired once less than half of it is left, so traffic returns by
   * itself this long after the controller dies. Default 30 min: long enough
   * that renewals are rare calls, short enough that a dead controller does
   * not keep a healthy zone dark for hours (ARC allows up to 3 days).
   */
  readonly trafficShiftExpiry: number;
  /**
   * Keep node groups at `minHealthy` by creating nodes in healthy zones, and,
   * after a failover, keep each database cluster at its replica count by
   * creating replicas of the new primary (retiring replicas stranded on the
   * old one when the provider cannot re-point them). Default true.
   */
  readonly maintainCapacity: boolean;
  /**
   * Where replacement nodes go: `best-zone` (the healthy zone of the group's
   * region with the fewest of its nodes) or `untargeted` (the provider
   * chooses). Default `best-zone`: untargeted launches can land in the
   * impaired zone while the provider's status still says it is fine.
   */
  readonly placement: 'best-zone' | 'untargeted';
  /**
   * A single node (in a zone that is not impaired) down this long is
   * replaced: a new node is created, and the dead one destroyed once the
   * zone is healthy. Default 60 s.
   */
  readonly nodeDeadAfter: number;
  /**
   * Runaway guard: a group never holds more than this many times its
   * `minHealthy` nodes (running, pending and dead together), and a database
   * cluster never more than this many times its primary and replicas.
   * Default 2.
   */
  readonly maxNodesFactor: number;
  /** A created node not running and answering after this long is given up on (and its zone avoided for a while). Default 600 s. */
  readonly nodeStartTimeout: number;
  /**
   * A replica this controller created that does not stream after this long
   * is given up on: it no longer counts toward the cluster's replicas, so
   * another is made (in another zone, its own being avoided for a while),
   * under the runaway guard. It is not deleted: one that streams later
   * counts again. Copying a large database takes hours on some providers:
   * raise it for those. Default 3600 s.
   */
  readonly replicaCreateTimeout: number;
  /** Budget for one adapter call; it is cut off through its AbortSignal after this. Default 30 s. */
  readonly callTimeout: number;
  /**
   * Mutating calls allowed per provider and region per minute (token bucket,
   * burst of the same size). Default 20: enough for a zone's worth of
   * replacements, far from a storm.
   */
  readonly mutationsPerMinute: number;
  /** First backoff after a throttled/failed call (jittered, doubled each time). Default 2 s. */
  readonly backoffBase: number;
  /** Backoff ceiling. Default 300 s. */
  readonly backoffMax: number;
  /**
   * `act` runs the plan; `observe` (shadow mode) observes, decides and
   * reports every step it would run (held back, with `why: observe`) and
   * runs none: no mutating call is made. How a team tries Lifeboat beside
   * the tool it uses today. Default `act`.
   */
  readonly mode: 'act' | 'observe';
  /**
   * An automatic failover's promotion waits for an operator's approval
   * (`lifeboat approve`, `POST /approve`) for up to `approvalTimeout` from
   * the moment the primary was found failed. Default false: a failover that
   * waits for a person costs write availability for as long as it waits.
   */
  readonly approveFailovers: boolean;
  /** How long a failover waits for approval, counted from the primary's failure (with `approveFailovers`). Default 120 s. */
  readonly approvalTimeout: number;
  /**
   * What happens when nobody approved by the deadline: `proceed` (the
   * failover runs: the approval was a chance to veto, not a gate that keeps
   * the database down when the pager goes unanswered) or `abandon` (no
   * automatic failover; a later approval still starts it). Default
   * `proceed`.
   */
  readonly onApprovalTimeout: 'proceed' | 'abandon';
  /**
   * Retry bound: a step tried `maxStepRetries` + 1 times within
   * `stepRetryWindow` (its first call and this many retries) is not called
   * again until the oldest of those calls leaves the window; a note says so.
   * One step is one call on one target (a fence of one instance, a
   * re-point, an endpoint change, ...), whether its calls fail, hang or are
   * accepted and never take effect; for creates, whose names are new each
   * time, a round of the group's (or database's) creates that failed or was
   * never seen within `nodeStartTimeout` is a try. A throttled call is not a
   * try: the call gate backs off from it. Default 3: a transient fault costs
   * a retry or two, a persistent one at most four calls per step in any
   * half hour, however long the control plane misbehaves.
   */
  readonly maxStepRetries: number;
  /** The window of `maxStepRetries`. Default 1800 s. */
  readonly stepRetryWindow: number;
}

/** The default blip tolerance (s); see {@link Policy.blipTolerance}. */
const DEFAULT_BLIP_TOLERANCE = 3;

/** The detection keys that follow from `blipTolerance` unless set themselves. */
export type ToleranceDerivedKey = 'probeInterval' | 'suspectProbeInterval' | 'probeTimeout' | 'failedRounds' | 'impairedAfter' | 'replicationStaleAfter';

/**
 * The detection settings that follow from a blip tolerance of `tolerance`
 * seconds (rules in {@link Policy.blipTolerance}), each computed from the
 * ones before it as `given` sets them (a 2 s `probeInterval` set by hand
 * leaves a shorter `impairedAfter`, so the tolerance still holds).
 */
export function detectionFromTolerance(tolerance: number, given: PolicyOverrides = {}): Pick<Policy, ToleranceDerivedKey> {
  // Intervals round up to the millisecond (a third of a second is 0.334 s, not a float tail).
  const ms = (seconds: number) => Math.ceil(seconds * 1000 - 1e-6) / 1000;
  const probeInterval = given.probeInterval ?? ms(Math.min(2, tolerance / 3));
  const probeTimeout = given.probeTimeout ?? ms(Math.min(1, tolerance / 3));
  return {
    probeInterval,
    suspectProbeInterval: given.suspectProbeInterval ?? ms(Math.min(0.5, tolerance / 6)),
    probeTimeout,
    failedRounds: given.failedRounds ?? Math.max(1, Math.round(Math.max(0, tolerance - probeInterval) / probeTimeout)),
    impairedAfter: given.impairedAfter ?? tolerance,
    replicationStaleAfter: given.replicationStaleAfter ?? tolerance,
  };
}

/** The recommended production policy. */
export const DEFAULT_POLICY: Policy = Object.freeze({
  blipTolerance: DEFAULT_BLIP_TOLERANCE,
  ...detectionFromTolerance(DEFAULT_BLIP_TOLERANCE),
  observeInterval: 30,
  suspectObserveInterval: 5,
  recoveredRounds: 5,
  recoveredAfter: 120,
  impairedFraction: 0.5,
  maxDataLoss: 30,
  crossRegionFailover: true,
  crossProviderFailover: true,
  failoverCooldown: 600,
  promoteTimeout: 300,
  fenceOldPrimary: true,
  repointReplicas: true,
  moveEndpoints: true,
  endpointMoveTimeout: 300,
  shiftTraffic: true,
  trafficShiftExpiry: 1800,
  maintainCapacity: true,
  placement: 'best-zone',
  nodeDeadAfter: 60,
  nodeStartTimeout: 600,
  replicaCreateTimeout: 3600,
  maxNodesFactor: 2,
  callTimeout: 30,
  mutationsPerMinute: 20,
  backoffBase: 2,
  backoffMax: 300,
  mode: 'act',
  approveFailovers: false,
  approvalTimeout: 120,
  onApprovalTimeout: 'proceed',
  maxStepRetries: 3,
  stepRetryWindow: 1800,
} satisfies Policy);

const duration = (min = 0) =>
  z.union([z.string(), z.number()]).transform((value, ctx) => {
    const seconds = parseDurationSeconds(value);
    if (seconds === undefined || seconds < min) {
      ctx.addIssue({
        code: 'custom',
        message: `expected a duration like 90s, 2.5m, 1h or a number of seconds${min > 0 ? ` (at least ${min}s)` : ''}, got ${JSON.stringify(value)}`,
      });
      return z.NEVER;
    }
    return seconds;
  });
const positiveDuration = () =>
  duration().refine((s) => s > 0, { message: 'expected a duration greater than zero' });
const fraction = z.number().min(0).max(1);
const count = z.number().int().min(1);

/**
 * Schema of policy overrides (every key optional, unknown keys rejected).
 * Used by scenario, policy file and daemon config validation alike.
 */
export const policyOverridesSchema = z.strictObject({
  blipTolerance: positiveDuration(),
  probeInterval: positiveDuration(),
  suspectProbeInterval: positiveDuration(),
  probeTimeout: positiveDuration(),
  observeInterval: positiveDuration(),
  suspectObserveInterval: positiveDuration(),
  failedRounds: count,
  impairedAfter: duration(),
  recoveredRounds: count,
  recoveredAfter: duration(),
  impairedFraction: fraction,
  replicationStaleAfter: positiveDuration(),
  maxDataLoss: duration(),
  crossRegionFailover: z.boolean(),
  crossProviderFailover: z.boolean(),
  failoverCooldown: duration(),
  promoteTimeout: positiveDuration(),
  fenceOldPrimary: z.boolean(),
  repointReplicas: z.boolean(),
  moveEndpoints: z.boolean(),
  endpointMoveTimeout: duration(),
  shiftTraffic: z.boolean(),
  trafficShiftExpiry: duration(60),
  maintainCapacity: z.boolean(),
  placement: z.enum(['best-zone', 'untargeted']),
  nodeDeadAfter: duration(),
  nodeStartTimeout: positiveDuration(),
  replicaCreateTimeout: positiveDuration(),
  maxNodesFactor: z.number().min(1),
  callTimeout: positiveDuration(),
  mutationsPerMinute: z.number().positive(),
  backoffBase: positiveDuration(),
  backoffMax: positiveDuration(),
  mode: z.enum(['act', 'observe']),
  approveFailovers: z.boolean(),
  approvalTimeout: positiveDuration(),
  onApprovalTimeout: z.enum(['proceed', 'abandon']),
  maxStepRetries: count,
  stepRetryWindow: positiveDuration(),
}).partial();

/** Validated overrides: any subset of {@link Policy}. */
export type PolicyOverrides = Partial<Policy>;

/**
 * The policy in force: defaults, then each layer of overrides in order. The
 * detection keys that no layer sets follow from the `blipTolerance` in force
 * ({@link detectionFromTolerance}); a key a layer sets keeps its value.
 */
export function resolvePolicy(...layers: readonly PolicyOverrides[]): Policy {
  // Built as a copy of DEFAULT_POLICY with its values overwritten, not by `Object.assign({}, …)` or spreading into a
  // new object: V8 leaves those in dictionary mode or gives them a map of their own, so each replay's policy had
  // another shape, and the code reading it (every cycle) was thrown away and compiled again, replay after replay.
  const policy: Policy = { ...DEFAULT_POLICY };
  const given: Record<string, unknown> = {};
  for (const layer of layers) {
    for (const [key, value] of Object.entries(layer)) {
      if (value === undefined) continue;
      (policy as unknown as Record<string, unknown>)[key] = value;
      given[key] = value;
    }
  }
  return Object.freeze(Object.assign(policy, detectionFromTolerance(policy.blipTolerance, given as PolicyOverrides)));
}
