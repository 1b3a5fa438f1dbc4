import type { ControllerMemory } from '../../core/controller/ControllerMemory.js';
import type { OperatorPauses, Pause } from '../../core/controller/OperatorPauses.js';
import type { HeldStep, Step } from '../../core/controller/Plan.js';
import type { DatabaseView, GroupConfig, Snapshot } from '../../core/controller/Snapshot.js';
import type { TargetStatus, ZoneEvidence, ZoneState } from '../../core/health/types.js';

/** A plan step as `/status` shows it. */
export interface StatusStep {
  readonly operation: string;
  readonly provider: string;
  readonly zone: string | undefined;
  readonly target: string;
  readonly reason: string;
  /** Who asked, for the steps of an operator's request (a switchover); absent for automatic steps. */
  readonly requestedBy?: string;
}

/** An operator's pause as `/status` shows it. */
export interface StatusPause {
  readonly by: string;
  /** When (ISO). */
  readonly at: string;
  readonly reason: string;
}

/** The body of `GET /status`. */
export interface DaemonStatus {
  readonly id: string;
  readonly startedAt: string;
  /** Time of the latest observation; absent before the first cycle. */
  readonly observedAt: string | undefined;
  /** `act`, or `observe` (shadow mode: nothing is run, `wouldDo` lists what would be). */
  readonly mode: 'act' | 'observe';
  /** Whether automatic actions are paused for everything (`pauses.all`). */
  readonly paused: boolean;
  /** Who paused what, when and why: everything, or single databases. */
  readonly pauses: { readonly all?: StatusPause; readonly databases: readonly (StatusPause & { readonly database: string })[] };
  /**
   * Who acts: with a lock file, always this daemon; with etcd, the holder of
   * the leader key (`self` tells whether it is this daemon; a follower serves
   * the leader's published zones and databases).
   */
  readonly leader: {
    readonly id: string | undefined;
    readonly mode: 'local-lock' | 'etcd';
    /** The lock file or the etcd leader key. */
    readonly lock: string;
    readonly self: boolean;
    /** The fencing token of this daemon's term (etcd, leader only). */
    readonly token?: string;
    readonly since?: string;
  };
  readonly zones: readonly {
    provider: string;
    region: string;
    zone: string;
    state: ZoneState;
    since: string;
    reason: string;
    evidence: ZoneEvidence;
    /** Load balancers this controller has shifted away from the zone (an operator's shifts are not listed). */
    shiftedAway?: readonly string[];
  }[];
  readonly databases: readonly {
    database: string;
    primary: string | undefined;
    provider: string | undefined;
    /** Zone of the primary, as last listed; absent while it is not listed. */
    primaryZone: string | undefined;
    /** The primary's latest probe (`up`, `suspect`, `down`, `unprobed`) and whether it took writes; absent while it is not listed. */
    primaryHealth?: { probe: TargetStatus; writable: boolean };
    failovers: number;
    /** Set while automatic actions are paused for this database alone. */
    paused?: StatusPause;
    promotion: { target: string; from: string; startedAt: string } | undefined;
    /** An operator's switchover the controller is carrying out: fencing the primary, then waiting for the target to catch up. */
    switchover?: { requestedBy: string; requestedAt: string; target: string | undefined; phase: 'fencing' | 'catching up'; deadline: string };
    replicas: readonly { id: string; provider?: string; zone: string; role: string; state: string; probe?: TargetStatus; upstream: string | undefined; replication: string | undefined; lagSeconds: number | null }[];
  }[];
  readonly groups: readonly { group: string; provider: string; region: string; minHealthy: number; healthy: number; total: number }[];
  /** Adapter calls of the controller's plan that have not returned. */
  readonly inFlight: readonly StatusStep[];
  /** The steps the last deciding cycle planned, each with its reason (a failover's or a switchover's alike). */
  readonly plan: readonly StatusStep[];
  /** What the last deciding cycle chose not to do, and why (waiting for a replica to catch up, a cooldown, ...). */
  readonly notes: readonly string[];
  /**
   * While automatic actions are paused: the steps the last cycle decided on
   * and held back (what would run on resume). Empty when not paused.
   */
  readonly pausedPlan: readonly StatusStep[];
  /** In `observe` mode: the steps the last cycle would have run (none is run). */
  readonly wouldDo: readonly StatusStep[];
  /** Failovers waiting for an operator's approval (`lifeboat approve`), until their deadline. */
  readonly awaitingApproval: readonly (StatusStep & { readonly database: string; readonly until: string })[];
  /** The latest switchover asked for: `requested`, `promoting`, `completed`, `refused` or `abandoned`, with details. */
  readonly switchover: { database: string; state: string; detail: string } | undefined;
}

/** What {@link buildDaemonStatus} reads. */
export interface DaemonStatusInput {
  readonly id: string;
  readonly startedAt: number;
  readonly snapshot: Snapshot | undefined;
  readonly memory: ControllerMemory;
  readonly groups: readonly GroupConfig[];
  readonly mode: 'act' | 'observe';
  readonly pauses: OperatorPauses;
  readonly leader: DaemonStatus['leader'];
  readonly inFlight: readonly Step[];
  readonly plan: readonly Step[];
  readonly notes: readonly string[];
  /** The last deciding cycle's held steps. */
  readonly held: readonly HeldStep[];
  readonly switchover: DaemonStatus['switchover'];
}

/** The leader's `/status`, from its controller's latest snapshot and memory. Pure. */
export function buildDaemonStatus(input: DaemonStatusInput): DaemonStatus {
  const { snapshot, memory } = input;
  const shifted = (provider: string, zone: string) =>
    [...memory.shifts.values()].filter((s) => s.provider === provider && s.zone === zone && !s.returning).map((s) => s.loadBalancer);
  const zones = snapshot
    ? [...snapshot.zones.values()].map((z) => {
        const away = shifted(z.provider, z.zone);
        return { provider: z.provider, region: z.region, zone: z.zone, state: z.state, since: new Date(z.since).toISOString(), reason: z.reason, evidence: z.evidence, ...(away.length > 0 ? { shiftedAway: away } : {}) };
      })
    : [];
  const clusters = new Map<string, DatabaseView[]>();
  for (const v of snapshot?.databases ?? []) {
    let list = clusters.get(v.instance.cluster);
    if (!list) clusters.set(v.instance.cluster, (list = []));
    list.push(v);
  }
  const databases = [...clusters].map(([cluster, views]) => {
    const record = memory.clusters.get(cluster);
    const intent = memory.intents.get(cluster);
    const primary = views.find((v) => v.instance.id === record?.primary && v.instance.provider === record?.provider);
    const pause = input.pauses.databases.get(cluster);
    return {
      database: cluster,
      primary: record?.primary,
      provider: record?.provider,
      primaryZone: primary?.instance.zone,
      ...(pause ? { paused: describePause(pause) } : {}),
      ...(primary ? { primaryHealth: { probe: primary.health.status, writable: primary.health.writable } } : {}),
      failovers: record?.failovers ?? 0,
      promotion: record?.promotion ? { target: record.promotion.target, from: record.promotion.from, startedAt: new Date(record.promotion.startedAt).toISOString() } : undefined,
      ...(intent
        ? {
            switchover: {
              requestedBy: intent.requestedBy,
              requestedAt: new Date(intent.requestedAt).toISOString(),
              target: intent.fenced?.target ?? intent.target,
              phase: intent.fenced ? ('catching up' as const) : ('fencing' as const),
              deadline: new Date(intent.deadline).toISOString(),
            },
          }
        : {}),
      replicas: views
        .filter((v) => v.instance.id !== record?.primary)
        .map(({ instance: d, health }) => ({ id: d.id, provider: d.provider, zone: d.zone, role: d.role, state: d.state, probe: health.status, upstream: d.replication?.upstream, replication: d.replication?.state, lagSeconds: d.replication?.lagSeconds ?? null })),
    };
  });
  const groups = input.groups.map((g) => {
    const nodes = (snapshot?.nodes ?? []).filter((v) => v.node.group === g.id && v.node.provider === g.provider);
    return { group: g.id, provider: g.provider, region: g.region, minHealthy: g.minHealthy, healthy: nodes.filter((v) => v.node.state === 'running' && v.health.status === 'up').length, total: nodes.filter((v) => v.node.state !== 'terminated').length };
  });
  return {
    id: input.id,
    startedAt: new Date(input.startedAt).toISOString(),
    observedAt: snapshot ? new Date(snapshot.now).toISOString() : undefined,
    mode: input.mode,
    paused: input.pauses.all !== undefined,
    pauses: {
      ...(input.pauses.all ? { all: describePause(input.pauses.all) } : {}),
      databases: [...input.pauses.databases].map(([database, p]) => ({ database, ...describePause(p) })),
    },
    leader: input.leader,
    zones,
    databases,
    groups,
    inFlight: input.inFlight.map(describeStep),
    plan: input.plan.map(describeStep),
    notes: input.notes,
    pausedPlan: input.held.filter((h) => h.why === 'paused').map((h) => describeStep(h.step)),
    wouldDo: input.held.filter((h) => h.why === 'observe').map((h) => describeStep(h.step)),
    awaitingApproval: input.held.flatMap((h) =>
      h.why === 'approval' && 'cluster' in h.step ? [{ ...describeStep(h.step), database: h.step.cluster, until: new Date(h.until ?? 0).toISOString() }] : [],
    ),
    switchover: input.switchover,
  };
}

function describePause(p: Pause): StatusPause {
  return { by: p.by, at: new Date(p.at).toISOString(), reason: p.reason };
}

/** A plan step as `/status` shows it. */
function describeStep(s: Step): StatusStep {
  return { operation: s.operation, provider: s.provider, zone: s.zone, target: 'target' in s ? s.target : s.name, reason: s.reason, ...(s.requestedBy !== undefined ? { requestedBy: s.requestedBy } : {}) };
}
