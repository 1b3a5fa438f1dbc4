import type { VirtualClock } from '../../src/core/clock/VirtualClock.js';
import { isMutatingOperation, type DatabaseState, type NodeState } from '../../src/core/contract/types.js';
import { Random } from '../../src/core/util/Random.js';
import type { CallRecord } from './CallRecord.js';
import type { PromotionRecord } from './PromotionRecord.js';
import type { ApiFaultKind } from './ScenarioEvent.js';
import type { SimCloud } from './SimCloud.js';
import type { SimCluster } from './SimCluster.js';
import type { SimDatabase } from './SimDatabase.js';
import type { SimLoadBalancer } from './SimLoadBalancer.js';
import type { SimNode } from './SimNode.js';
import type { SimZone } from './SimZone.js';
import type { WorldTimelineEntry } from './WorldTimelineEntry.js';
import type { Writable } from './Writable.js';
import { roundSeconds } from './roundSeconds.js';

/**
 * The mechanics of the simulated world, shared by {@link SimWorld} (scenario
 * events, ground truth), {@link SimProvider} (the provider API) and
 * {@link SimProber} (the controller's probes). Not part of the public API.
 *
 * Derived conditions (which primaries accept writes, which replicas stream)
 * are recomputed when something changes, never by polling, so they are exact
 * at every virtual instant.
 */
export class WorldState {
  readonly clouds = new Map<string, SimCloud>();
  readonly zones = new Map<string, SimZone>();
  readonly nodes = new Map<string, SimNode>();
  /** Every node ever added to each group, across providers (the ground-truth capacity count, sampled every tick, walks it). */
  readonly groupNodes = new Map<string, SimNode[]>();
  readonly databases = new Map<string, SimDatabase>();
  readonly clusters = new Map<string, SimCluster>();
  /** Every load balancer, across providers (ground truth integrates each one's request errors). */
  readonly loadBalancers = new Map<string, SimLoadBalancer>();
  readonly calls: Writable<CallRecord>[] = [];
  readonly promotions: Writable<PromotionRecord>[] = [];
  readonly probeRandom: Random;
  readonly faultRandom: Random;
  readonly placementRandom: Random;
  readonly failureRandom: Random;
  private readonly listeners = new Set<(entry: WorldTimelineEntry) => void>();
  private nodeCounter = 0;
  /**
   * Moves whenever a node or database instance is added or deleted, so
   * lookups by id cached under it (the prober's targets) know when to look
   * again.
   */
  registryVersion = 0;

  constructor(
    readonly clock: VirtualClock,
    seed: number,
  ) {
    const root = new Random(seed);
    // One stream per purpose: an extra probe round must not change which
    // nodes a later nodeFailure kills or where a later create lands.
    this.probeRandom = root.fork(1);
    this.faultRandom = root.fork(2);
    this.placementRandom = root.fork(3);
    this.failureRandom = root.fork(4);
  }

  /** Virtual seconds. */
  now(): number {
    return this.clock.now() / 1000;
  }

  // ---- registry -----------------------------------------------------------

  addCloud(cloud: SimCloud): void {
    this.registryVersion++;
    this.clouds.set(cloud.id, cloud);
    for (const zone of cloud.zones.values()) this.zones.set(zone.id, zone);
  }

  nextNodeId(): string {
    let id: string;
    do id = `node-${++this.nodeCounter}`;
    while (this.nodes.has(id));
    return id;
  }

  addNode(node: SimNode): void {
    this.registryVersion++;
    this.trafficChanging();
    const cloud = this.clouds.get(node.provider)!;
    cloud.nodes.set(node.id, node);
    this.nodes.set(node.id, node);
    node.zone.nodes.add(node);
    if (node.group !== undefined) {
      let members = cloud.groups.get(node.group);
      if (members === undefined) cloud.groups.set(node.group, (members = new Set()));
      members.add(node);
      let all = this.groupNodes.get(node.group);
      if (all === undefined) this.groupNodes.set(node.group, (all = []));
      all.push(node);
      // A node of the group in a new zone registers there: the load balancer spreads requests to that zone too.
      for (const lb of this.loadBalancers.values()) if (lb.group === node.group && lb.region === node.zone.region) lb.addZone(node.zone);
    }
  }

  /**
   * Call before anything changes what a load balancer's requests meet
   * (nodes, zones, shifts): each integrates its failing share up to now.
   */
  trafficChanging(): void {
    if (this.loadBalancers.size === 0) return;
    const t = this.now();
    for (const lb of this.loadBalancers.values()) lb.advance(t);
  }

  addDatabase(db: SimDatabase): void {
    this.registryVersion++;
    this.clouds.get(db.provider)!.databases.set(db.id, db);
    this.databases.set(db.id, db);
    db.zone.databases.add(db);
    db.cluster.instances.push(db);
  }

  // ---- effects ------------------------------------------------------------

  /**
   * Runs `apply` `delaySeconds` from now, unless `isCurrent()` turned false
   * (superseded). While `blocked(zone)` (by default: the zone is cut off) the
   * provider cannot carry the work out: it waits, and restarts with its full
   * latency once the zone's condition changes for the better.
   */
  after(
    zone: SimZone,
    delaySeconds: number,
    isCurrent: () => boolean,
    apply: () => void,
    blocked: (zone: SimZone) => boolean = isCutOff,
  ): void {
    const attempt = (): void => {
      if (!isCurrent()) return;
      if (blocked(zone)) zone.deferred.push(start);
      else apply();
    };
    const start = (): void => {
      this.clock.schedule(this.clock.now() + delaySeconds * 1000, attempt);
    };
    if (blocked(zone)) zone.deferred.push(start);
    else start();
  }

  /** Sets a node's state now and, when `then` is given, its final state after `delaySeconds`, superseding any transition in flight. */
  moveNode(node: SimNode, now: NodeState, rawState: string, then?: NodeState, delaySeconds = 0): void {
    const generation = ++node.generation;
    this.trafficChanging();
    node.set(now, rawState);
    if (then === undefined) return;
    this.after(
      node.zone,
      delaySeconds,
      () => node.generation === generation,
      () => {
        this.trafficChanging();
        node.set(then);
      },
    );
  }

  /** Same as {@link moveNode} for a database instance; the cluster's replication follows at once. */
  moveDatabase(db: SimDatabase, now: DatabaseState, then?: DatabaseState, delaySeconds = 0): void {
    const generation = ++db.generation;
    db.setState(now);
    this.recomputeCluster(db.cluster);
    if (then === undefined) return;
    this.after(
      db.zone,
      delaySeconds,
      () => db.generation === generation,
      () => {
        db.setState(then);
        this.recomputeCluster(db.cluster);
      },
    );
  }

  /**
   * An accepted `promoteReplica`: `promoting` now, a primary after
   * `delaySeconds`. Promotion writes a new timeline, so it also waits while
   * the zone's storage is stalled: when it completes, the instance accepts
   * writes at once.
   */
  requestPromotion(db: SimDatabase, delaySeconds: number): void {
    const requestedAt = this.now();
    const generation = ++db.generation;
    db.setState('promoting');
    this.recomputeCluster(db.cluster);
    this.after(
      db.zone,
      delaySeconds,
      () => db.generation === generation,
      () => this.completePromotion(db, requestedAt),
      (zone) => zone.cutOff || zone.storageStalled,
    );
  }

  /** An accepted `repointReplica`: follows `upstream` at once, streams from it after `delaySeconds`. */
  requestRepoint(db: SimDatabase, upstream: SimDatabase, delaySeconds: number): void {
    // Freeze against the old upstream before switching: the position is what was replayed from it.
    this.disconnect(db, this.now());
    db.upstream = upstream;
    db.repointing = true;
    const generation = ++db.repointGeneration;
    this.recomputeCluster(db.cluster);
    this.after(
      db.zone,
      delaySeconds,
      () => db.repointGeneration === generation,
      () => {
        db.repointing = false;
        this.recomputeCluster(db.cluster);
      },
    );
  }

  /**
   * An accepted `destroyDatabase`: the instance stops serving and
   * replicating at once (`stopping`, raw state `deleting`) and leaves the
   * world after `delaySeconds`, waiting like every effect while its zone is
   * cut off. Power loss does not cancel it.
   */
  requestDestroy(db: SimDatabase, delaySeconds: number): void {
    db.destroying = true;
    const generation = ++db.generation;
    db.setState('stopping');
    this.recomputeCluster(db.cluster);
    this.after(
      db.zone,
      delaySeconds,
      () => db.generation === generation,
      () => this.removeDatabase(db),
    );
  }

  /** A deleted instance leaves every index: it is no longer listed, probed or counted. */
  private removeDatabase(db: SimDatabase): void {
    this.registryVersion++;
    this.clouds.get(db.provider)?.databases.delete(db.id);
    if (this.databases.get(db.id) === db) this.databases.delete(db.id);
    db.zone.databases.delete(db);
    const instances = db.cluster.instances;
    const at = instances.indexOf(db);
    if (at >= 0) instances.splice(at, 1);
    this.recomputeCluster(db.cluster);
  }

  // ---- zones --------------------------------------------------------------

  /**
   * Applies `change` to a zone's physical condition and everything that
   * follows from it: power loss stops what runs there, waiting effects start
   * once the zone is back, replication and write acceptance are recomputed.
   */
  updateZone(zone: SimZone, change: () => void): void {
    const before = zone.mode;
    this.trafficChanging();
    change();
    if (zone.mode === before) return;
    if (zone.mode === 'power') this.powerOff(zone);
    // Waiting effects restart; those still blocked by the new condition wait again when they come due.
    if (!zone.cutOff && zone.deferred.length > 0) {
      const waiting = zone.deferred;
      zone.deferred = [];
      for (const start of waiting) start();
    }
    const clusters = new Set<SimCluster>();
    for (const db of zone.databases) clusters.add(db.cluster);
    for (const cluster of clusters) this.recomputeCluster(cluster);
  }

  /** Everything in the zone stops; work in flight is lost, except a destroy (node or database: it completes once the zone is back). */
  private powerOff(zone: SimZone): void {
    for (const node of zone.nodes) {
      if (node.state === 'terminated' || node.destroying) continue;
      this.moveNode(node, 'stopped', 'stopped');
    }
    for (const db of zone.databases) {
      if (db.state === 'stopped' || db.destroying) continue;
      db.generation++;
      db.repointing = false;
      db.repointGeneration++;
      db.setState('stopped');
    }
  }

  // ---- databases ----------------------------------------------------------

  /**
   * Recomputes which primaries of `cluster` accept writes and which replicas
   * stream, freezing positions where they stop, and reports split brain.
   * Call after every change to an instance of the cluster or to a zone
   * holding one.
   */
  recomputeCluster(cluster: SimCluster): void {
    const t = this.now();
    // What clients saw up to now, before anything changes what they will see.
    cluster.truth.advance(t);
    const writable: string[] = [];
    for (const db of cluster.instances) {
      if (db.role !== 'primary') continue;
      const accepting = db.state === 'available' && !db.zone.cutOff && !db.zone.storageStalled;
      if (accepting !== db.accepting) {
        if (!accepting) db.committedFrozen = t;
        db.accepting = accepting;
      }
      if (!accepting) continue;
      writable.push(db.id);
    }
    for (const db of cluster.instances) {
      if (db.role !== 'replica') continue;
      const streaming = canStream(db);
      if (streaming && !db.connected) {
        db.connected = true;
        db.streamedOnce = true;
      } else if (!streaming) {
        this.disconnect(db, t);
      }
    }
    for (const db of cluster.instances) db.touch();
    cluster.truth.observe(t);
    const splitBrain = writable.length > 1;
    if (splitBrain !== cluster.splitBrain) {
      cluster.splitBrain = splitBrain;
      this.emit({
        kind: splitBrain ? 'world.splitBrain' : 'world.splitBrainEnded',
        database: cluster.id,
        detail: splitBrain
          ? `${cluster.id}: ${writable.join(', ')} accept writes at once`
          : `${cluster.id}: one writable primary again (${writable.join(', ') || 'none'})`,
      });
    }
  }

  private disconnect(db: SimDatabase, t: number): void {
    if (!db.connected) return;
    db.frozenPos = db.posAt(t);
    db.contactLostAt = t;
    db.connected = false;
  }

  private completePromotion(db: SimDatabase, requestedAt: number): void {
    const t = this.now();
    const from = rootPrimary(db);
    const pos = db.posAt(t);
    const loss = from === undefined ? 0 : Math.max(0, roundSeconds(from.dataAt(t) - pos));
    db.cluster.truth.advance(t);
    db.cluster.truth.promoted(db, from, pos);
    db.role = 'primary';
    db.upstream = undefined;
    db.connected = false;
    db.broken = false;
    db.repointing = false;
    db.accepting = false;
    db.committedFrozen = pos;
    db.setState('available');
    const record: Writable<PromotionRecord> = {
      cluster: db.cluster.id,
      replica: db.id,
      provider: db.provider,
      region: db.zone.region,
      zone: db.zone.id,
      from: from?.id ?? '',
      requestedAt,
      writableAt: t,
      dataLossSeconds: loss,
      dataLossWrites: Math.round(loss * db.cluster.writesPerSecond),
    };
    this.promotions.push(record);
    this.emit({
      kind: 'world.promoted',
      zone: db.zone.id,
      region: db.zone.region,
      database: db.cluster.id,
      detail: `${db.id} promoted (was following ${record.from || 'nothing'}), ${loss}s of writes lost`,
    });
    this.recomputeCluster(db.cluster);
  }

  // ---- calls --------------------------------------------------------------

  beginCall(provider: string, operation: string, target: string | undefined): Writable<CallRecord> {
    const record: Writable<CallRecord> = {
      seq: this.calls.length + 1,
      t: this.now(),
      provider,
      operation,
      target,
      region: undefined,
      zone: undefined,
      mutating: isMutatingOperation(operation),
      result: 'pending',
    };
    this.calls.push(record);
    return record;
  }

  settle(record: Writable<CallRecord>, result: CallRecord['result']): void {
    record.result = result;
    record.doneAt = this.now();
  }

  /** The fault an active `apiFault` injects into this call, if any (drawn with the fault's rate). */
  drawFault(
    cloud: SimCloud,
    operation: string,
    region: string | undefined,
    zone: string | undefined,
  ): ApiFaultKind | undefined {
    const nowMs = this.clock.now();
    const mutating = isMutatingOperation(operation);
    for (const fault of cloud.faults) {
      if (nowMs >= fault.untilMs) continue;
      const ops = fault.operations;
      if (!ops.has('*') && !ops.has(operation) && !ops.has(mutating ? '*mutating' : '*read')) continue;
      if (fault.zone !== undefined && fault.zone !== zone) continue;
      // A call with no region is an unfiltered list: it reaches every region, the faulty one too.
      if (fault.region !== undefined && region !== undefined && fault.region !== region) continue;
      if (this.faultRandom.chance(fault.rate)) return fault.fault;
    }
    return undefined;
  }

  // ---- timeline -----------------------------------------------------------

  onTimeline(listener: (entry: WorldTimelineEntry) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(entry: Omit<WorldTimelineEntry, 't'>): void {
    const full: WorldTimelineEntry = Object.freeze({ t: this.now(), ...entry });
    for (const listener of this.listeners) listener(full);
  }
}

function isCutOff(zone: SimZone): boolean {
  return zone.cutOff;
}

function canStream(replica: SimDatabase): boolean {
  const upstream = replica.upstream;
  return (
    upstream !== undefined &&
    !replica.broken &&
    !replica.repointing &&
    (replica.state === 'available' || replica.state === 'promoting') &&
    !replica.zone.cutOff &&
    !replica.zone.storageStalled &&
    // A primary being stopped still ships its last WAL to its standbys.
    (upstream.state === 'available' || upstream.state === 'promoting' || upstream.state === 'stopping') &&
    !upstream.zone.cutOff &&
    !upstream.zone.storageStalled
  );
}

/** The primary at the end of a replica's upstream chain. */
function rootPrimary(db: SimDatabase): SimDatabase | undefined {
  let upstream = db.upstream;
  while (upstream !== undefined && upstream.role === 'replica' && upstream !== db) upstream = upstream.upstream;
  return upstream?.role === 'primary' ? upstream : undefined;
}
