import type { ProbeReplication, ProbeResult } from '../contract/Prober.js';
import type { DatabaseInstance, Node, ZoneProviderStatus } from '../contract/types.js';
import { resourceKey, zoneKey } from '../contract/keys.js';
import type { HealthPolicy } from './HealthPolicy.js';
import type { TargetHealth, ZoneEvidence, ZoneHealth, ZoneState } from './types.js';

/** A zone as the controller knows it from the provider's locations. */
export interface KnownZone {
  readonly provider: string;
  readonly region: string;
  readonly zone: string;
  readonly providerStatus: ZoneProviderStatus;
  /** Its {@link zoneKey}, when the caller already has it (the tracker builds it otherwise). */
  readonly key?: string;
}

/** One round of observations. */
export interface HealthRound {
  /** When the round's results were in (ms). */
  readonly now: number;
  /**
   * When the round's probes were sent (ms); default `now`. A target that
   * failed has not answered since then, and a replica's contact age was
   * read then: failures are dated from it, and a replica's silence is
   * extrapolated to `now` while its upstream does not answer either.
   */
  readonly startedAt?: number;
  readonly zones: readonly KnownZone[];
  readonly nodes: readonly Node[];
  readonly databases: readonly DatabaseInstance[];
  /**
   * This round's probes, as parallel arrays: resource key, zone key and
   * result of each probed target. Callers pass the same `keys` and
   * `zoneKeys` arrays for as long as the probe set is unchanged.
   */
  readonly probes: {
    readonly keys: readonly string[];
    readonly zoneKeys: readonly string[];
    readonly results: readonly ProbeResult[];
  };
  /** Resources the controller stopped itself (fenced): their being stopped is not evidence. */
  readonly stoppedOnPurpose: (key: string) => boolean;
}

/** A zone changing state, for events and logs. */
export interface ZoneTransition {
  readonly from: ZoneState;
  readonly to: ZoneState;
  readonly health: ZoneHealth;
}

/** The tracker's answer for one round. */
export interface HealthAssessment {
  readonly targets: ReadonlyMap<string, TargetHealth>;
  readonly zones: ReadonlyMap<string, ZoneHealth>;
  /**
   * Per primary instance (resource key): what its replicas elsewhere say.
   * `alive`: some replica that answers our probes still hears it.
   */
  readonly replicationFrom: ReadonlyMap<string, 'alive' | 'cut' | 'none'>;
  /**
   * Per replica (resource key) that answered this round's probe with its own
   * view of its stream: fresher than any listing (the same map, refilled
   * each round).
   */
  readonly probedReplication: ReadonlyMap<string, ProbeReplication>;
  /** When the round whose probes filled {@link HealthAssessment.probedReplication} started (ms): their contact ages are as of then. */
  readonly probedReplicationAt: number;
  readonly transitions: readonly ZoneTransition[];
  /** Targets failing but not yet down: something is unsettled. */
  readonly suspectTargets: number;
  /**
   * No zone is counting rounds toward a transition and no target is between
   * its first failure and `down`: the same probe answers again would change
   * nothing.
   */
  readonly stable: boolean;
  /**
   * The earliest time (ms) at which a round ending then could complete a
   * pending confirmation with nothing else changing: a replica's silence
   * about a failing upstream reaching `replicationStaleAfter`, a suspect
   * zone's bad picture or a failing primary's failure reaching
   * `impairedAfter`. `Infinity` when none is
   * pending. The controller wakes for it instead of waiting out its probe
   * interval (event-driven detection).
   */
  readonly confirmAt: number;
}

interface ZoneRecord {
  state: ZoneState;
  since: number;
  suspectSince: number | undefined;
  suspectRounds: number;
  cleanSince: number | undefined;
  cleanRounds: number;
  /** The health object handed out last round, reused while nothing changed. */
  last: ZoneHealth | undefined;
}

interface MutableEvidence {
  total: number;
  down: number;
  up: number;
  failing: number;
  listed: number;
  stopped: number;
  alive: boolean;
  cut: boolean;
  /** Earliest time (ms) a replica elsewhere last heard an upstream in this zone that our probes find failing. */
  silentSince: number;
}

const UNEXPECTED_STOP = new Set(['stopped', 'error', 'failed']);
const FAILED: ProbeResult = { ok: false, failure: 'error' };

/**
 * Turns raw observations into health, with hysteresis. Three vantage points
 * are kept apart: the controller's own probes, the provider (its zone status
 * and how it lists our resources), and replication (replicas elsewhere still
 * hearing their primary). A zone is impaired only when at least two of them
 * say so, none of the replicas says its primary there is alive, and the bad
 * picture has lasted `failedRounds` rounds and `impairedAfter` seconds. It
 * recovers only after `recoveredRounds` clean rounds and `recoveredAfter`
 * seconds. So a controller cut off from a healthy zone (an observer
 * partition) sees it `degraded`, never `impaired`. A replica's lost contact
 * is a vantage point only where the replica could have heard its upstream
 * (see `couldHaveHeard`): a witness that cannot see the primary is not an
 * observer.
 */
export class HealthTracker {
  private readonly targets = new Map<string, TargetHealth>();
  private readonly zoneRecords = new Map<string, ZoneRecord>();
  private lastNodes: readonly Node[] | undefined;
  private lastDatabases: readonly DatabaseInstance[] | undefined;
  private lastProbeKeys: readonly string[] | undefined;
  private suspects = 0;
  /** This round's replication as replicas reported it to our probes, by resource key. */
  private readonly probedReplication = new Map<string, ProbeReplication>();
  /**
   * Each replica's stream as it last reported it to a probe, and when that
   * round started (ms), kept across rounds it fails: what it said then is
   * still evidence, as old as it is.
   */
  private readonly lastProbedReplication = new Map<string, { readonly status: ProbeReplication; readonly at: number }>();
  /** This round's earliest time (ms) a replica elsewhere last heard each failing upstream over an open stream, by resource key. */
  private readonly silentSince = new Map<string, number>();
  /** When each target last answered a probe (the start of that round, ms). */
  private readonly answeredAt = new Map<string, number>();
  /**
   * The upstream (instance id) each replica was last seen streaming from, by
   * the replica's resource key: only from that one can it have lost contact.
   */
  private readonly streamedFrom = new Map<string, string>();
  /**
   * Each target's last stretch out of our sight (it was `down`), by resource
   * key: from when it last answered before (ms; `-Infinity` if never) to the
   * start of the round it answered again.
   */
  private readonly lastDark = new Map<string, { readonly after: number; readonly until: number }>();
  private listingByZone: ReadonlyMap<string, { listed: number; stopped: number }> = new Map();
  /** Resource keys listed stopped or failed that we did not stop ourselves, from the same listing. */
  private stoppedKeys: ReadonlySet<string> = new Set();
  private evidenceNodes: readonly Node[] | undefined;
  private evidenceDatabases: readonly DatabaseInstance[] | undefined;
  private evidenceFenced: ((key: string) => boolean) | undefined;

  constructor(private readonly policy: HealthPolicy) {}

  /** Feeds one round and returns the assessment. */
  update(round: HealthRound): HealthAssessment {
    const { now } = round;
    this.updateTargets(round);

    const evidence = new Map<string, MutableEvidence>();
    const ev = (key: string): MutableEvidence => {
      let e = evidence.get(key);
      if (!e) {
        e = { total: 0, down: 0, up: 0, failing: 0, listed: 0, stopped: 0, alive: false, cut: false, silentSince: Infinity };
        evidence.set(key, e);
      }
      return e;
    };
    const listing = this.listingEvidence(round);
    const { keys, zoneKeys, results } = round.probes;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      // What we fenced ourselves is probed (split-brain guard) but is no evidence about its zone.
      if (round.stoppedOnPurpose(key)) continue;
      // A resource the provider lists stopped that refuses our probe is reachable and merely not running: that is the
      // listing's fact seen again, not a second vantage point. Counted, it would keep a zone whose power is back (its
      // machines stay stopped until started) impaired forever. A probe that times out still counts: the zone is dark.
      if (this.stoppedKeys.has(key) && results[i]?.ok === false && results[i]?.failure === 'refused') continue;
      const health = this.targets.get(key)!;
      const e = ev(zoneKeys[i]!);
      e.total++;
      if (health.status === 'down') e.down++;
      else if (health.status === 'up') e.up++;
      if (health.failedRounds > 0) e.failing++;
    }
    for (const [zk, counts] of listing) {
      const e = ev(zk);
      e.listed = counts.listed;
      e.stopped = counts.stopped;
    }

    this.silentSince.clear();
    const silence = { reachesStaleAt: Infinity, since: this.silentSince };
    const replicationFrom = this.replicationEvidence(round, ev, silence);
    let confirmAt = Math.min(silence.reachesStaleAt, this.datePrimaryFailures(round, silence.since));

    const zones = new Map<string, ZoneHealth>();
    const transitions: ZoneTransition[] = [];
    let stable = true;
    for (const zone of round.zones) {
      const zk = zone.key ?? zoneKey(zone.provider, zone.zone);
      const e = ev(zk);
      const probesBad = e.total > 0 && e.down / e.total >= this.policy.impairedFraction;
      const providerBad =
        zone.providerStatus === 'impaired' ||
        zone.providerStatus === 'unavailable' ||
        (e.listed > 0 && e.stopped / e.listed >= this.policy.impairedFraction);
      const replication = e.alive ? 'alive' : e.cut ? 'cut' : 'none';
      const badCount = Number(probesBad) + Number(providerBad) + Number(replication === 'cut');
      // Built only when the zone's health object is not reused (see below).
      const evidenceOut = (): ZoneEvidence => {
        const bad: ZoneEvidence['badVantagePoints'][number][] = [];
        if (probesBad) bad.push('probes');
        if (providerBad) bad.push('provider');
        if (replication === 'cut') bad.push('replication');
        return {
          probes: { total: e.total, down: e.down, up: e.up, failing: e.failing },
          providerStatus: zone.providerStatus,
          listing: { total: e.listed, stopped: e.stopped },
          replication,
          badVantagePoints: bad,
        };
      };
      const confirmedBad = replication !== 'alive' && badCount >= 2;
      const suspect = confirmedBad || badCount > 0 || e.failing > 0;
      const answers = e.total === 0 || e.up > 0;

      let record = this.zoneRecords.get(zk);
      if (!record) {
        // Every field set from the start: one shape for all records, so the optimised code keeps to it.
        record = { state: 'healthy', since: now, suspectSince: undefined, suspectRounds: 0, cleanSince: undefined, cleanRounds: 0, last: undefined };
        this.zoneRecords.set(zk, record);
      }
      if (suspect) {
        // The bad picture is dated from the first failed observation: our failed probe's start, or
        // earlier when replicas elsewhere already stopped hearing the zone's primary (the tolerance
        // then runs from the fault itself, not from where it fell in our probe cycle).
        record.suspectSince ??= Math.min(round.startedAt ?? now, e.silentSince);
        record.suspectRounds++;
      } else {
        record.suspectSince = undefined;
        record.suspectRounds = 0;
      }
      const recovering = !confirmedBad && !probesBad && answers;
      if (recovering) {
        record.cleanSince ??= now;
        record.cleanRounds++;
      } else {
        record.cleanSince = undefined;
        record.cleanRounds = 0;
      }

      const previous = record.state;
      let next: ZoneState = previous;
      let reason: (evidence: ZoneEvidence) => string;
      if (previous === 'impaired') {
        const recovered =
          record.cleanRounds >= this.policy.recoveredRounds &&
          now - (record.cleanSince ?? now) >= this.policy.recoveredAfter * 1000;
        if (recovered) next = suspect ? 'degraded' : 'healthy';
        const rounds = record.cleanRounds;
        reason = recovered ? () => `answering again for ${rounds} rounds` : (ev) => describe(ev, 'still impaired');
      } else if (
        confirmedBad &&
        record.suspectRounds >= this.policy.failedRounds &&
        now - (record.suspectSince ?? now) >= this.policy.impairedAfter * 1000
      ) {
        next = 'impaired';
        reason = (ev) => describe(ev, 'impaired');
      } else if (suspect) {
        next = 'degraded';
        reason =
          replication === 'alive' && badCount > 0
            ? (ev) => describe(ev, 'degraded, but replication from it goes on')
            : (ev) => describe(ev, 'degraded');
      } else {
        // Leave degraded only after a run of clean rounds, so a noisy zone does not chatter.
        next = previous === 'degraded' && record.cleanRounds < this.policy.recoveredRounds ? 'degraded' : 'healthy';
        reason = next === 'healthy' ? () => 'all probes answer' : () => 'recovering from degraded';
      }
      if (next !== previous) {
        record.state = next;
        record.since = now;
      }
      // Stable: no counter here is heading for a transition.
      const zoneStable =
        (record.state === 'healthy' && !suspect) ||
        (record.state === 'degraded' && suspect && !confirmedBad) ||
        (record.state === 'impaired' && !recovering);
      if (!zoneStable || next !== previous) stable = false;
      if (record.state !== 'impaired' && record.suspectSince !== undefined) {
        const dwellEnds = record.suspectSince + this.policy.impairedAfter * 1000;
        if (dwellEnds > now && dwellEnds < confirmAt) confirmAt = dwellEnds;
      }
      // Same state and same evidence as last round: keep the same (immutable) object, build no strings.
      const last = record.last;
      const unchanged =
        last !== undefined &&
        next === previous &&
        last.since === record.since &&
        last.evidence.providerStatus === zone.providerStatus &&
        last.evidence.replication === replication &&
        last.evidence.probes.total === e.total &&
        last.evidence.probes.down === e.down &&
        last.evidence.probes.up === e.up &&
        last.evidence.probes.failing === e.failing &&
        last.evidence.listing.total === e.listed &&
        last.evidence.listing.stopped === e.stopped;
      let health: ZoneHealth;
      if (unchanged) {
        health = last;
      } else {
        const evidence = evidenceOut();
        health = {
          provider: zone.provider,
          region: zone.region,
          zone: zone.zone,
          state: record.state,
          since: record.since,
          evidence,
          reason: reason(evidence),
        };
        record.last = health;
      }
      zones.set(zk, health);
      if (next !== previous) transitions.push({ from: previous, to: next, health });
    }
    return { targets: this.targets, zones, replicationFrom, probedReplication: this.probedReplication, probedReplicationAt: round.startedAt ?? round.now, transitions, suspectTargets: this.suspects, stable: stable && this.suspects === 0, confirmAt };
  }

  /**
   * Per zone: listed resources, and those listed stopped or failed that we did
   * not stop ourselves. Recomputed only when the listing or the set of fenced
   * resources changes.
   */
  private listingEvidence(round: HealthRound): ReadonlyMap<string, { listed: number; stopped: number }> {
    const fencedProbe = round.stoppedOnPurpose;
    if (round.nodes === this.evidenceNodes && round.databases === this.evidenceDatabases && fencedProbe === this.evidenceFenced) {
      return this.listingByZone;
    }
    this.evidenceNodes = round.nodes;
    this.evidenceDatabases = round.databases;
    this.evidenceFenced = fencedProbe;
    const byZone = new Map<string, { listed: number; stopped: number }>();
    const stoppedKeys = new Set<string>();
    const add = (provider: string, id: string, zone: string, state: string) => {
      if (state === 'terminated') return;
      const zk = zoneKey(provider, zone);
      let counts = byZone.get(zk);
      if (!counts) byZone.set(zk, (counts = { listed: 0, stopped: 0 }));
      counts.listed++;
      const key = resourceKey(provider, id);
      if (UNEXPECTED_STOP.has(state) && !fencedProbe(key)) {
        counts.stopped++;
        stoppedKeys.add(key);
      }
    };
    for (const n of round.nodes) add(n.provider, n.id, n.zone, n.state);
    for (const d of round.databases) add(d.provider, d.id, d.zone, d.state);
    this.listingByZone = byZone;
    this.stoppedKeys = stoppedKeys;
    return byZone;
  }

  private updateTargets(round: HealthRound): void {
    const { now } = round;
    this.suspects = 0;
    this.probedReplication.clear();
    const { keys, results } = round.probes;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      const result = results[i] ?? FAILED;
      const previous = this.targets.get(key);
      if (result.ok) {
        if (previous?.status === 'down') this.lastDark.set(key, { after: this.answeredAt.get(key) ?? -Infinity, until: round.startedAt ?? now });
        this.answeredAt.set(key, round.startedAt ?? now);
        if (result.replication !== undefined) {
          this.probedReplication.set(key, result.replication);
          this.lastProbedReplication.set(key, { status: result.replication, at: round.startedAt ?? now });
        } else if (this.lastProbedReplication.size > 0) this.lastProbedReplication.delete(key);
        const writable = result.writable === true;
        // Unchanged health keeps its (immutable) object: no allocation per target per round.
        if (previous?.status === 'up' && previous.writable === writable) continue;
        this.targets.set(key, { status: 'up', failedRounds: 0, failingSince: undefined, upSince: now, writable });
      } else {
        const failedRounds = (previous?.failedRounds ?? 0) + 1;
        if (failedRounds < this.policy.failedRounds) this.suspects++;
        this.targets.set(key, {
          status: failedRounds >= this.policy.failedRounds ? 'down' : 'suspect',
          failedRounds,
          failingSince: previous?.failingSince ?? round.startedAt ?? now,
          upSince: undefined,
          writable: false,
        });
      }
    }
    // Forget targets the provider no longer lists; mark listed ones we did not probe. Only needed
    // when the listing or the probe set changed (callers pass the same arrays while they have not).
    if (round.nodes === this.lastNodes && round.databases === this.lastDatabases && keys === this.lastProbeKeys) return;
    // Every probed key has a record by now, so equal sizes mean nothing is stale or unprobed.
    if (this.targets.size === keys.length) {
      this.lastNodes = round.nodes;
      this.lastDatabases = round.databases;
      this.lastProbeKeys = keys;
      return;
    }
    this.lastNodes = round.nodes;
    this.lastDatabases = round.databases;
    this.lastProbeKeys = keys;
    const listed = new Set<string>();
    for (const node of round.nodes) listed.add(resourceKey(node.provider, node.id));
    for (const db of round.databases) listed.add(resourceKey(db.provider, db.id));
    const probed = new Set(keys);
    for (const [key, health] of this.targets) {
      if (!listed.has(key)) {
        this.targets.delete(key);
        this.lastProbedReplication.delete(key);
        this.streamedFrom.delete(key);
        this.lastDark.delete(key);
      }
      else if (!probed.has(key) && health.status !== 'unprobed') this.targets.set(key, { ...health, status: 'unprobed' });
    }
  }

  /**
   * Dates each failing primary's failure from the first failed observation,
   * as its zone's bad picture is: when replicas elsewhere last heard it
   * (`silentSince`, by upstream key), if that is before our first failed
   * probe. Returns the earliest time (ms, after `now`) at which a failing
   * primary's failure reaches `impairedAfter`: the controller's own rule for
   * a primary that does not answer waits for that dwell, so it is a pending
   * confirmation like the zone's, and the round due then is cut short there.
   */
  private datePrimaryFailures(round: HealthRound, silentSince: ReadonlyMap<string, number>): number {
    const dwell = this.policy.impairedAfter * 1000;
    let dwellEnds = Infinity;
    for (const db of round.databases) {
      if (db.role !== 'primary') continue;
      const key = resourceKey(db.provider, db.id);
      const health = this.targets.get(key);
      if (health === undefined || health.failedRounds === 0 || health.failingSince === undefined) continue;
      const since = silentSince.get(key);
      let failingSince = health.failingSince;
      if (since !== undefined && since < failingSince) {
        failingSince = since;
        this.targets.set(key, { ...health, failingSince });
      }
      const ends = failingSince + dwell;
      if (ends > round.now && ends < dwellEnds) dwellEnds = ends;
    }
    return dwellEnds;
  }

  private replicationEvidence(
    round: HealthRound,
    ev: (zoneKey: string) => MutableEvidence,
    silence: { reachesStaleAt: number; readonly since: Map<string, number> },
  ): Map<string, 'alive' | 'cut' | 'none'> {
    const startedAt = round.startedAt ?? round.now;
    const byCluster = new Map<string, DatabaseInstance[]>();
    for (const db of round.databases) {
      let list = byCluster.get(db.cluster);
      if (!list) byCluster.set(db.cluster, (list = []));
      list.push(db);
    }
    const from = new Map<string, 'alive' | 'cut' | 'none'>();
    const staleSeconds = this.policy.replicationStaleAfter;
    for (const replica of round.databases) {
      const listed = replica.replication;
      if (!listed) continue;
      // Only a replica we can reach ourselves is a trustworthy witness. One that missed this round (a
      // degraded zone fails a share of probes at random) still vouches for what it told us last, aged
      // by the time since: that its upstream was alive, while that report is younger than the window.
      const replicaKey = resourceKey(replica.provider, replica.id);
      if (this.targets.get(replicaKey)?.status !== 'up') {
        this.lastWitness(replica, replicaKey, byCluster, round, ev, silence, from);
        continue;
      }
      // Which upstream comes from the provider's listing; whether the stream flows, preferably from the
      // replica itself in this round's probe (fresher than the last control-plane read).
      const status = this.probedReplication.get(replicaKey) ?? listed;
      if (status.state === 'broken' || listed.state === 'broken') continue;
      if (status.state === 'streaming') this.streamedFrom.set(replicaKey, listed.upstream);
      const upstream = byCluster.get(replica.cluster)?.find((db) => db.id === listed.upstream);
      // An upstream last seen available, or kept as `unknown` because its scope could not be listed (a partial
      // listing: it may well have died with its region), is one whose replicas' contact tells about its zone.
      if (!upstream || (upstream.state !== 'available' && upstream.state !== 'unknown')) continue;
      const upstreamKey = resourceKey(upstream.provider, upstream.id);
      const sameZone = upstream.provider === replica.provider && upstream.zone === replica.zone;
      // The contact age was read when the round started; while the upstream does not answer our probes
      // either, the replica has not heard it since (as far as anyone can tell): count the round's length too.
      const upstreamFailing = (this.targets.get(upstreamKey)?.failedRounds ?? 0) > 0;
      // (To the millisecond, so that a round cut short at the deadline meets it despite float sums.)
      const contact =
        status.lastContactSeconds === null || !upstreamFailing
          ? status.lastContactSeconds
          : Math.round((status.lastContactSeconds + (round.now - startedAt) / 1000) * 1000) / 1000;
      const hears = status.state === 'streaming' && (contact === null || contact < staleSeconds);
      const lost =
        (status.state === 'disconnected' || (contact !== null && contact >= staleSeconds)) &&
        this.couldHaveHeard(replicaKey, upstream.id, upstreamKey, status.lastContactSeconds, startedAt);
      if (hears && upstreamFailing && contact !== null && contact > 0) {
        // The silence reaches the window at a known time: the controller wakes for it.
        const reachesStaleAt = round.now + (staleSeconds - contact) * 1000;
        if (reachesStaleAt < silence.reachesStaleAt) silence.reachesStaleAt = reachesStaleAt;
      }
      if (hears) from.set(upstreamKey, 'alive');
      else if (lost && from.get(upstreamKey) !== 'alive') from.set(upstreamKey, 'cut');
      if (sameZone) continue;
      const e = ev(zoneKey(upstream.provider, upstream.zone));
      if (hears) e.alive = true;
      else if (lost) e.cut = true;
      if (upstreamFailing && contact !== null && status.state === 'streaming') {
        // Only a stream still open ages from the fault itself (a frozen primary keeps its connections);
        // a dropped one reports the last contact anyone saw, possibly a probe interval before the fault.
        // Never before the upstream last answered us: an idle stream's last keepalive may be older too.
        const silentSince = Math.max(round.now - contact * 1000, this.answeredAt.get(upstreamKey) ?? -Infinity);
        if (silentSince < e.silentSince) e.silentSince = silentSince;
        if (silentSince < (silence.since.get(upstreamKey) ?? Infinity)) silence.since.set(upstreamKey, silentSince);
      }
    }
    return from;
  }

  /**
   * Whether a replica that says it lost contact with `upstreamId` was in a
   * position to hear it, so that its silence tells about the upstream's
   * zone. One re-pointed at a new primary that has not streamed from it yet
   * (a repoint still under way, or one accepted while the replica's own
   * region was dark) reports how long ago it heard its old upstream: no
   * word about the new one. One that lost contact while it was itself out
   * of our sight and has not streamed since (back from a dark zone, not yet
   * reconnected) reports its own outage. A replica never seen streaming
   * (the tracker is new, or the replica has never streamed) is taken at its
   * word unless the upstream answered our probes after the replica had
   * already lost it for `replicationStaleAfter`: then the silence was its
   * own (its zone dark, its stream broken), not the upstream's.
   */
  private couldHaveHeard(replicaKey: string, upstreamId: string, upstreamKey: string, lastContactSeconds: number | null, startedAt: number): boolean {
    const dark = this.lastDark.get(replicaKey);
    if (dark !== undefined && lastContactSeconds !== null) {
      const lostAt = startedAt - lastContactSeconds * 1000;
      if (lostAt > dark.after && lostAt <= dark.until) return false;
    }
    const streamedFrom = this.streamedFrom.get(replicaKey);
    if (streamedFrom !== undefined) return streamedFrom === upstreamId;
    const answeredAt = this.answeredAt.get(upstreamKey);
    if (answeredAt === undefined) return true;
    if (lastContactSeconds === null) return false;
    return answeredAt <= startedAt - (lastContactSeconds - this.policy.replicationStaleAfter) * 1000;
  }

  /**
   * A replica that did not answer this round, as a witness of its upstream:
   * the stream it last reported to a probe, with the time since added to
   * its contact age. It can only say "alive" (a report that its upstream was
   * heard, still younger than `replicationStaleAfter`); it is no witness of
   * a cut (it may be the one cut off), nor of anything once that report is
   * as old as the window. While its upstream fails too, the controller wakes
   * when the report ages out.
   */
  private lastWitness(
    replica: DatabaseInstance,
    replicaKey: string,
    byCluster: ReadonlyMap<string, readonly DatabaseInstance[]>,
    round: HealthRound,
    ev: (zoneKey: string) => MutableEvidence,
    silence: { reachesStaleAt: number },
    from: Map<string, 'alive' | 'cut' | 'none'>,
  ): void {
    const last = this.lastProbedReplication.get(replicaKey);
    const listed = replica.replication!;
    if (last === undefined || last.status.state !== 'streaming' || listed.state === 'broken' || last.status.lastContactSeconds === null) return;
    const upstream = byCluster.get(replica.cluster)?.find((db) => db.id === listed.upstream);
    if (!upstream || (upstream.state !== 'available' && upstream.state !== 'unknown')) return;
    // (To the millisecond, as the witnesses that answered.)
    const contact = Math.round((last.status.lastContactSeconds + (round.now - last.at) / 1000) * 1000) / 1000;
    const staleSeconds = this.policy.replicationStaleAfter;
    if (contact >= staleSeconds) return;
    const upstreamKey = resourceKey(upstream.provider, upstream.id);
    if ((this.targets.get(upstreamKey)?.failedRounds ?? 0) > 0) {
      const reachesStaleAt = round.now + (staleSeconds - contact) * 1000;
      if (reachesStaleAt < silence.reachesStaleAt) silence.reachesStaleAt = reachesStaleAt;
    }
    from.set(upstreamKey, 'alive');
    if (upstream.provider !== replica.provider || upstream.zone !== replica.zone) ev(zoneKey(upstream.provider, upstream.zone)).alive = true;
  }
}

function describe(e: ZoneEvidence, verdict: string): string {
  const parts = [
    `probes ${e.probes.down}/${e.probes.total} down`,
    `provider says ${e.providerStatus}`,
    e.listing.stopped > 0 ? `${e.listing.stopped}/${e.listing.total} listed stopped` : undefined,
    e.replication === 'none' ? undefined : `replication ${e.replication === 'cut' ? 'cut off' : 'flowing'}`,
  ].filter(Boolean);
  return `${verdict}: ${parts.join(', ')}`;
}
