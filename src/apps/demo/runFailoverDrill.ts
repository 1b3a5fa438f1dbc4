import { HAPROXY_INSTALL_HINT, type EndpointRouterChoice, type EndpointRouterKind, type ZoneFault } from '../../../adapters/local/index.js';
import { abortError, timeoutSignal, type Clock } from '../../core/clock/Clock.js';
import { SystemClock } from '../../core/clock/SystemClock.js';
import type { ControllerEvent } from '../../core/controller/ControllerEvent.js';
import { DEFAULT_POLICY, type Policy } from '../../core/controller/Policy.js';
import type { PgEndpoint } from './BoundedConnection.js';
import { DEFAULT_PLACEMENT, DEMO_CLUSTER, DEMO_ENDPOINT, instanceId, type DemoPlacement } from './demoTopology.js';
import { DrillRig } from './DrillRig.js';
import { pollUntil } from './settleController.js';
import { CHECK_TABLE_DDL, checkWritable, readBack, type InstanceCheck } from './verify.js';
import { WriteClient, type AcknowledgedWrite } from './WriteClient.js';

/** Options of {@link runFailoverDrill}. Every field is optional. */
export interface FailoverDrillOptions {
  /** What happens to the primary's zone (default `unreachable`). */
  readonly fault?: ZoneFault;
  /** Where the primary and the standbys run (default primary `local-a`, sync `local-b`, async `local-c`). */
  readonly placement?: DemoPlacement;
  /** Nodes of the `web` group per zone (default 2). */
  readonly nodesPerZone?: number;
  /** Controller policy (default {@link DEFAULT_POLICY}, the production defaults). */
  readonly policy?: Policy;
  /** Clock of the controller, the adapter and the client (default the system clock; it must run in real time). */
  readonly clock?: Clock;
  /** Jitter source of the controller's backoff (default `Math.random`). */
  readonly random?: () => number;
  /** Acknowledged writes to collect before the fault, ms (default 2000). */
  readonly warmupMs?: number;
  /** The failover must complete within this long after the fault, ms (default 60 000). */
  readonly boundMs?: number;
  /** Writes to collect on the new primary before the checks, ms (default 1000). */
  readonly settleMs?: number;
  /**
   * When to clear the fault, ms after the failover completed (default 0);
   * the client keeps writing through it, and writability is checked again
   * afterwards. `false` leaves the zone down until the end.
   */
  readonly healAfterMs?: number | false;
  /** Writes to collect after the zone came back, before the last check, ms (default 3000). */
  readonly afterHealMs?: number;
  /**
   * Also run a second client pinned to the old primary's endpoint alone (an
   * application server in the failed zone with a single-host connection
   * string), writing through the outage and the heal. Its acknowledged
   * writes must survive too. Default false.
   */
  readonly zoneClient?: boolean;
  /**
   * Also run a client that finds the primary itself among the instances
   * (`pg_is_in_recovery()`, as a multi-host connection string does) instead
   * of writing through the endpoint: the same failover measured without
   * the endpoint (`withoutEndpoint` in the report). Its acknowledged writes
   * must survive too. Default false.
   */
  readonly discoveryClient?: boolean;
  /** Pause between the client's writes, ms (default 20). */
  readonly writeIntervalMs?: number;
  /** Aborts the drill; everything is cleaned up, then it rejects with an `AbortError`. */
  readonly signal?: AbortSignal;
  /** Progress, for a live display. */
  readonly onProgress?: (progress: DrillProgress) => void;
  /**
   * What routes the writer endpoint the client connects to: `haproxy`,
   * `forwarder` (the built-in one), or `auto` (default: HAProxy when
   * installed).
   */
  readonly router?: EndpointRouterChoice;
  /** Parent of the adapter's temp dir (default the OS temp dir). */
  readonly tmpDir?: string;
  /** As root, create the OS user `postgres` when missing (PostgreSQL refuses to run as root). Default false. */
  readonly createPostgresUser?: boolean;
  /**
   * Called once the drill has measured everything and before anything is
   * torn down, with the servers still running and what the clients
   * recorded: lets a test check the report against the servers themselves,
   * with its own code, instead of trusting figures the drill computed.
   */
  readonly beforeTeardown?: (evidence: DrillEvidence) => Promise<void>;
}

/** What {@link FailoverDrillOptions.beforeTeardown} gets: where the servers are, and what the clients were told. */
export interface DrillEvidence {
  /** Every PostgreSQL instance of the drill (the zone is back unless `healAfterMs` was `false`). */
  readonly endpoints: readonly PgEndpoint[];
  /** Writes whose commit returned OK, to either client, in the order they were acknowledged per client. */
  readonly acknowledged: readonly AcknowledgedWrite[];
  /** Clock time (ms) of the fault. */
  readonly faultAt: number;
}

/** One line of progress. */
export interface DrillProgress {
  /** Seconds since the fault (negative before it), or `undefined` during set-up. */
  readonly t: number | undefined;
  readonly kind: 'setup' | 'fault' | 'event' | 'client' | 'check';
  readonly message: string;
}

/** A mutating call the controller made, from its `action` events. */
export interface DrillAction {
  /** Seconds since the fault when the call returned. */
  readonly t: number;
  readonly operation: string;
  readonly target: string;
  readonly result: string;
  readonly reason: string;
}

/** A controller event, timed from the fault. */
export interface DrillEvent {
  readonly t: number;
  readonly kind: string;
  readonly zone?: string;
  readonly detail: string;
}

/** How the client got back to the database after the failover: through the writer endpoint. */
export interface DrillEndpointReport {
  /** The endpoint's name. */
  readonly name: string;
  /** What routed it: a real HAProxy, or the built-in forwarder standing in for one. */
  readonly router: EndpointRouterKind;
  /** `127.0.0.1:<port>`: the only address the client knew. */
  readonly address: string;
  /** The client's path to the database, from the client to the instance serving it at the end. */
  readonly clientPath: string;
  /** Fault until the endpoint served the new primary (`updateEndpoint` to it returned OK). */
  readonly followSeconds: number | null;
  /** The instance the endpoint served at the end, as its router reported it. */
  readonly servedAtEnd: string | null;
  /** Connections the client opened to the endpoint (the first, then one per reconnect). */
  readonly clientConnections: number;
  /**
   * The client's writes refused as read-only (SQLSTATE 25006): the endpoint
   * served a server still in recovery. 0 when it moves only once the
   * promotion has ended.
   */
  readonly readOnlyRefusals: number;
  /** Set when the built-in forwarder stood in for a missing HAProxy: how to get the real one. */
  readonly hint?: string;
}

/** What a drill measured and checked. Times are seconds; `null` when the moment never came. */
export interface FailoverDrillReport {
  readonly fault: ZoneFault;
  /** The zone knocked out: the primary's. */
  readonly zone: string;
  readonly placement: DemoPlacement;
  readonly oldPrimary: string;
  /** The primary the controller settled on (its memory), if it failed over. */
  readonly newPrimary: string | null;
  /** Adapter start-up until the topology was ready. */
  readonly startupSeconds: number;
  /** Fault until the controller's first `zone.impaired` (for the zone) or `failover.planned` event. */
  readonly detectionSeconds: number | null;
  /** Fault until `failover.planned` (the decision to promote). */
  readonly decisionSeconds: number | null;
  /** `failover.planned` until the `promoteReplica` call returned OK. */
  readonly promotionSeconds: number | null;
  /** Fault until `failover.completed` (the controller saw the new primary writable). */
  readonly failoverSeconds: number | null;
  /** Last write acknowledged before the fault until the first acknowledged by another instance. */
  readonly unavailableSeconds: number | null;
  /** First acknowledged write on the new primary, seconds after the fault. */
  readonly firstWriteAfterSeconds: number | null;
  /** How clients got back: the endpoint they wrote through and how fast it followed the new primary. */
  readonly endpoint: DrillEndpointReport;
  /** With `discoveryClient`: what the client that found the primary itself saw (no endpoint in its path). */
  readonly withoutEndpoint?: {
    /** As {@link FailoverDrillReport.unavailableSeconds}, for that client. */
    readonly unavailableSeconds: number | null;
    readonly acknowledgedWrites: number;
  };
  /** Writes whose commit returned OK to a client. */
  readonly acknowledgedWrites: number;
  /** Acknowledged writes missing on the new primary. */
  readonly lostWrites: number;
  /** Sequence numbers of the first lost writes (at most 20). */
  readonly lostSequences: readonly number[];
  /** Writes that were sent and not acknowledged (refused, or cut off with an unknown outcome). */
  readonly unacknowledgedWrites: number;
  /** Of those cut off with an unknown outcome, how many did commit. */
  readonly indeterminateWritesFound: number;
  /** Instances that committed a check write after the failover, while the zone was still down. */
  readonly writablePrimaries: readonly string[];
  /** The same after the zone came back (`null` when it was left down). */
  readonly writablePrimariesAfterHeal: readonly string[] | null;
  /** Exactly one writable primary, the new one, at every check. */
  readonly exactlyOneWritablePrimary: boolean;
  /** Per-instance answers of each check. */
  readonly checks: { readonly outage: readonly InstanceCheck[]; readonly afterHeal: readonly InstanceCheck[] | null };
  /** The controller stopped (fenced) the old primary. */
  readonly oldPrimaryFenced: boolean;
  /** The old primary as the adapter lists it at the end (`role/state`). */
  readonly oldPrimaryListed: string;
  /** Every mutating call the controller made (`action` events), in order. */
  readonly actions: readonly DrillAction[];
  /** Every controller event from the fault on. */
  readonly events: readonly DrillEvent[];
  /** What went wrong; empty when the drill passed. */
  readonly problems: readonly string[];
  /** No acknowledged write lost, failover within the bound, exactly one writable primary. */
  readonly passed: boolean;
}

/** Sequence numbers of the zone client start here, far from the main client's. */
const ZONE_CLIENT_FIRST_SEQ = 1_000_000_001;
/** Sequence numbers of the discovering client start here, far from the others'. */
const DISCOVERY_CLIENT_FIRST_SEQ = 2_000_000_001;
const FIRST_WRITE_LIMIT_MS = 20_000;

/**
 * A failover drill on the `local` adapter, end to end, with real PostgreSQL:
 *
 * 1. starts three zones with a node group, a primary, a sync and an async
 *    standby, and runs the controller with `policy` (the production
 *    defaults unless told otherwise), the system clock, the adapter and its
 *    prober, until it has settled ({@link DrillRig});
 * 2. runs a {@link WriteClient} that writes a sequence number every 20 ms
 *    through the database's writer endpoint (HAProxy, or the built-in
 *    forwarder where HAProxy is missing), knowing that one address only;
 * 3. knocks out the primary's zone (`fault`), waits for the controller to
 *    fail over (within `boundMs`), checks that exactly one instance takes
 *    writes, clears the fault (unless `healAfterMs` is `false`) and checks
 *    again;
 * 4. reads every sequence number back from the new primary: any
 *    acknowledged write missing there is lost.
 *
 * Everything is stopped and removed before it returns, on every path.
 * Rejects only on set-up failures and on abort; what the drill found is in
 * the report (`passed`, `problems`).
 */
export async function runFailoverDrill(options: FailoverDrillOptions = {}): Promise<FailoverDrillReport> {
  const clock = options.clock ?? new SystemClock();
  const fault = options.fault ?? 'unreachable';
  const placement = options.placement ?? DEFAULT_PLACEMENT;
  const nodesPerZone = options.nodesPerZone ?? 2;
  const policy = options.policy ?? DEFAULT_POLICY;
  const signal = options.signal ?? new AbortController().signal;
  const boundMs = options.boundMs ?? 60_000;
  const healAfterMs = options.healAfterMs ?? 0;
  const progress = options.onProgress ?? (() => undefined);
  const oldPrimary = instanceId(placement.primary);
  const sleep = (ms: number) => clock.sleep(ms, signal);
  const until = (limitMs: number, check: () => boolean): Promise<boolean> => pollUntil(clock, signal, limitMs, check);

  const rig = await DrillRig.start({
    placement,
    nodesPerZone,
    policy,
    clock,
    random: options.random ?? Math.random,
    signal,
    moreTables: [CHECK_TABLE_DDL],
    onSetup: (message) => progress({ t: undefined, kind: 'setup', message }),
    ...(options.tmpDir === undefined ? {} : { tmpDir: options.tmpDir }),
    ...(options.router === undefined ? {} : { router: options.router }),
    ...(options.createPostgresUser === undefined ? {} : { createPostgresUser: options.createPostgresUser }),
  });
  const { local, controller, events, instances: endpoints, startupSeconds } = rig;
  let client: WriteClient | undefined;
  let zoneClient: WriteClient | undefined;
  let discoveryClient: WriteClient | undefined;
  let faultAt: number | undefined;
  const since = (t: number) => (faultAt === undefined ? undefined : round((t - faultAt) / 1000));
  try {
    controller.on('event', (event) => {
      if (faultAt === undefined) return;
      const message = progressLine(event);
      if (message !== undefined) progress({ t: since(event.t), kind: 'event', message });
    });

    // The client knows the endpoint's address and nothing else: no list of hosts, no discovery.
    const { endpoint: writer, router } = rig.writerEndpoint();
    const address = `${writer.target.host}:${writer.target.port}`;
    // The forwarder stands in where HAProxy is missing; asked for by name, it needs no excuse.
    const hint = router === 'forwarder' && options.router !== 'forwarder' ? HAPROXY_INSTALL_HINT : undefined;
    const routerLine = router === 'haproxy' ? 'HAProxy' : hint === undefined ? 'the built-in TCP forwarder (as asked)' : `the built-in TCP forwarder (HAProxy not found; ${hint})`;
    progress({ t: undefined, kind: 'setup', message: `endpoint ${DEMO_ENDPOINT} on ${address}: ${routerLine}` });
    const intervalOption = options.writeIntervalMs === undefined ? {} : { intervalMs: options.writeIntervalMs };
    client = new WriteClient({ endpoint: writer, clock, ...intervalOption });
    client.start();
    if (options.zoneClient) {
      const pinned = endpoints.find((e) => e.id === oldPrimary)!;
      zoneClient = new WriteClient({ endpoint: pinned, clock, firstSeq: ZONE_CLIENT_FIRST_SEQ, ...intervalOption });
      zoneClient.start();
    }
    if (options.discoveryClient) {
      discoveryClient = new WriteClient({
        endpoint: { id: 'discovery', target: writer.target },
        discover: endpoints,
        clock,
        firstSeq: DISCOVERY_CLIENT_FIRST_SEQ,
        ...intervalOption,
      });
      discoveryClient.start();
    }
    progress({ t: undefined, kind: 'client', message: `client writing a sequence number every ${options.writeIntervalMs ?? 20} ms to ${DEMO_ENDPOINT} (${address}) only` });
    const writing = await until(FIRST_WRITE_LIMIT_MS, () => client!.acknowledged.length > 0);
    if (!writing) throw new Error(`the client got no write acknowledged within ${FIRST_WRITE_LIMIT_MS / 1000} s`);
    await sleep(options.warmupMs ?? 2000);

    faultAt = clock.now();
    local.ex_injectZoneFault(placement.primary, fault);
    progress({ t: 0, kind: 'fault', message: `${fault} fault in ${placement.primary} (the primary's zone)` });

    const problems: string[] = [];
    const completed = () => events.find((e) => e.kind === 'failover.completed' && e.t >= faultAt! && e.database === DEMO_CLUSTER);
    if (!(await until(boundMs, () => completed() !== undefined))) {
      problems.push(`no failover within ${boundMs / 1000} s of the fault`);
    }
    const newPrimary = completed() ? (controller.memory.clusters.get(DEMO_CLUSTER)?.primary ?? null) : null;
    const firstAfter = () => client!.acknowledged.find((w) => w.at > faultAt! && w.instance !== oldPrimary);
    if (newPrimary !== null) {
      if (!(await until(FIRST_WRITE_LIMIT_MS, () => firstAfter() !== undefined))) {
        problems.push(`the client got no write acknowledged within ${FIRST_WRITE_LIMIT_MS / 1000} s after the failover`);
      }
      await sleep(options.settleMs ?? 1000);
    }

    const outage = await checkWritable(endpoints, clock);
    const writablePrimaries = outage.filter((c) => c.state === 'writable').map((c) => c.instance);
    progress({ t: since(clock.now()), kind: 'check', message: `zone still down: ${describeChecks(outage)}` });

    let afterHeal: InstanceCheck[] | null = null;
    if (healAfterMs !== false) {
      const completedAt = completed()?.t ?? clock.now();
      await sleep(Math.max(0, completedAt + healAfterMs - clock.now()));
      local.ex_clearZoneFault(placement.primary);
      progress({ t: since(clock.now()), kind: 'fault', message: `${placement.primary} back (fault cleared)` });
      await sleep(options.afterHealMs ?? 3000);
      afterHeal = await checkWritable(endpoints, clock);
      progress({ t: since(clock.now()), kind: 'check', message: `zone back: ${describeChecks(afterHeal)}` });
    }
    await client.stop();
    await zoneClient?.stop();
    await discoveryClient?.stop();
    const writablePrimariesAfterHeal = afterHeal?.filter((c) => c.state === 'writable').map((c) => c.instance) ?? null;

    const clients = [client, ...(zoneClient ? [zoneClient] : []), ...(discoveryClient ? [discoveryClient] : [])];
    const acknowledged = clients.flatMap((each) => each.acknowledged);
    const unacknowledged = clients.flatMap((each) => each.unacknowledged);
    const readFrom = newPrimary ?? writablePrimaries[0] ?? oldPrimary;
    const readEndpoint = endpoints.find((e) => e.id === readFrom)!;
    let lost: number[] = [];
    let indeterminateWritesFound = 0;
    try {
      const result = await readBack(readEndpoint, acknowledged, unacknowledged, clock);
      lost = result.lost.map((w) => w.seq);
      indeterminateWritesFound = result.indeterminateFound;
    } catch (error) {
      problems.push(`could not read the writes back from ${readFrom}: ${error instanceof Error ? error.message : String(error)}`);
      lost = acknowledged.map((w) => w.seq);
    }

    const after = firstAfter();
    const unavailableSeconds = unavailability(client.acknowledged, faultAt, oldPrimary);
    const planned = events.find((e) => e.t >= faultAt! && e.kind === 'failover.planned' && e.database === DEMO_CLUSTER);
    const impaired = events.find((e) => e.t >= faultAt! && e.kind === 'zone.impaired' && e.zone === placement.primary);
    const detection = [impaired, planned].filter((e) => e !== undefined).sort((a, b) => a.t - b.t)[0];
    const promoted = events.find(
      (e) => e.t >= faultAt! && e.kind === 'action' && e.step?.operation === 'promoteReplica' && e.result === 'ok',
    );
    const fencedOk = events.some(
      (e) => e.kind === 'action' && e.step?.operation === 'stopDatabase' && 'target' in e.step && e.step.target === oldPrimary && e.result === 'ok',
    );
    const budget = timeoutSignal(clock, 5000, signal);
    const listed = await local
      .listDatabases({ ids: [oldPrimary] }, { signal: budget.signal })
      .then(([instance]) => (instance ? `${instance.role}/${instance.state}` : 'not listed'))
      .catch(() => 'unknown')
      .finally(budget.dispose);
    const endpointBudget = timeoutSignal(clock, 5000, signal);
    const servedAtEnd = await local
      .listEndpoints({ names: [DEMO_ENDPOINT] }, { signal: endpointBudget.signal })
      .then(([endpoint]) => endpoint?.target ?? null)
      .catch(() => null)
      .finally(endpointBudget.dispose);
    const followed = events.find(
      (e) =>
        e.t >= faultAt! &&
        e.kind === 'action' &&
        e.step?.operation === 'updateEndpoint' &&
        e.step.instance === newPrimary &&
        e.result === 'ok',
    );
    if (newPrimary !== null && servedAtEnd !== newPrimary) {
      problems.push(`the endpoint ${DEMO_ENDPOINT} serves ${servedAtEnd ?? 'nothing known'} at the end, not the new primary ${newPrimary}`);
    }

    if (lost.length > 0) problems.push(`${lost.length} acknowledged write(s) lost`);
    const oneWritable = (list: readonly string[]) => list.length === 1 && list[0] === newPrimary;
    if (newPrimary !== null && !oneWritable(writablePrimaries)) {
      problems.push(`writable primaries while the zone was down: ${writablePrimaries.join(', ') || 'none'} (expected only ${newPrimary})`);
    }
    if (newPrimary !== null && writablePrimariesAfterHeal !== null && !oneWritable(writablePrimariesAfterHeal)) {
      problems.push(`writable primaries after the zone came back: ${writablePrimariesAfterHeal.join(', ') || 'none'} (expected only ${newPrimary})`);
    }
    const actions: DrillAction[] = events
      .filter((e) => e.kind === 'action' && e.step)
      .map((e) => ({
        t: round((e.t - faultAt!) / 1000),
        operation: e.step!.operation,
        target: 'target' in e.step! ? e.step.target : e.step!.name,
        result: e.result ?? 'unknown',
        reason: e.step!.reason,
      }));
    if (signal.aborted) throw abortError(signal);
    await options.beforeTeardown?.({ endpoints, acknowledged, faultAt });
    return {
      fault,
      zone: placement.primary,
      placement,
      oldPrimary,
      newPrimary,
      startupSeconds: round(startupSeconds),
      detectionSeconds: detection ? round((detection.t - faultAt) / 1000) : null,
      decisionSeconds: planned ? round((planned.t - faultAt) / 1000) : null,
      promotionSeconds: planned && promoted ? round((promoted.t - planned.t) / 1000) : null,
      failoverSeconds: completed() ? round((completed()!.t - faultAt) / 1000) : null,
      unavailableSeconds,
      firstWriteAfterSeconds: after ? round((after.at - faultAt) / 1000) : null,
      endpoint: {
        name: DEMO_ENDPOINT,
        router,
        address,
        clientPath: `plain pg client -> ${DEMO_ENDPOINT} (${address}, ${router === 'haproxy' ? 'HAProxy' : 'built-in forwarder'}) -> ${servedAtEnd ?? 'unknown'}`,
        followSeconds: followed ? round((followed.t - faultAt) / 1000) : null,
        servedAtEnd,
        clientConnections: client.connections,
        readOnlyRefusals: client.unacknowledged.filter((w) => w.outcome === 'rejected' && /read-only/i.test(w.error)).length,
        ...(hint === undefined ? {} : { hint }),
      },
      ...(discoveryClient
        ? {
            withoutEndpoint: {
              unavailableSeconds: unavailability(discoveryClient.acknowledged, faultAt, oldPrimary),
              acknowledgedWrites: discoveryClient.acknowledged.length,
            },
          }
        : {}),
      acknowledgedWrites: acknowledged.length,
      lostWrites: lost.length,
      lostSequences: lost.slice(0, 20),
      unacknowledgedWrites: unacknowledged.length,
      indeterminateWritesFound,
      writablePrimaries,
      writablePrimariesAfterHeal,
      exactlyOneWritablePrimary: oneWritable(writablePrimaries) && (writablePrimariesAfterHeal === null || oneWritable(writablePrimariesAfterHeal)),
      checks: { outage, afterHeal },
      oldPrimaryFenced: fencedOk,
      oldPrimaryListed: listed,
      actions,
      events: events
        .filter((e) => e.t >= faultAt! && e.kind !== 'failover.step')
        .map((e) => ({ t: round((e.t - faultAt!) / 1000), kind: e.kind, ...(e.zone ? { zone: e.zone } : {}), detail: e.detail })),
      problems,
      passed: problems.length === 0,
    };
  } finally {
    await client?.stop();
    await zoneClient?.stop();
    await discoveryClient?.stop();
    await rig.close();
  }
}

/**
 * Write unavailability as one client saw it: its last write acknowledged
 * before the fault (or by the old primary) until its first acknowledged by
 * another instance after the fault, in seconds; `null` when it never got back.
 */
function unavailability(acknowledged: readonly AcknowledgedWrite[], faultAt: number, oldPrimary: string): number | null {
  const after = acknowledged.find((w) => w.at > faultAt && w.instance !== oldPrimary);
  if (after === undefined) return null;
  const before = [...acknowledged].reverse().find((w) => (w.at <= faultAt || w.instance === oldPrimary) && w.at <= after.at);
  return before ? round((after.at - before.at) / 1000) : null;
}

/** A short line for the live display, for the events worth one. */
function progressLine(event: ControllerEvent): string | undefined {
  const step = event.step;
  switch (event.kind) {
    case 'zone.impaired':
    case 'zone.recovered':
      return `${event.kind} ${event.zone ?? ''}: ${event.detail.replace(/^impaired: /, '')}`;
    case 'failover.planned':
      return step && 'target' in step ? `failover.planned: promote ${step.target}` : `failover.planned: ${event.detail}`;
    case 'failover.completed':
    case 'failover.failed':
      return `${event.kind}: ${event.detail}`;
    case 'action':
      return step ? `${step.operation} ${'target' in step ? step.target : step.name}: ${event.result ?? 'unknown'}` : event.detail;
    default:
      return undefined;
  }
}

/** One line per instance: `orders-local-b writable, orders-local-c standby, ...`. */
export function describeChecks(checks: readonly InstanceCheck[]): string {
  return checks.map((c) => `${c.instance} ${c.state}`).join(', ');
}

function round(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}
