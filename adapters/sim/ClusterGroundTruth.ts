import type { SimCluster } from './SimCluster.js';
import type { SimDatabase } from './SimDatabase.js';
import type { SimEndpoint } from './SimEndpoint.js';

/** Shares below this are float noise, not clients. */
const EPSILON = 1e-9;

/** A stretch of virtual time, in seconds, with what happened in it. */
export interface Stretch {
  readonly from: number;
  readonly to: number;
}

/** A maximal stretch during which some clients of the endpoint could not write (spec 5, `maxWriteUnavailable`). */
export interface WriteIncident extends Stretch {
  /** Share of clients unable to write, integrated over the incident (1 = one second of no client able to write). */
  readonly seconds: number;
}

/** The endpoint served an instance the controller had fenced (stopped or deleted) while a writable primary existed. */
export interface FencedAnswer extends Stretch {
  readonly instance: string;
}

/** Writes one instance acknowledged, as a piecewise-linear rate: [a, b) with the rate going from `ra` to `rb`. */
interface AckPiece {
  readonly a: number;
  readonly b: number;
  /** Writes acknowledged before `a`. */
  readonly before: number;
  readonly ra: number;
  readonly rb: number;
}

/** A promotion as the lineage needs it. */
interface LineageStep {
  readonly replica: SimDatabase;
  readonly from: SimDatabase | undefined;
  /** The replica's replayed position (a write stamp) when it was promoted. */
  readonly position: number;
}

/**
 * What the clients of one database saw, integrated exactly over virtual
 * time (ground truth for replay; never seen by the controller):
 *
 * - write unavailability through the endpoint, per incident;
 * - writes each instance acknowledged, to count those outside the final
 *   primary's lineage (diverged writes);
 * - split brain stretches (two or more instances accepting writes);
 * - stretches when the endpoint served an instance the controller had fenced.
 *
 * Between two calls of {@link advance} nothing about the cluster's
 * instances changes (the world calls it before every change), so the only
 * thing moving is the clients' share on each endpoint answer, which is
 * piecewise linear in time: each piece is integrated exactly.
 */
export class ClusterGroundTruth {
  readonly incidents: WriteIncident[] = [];
  readonly splitBrains: Stretch[] = [];
  readonly fencedAnswers: FencedAnswer[] = [];
  private readonly lineage: LineageStep[] = [];
  private readonly acked = new Map<SimDatabase, AckPiece[]>();
  private last = 0;
  /** First endpoint answer still held by some client at `last`. */
  private firstLive = 0;
  private incident: { from: number; seconds: number } | undefined;
  private splitSince: number | undefined;
  private fenced: { from: number; instance: SimDatabase } | undefined;

  constructor(
    private readonly cluster: SimCluster,
    private readonly original: SimDatabase,
  ) {}

  /**
   * Integrates from the last call to `t` with the instances as they are now
   * (call it before changing any of them, or the endpoint).
   */
  advance(t: number): void {
    if (t <= this.last) return;
    const endpoint = this.cluster.endpoint;
    if (endpoint !== undefined) this.advanceThroughEndpoint(endpoint, t);
    else if (this.cluster.writesPerSecond > 0) {
      // Without an endpoint there is no client model beyond r1's: every primary that accepts writes commits the full rate.
      for (const db of this.cluster.instances) if (db.accepting) this.ack(db, this.last, t, this.cluster.writesPerSecond, this.cluster.writesPerSecond);
    }
    this.last = t;
  }

  /** Records the conditions that hold from `t` on (call after a change). */
  observe(t: number): void {
    let writable = 0;
    for (const db of this.cluster.instances) if (db.accepting) writable++;
    if (writable > 1) this.splitSince ??= t;
    else if (this.splitSince !== undefined) {
      if (t > this.splitSince) this.splitBrains.push({ from: this.splitSince, to: t });
      this.splitSince = undefined;
    }
    const endpoint = this.cluster.endpoint;
    if (endpoint === undefined) return;
    const served = endpoint.served;
    const badAnswer = served.fenced && writable > 0 ? served : undefined;
    if (this.fenced !== undefined && this.fenced.instance !== badAnswer) {
      if (t > this.fenced.from) this.fencedAnswers.push({ from: this.fenced.from, to: t, instance: this.fenced.instance.id });
      this.fenced = undefined;
    }
    if (badAnswer !== undefined && this.fenced === undefined) this.fenced = { from: t, instance: badAnswer };
  }

  /** A promotion took effect: `replica` had replayed up to `position` from `from`. */
  promoted(replica: SimDatabase, from: SimDatabase | undefined, position: number): void {
    this.lineage.push({ replica, from, position });
  }

  /** Closes open stretches at `t` (the end of the scenario); later calls of {@link advance} before `t` do nothing. */
  finish(t: number): void {
    this.advance(t);
    if (this.incident !== undefined) {
      this.incidents.push({ from: this.incident.from, to: t, seconds: this.incident.seconds });
      this.incident = undefined;
    }
    if (this.splitSince !== undefined) {
      if (t > this.splitSince) this.splitBrains.push({ from: this.splitSince, to: t });
      this.splitSince = undefined;
    }
    if (this.fenced !== undefined) {
      if (t > this.fenced.from) this.fencedAnswers.push({ from: this.fenced.from, to: t, instance: this.fenced.instance.id });
      this.fenced = undefined;
    }
  }

  /** The chosen primary at the end: the last promoted instance, or the original primary. */
  chosenPrimary(): SimDatabase {
    return this.lineage[this.lineage.length - 1]?.replica ?? this.original;
  }

  /**
   * Writes acknowledged by an instance whose data is not in the chosen
   * primary's lineage: every write of an instance outside it, and the writes
   * of an earlier primary newer than what its successor had replayed when
   * promoted (spec 2.2: they count as lost).
   */
  divergedWrites(): number {
    const cutoff = new Map<SimDatabase, number>();
    let current: SimDatabase | undefined = this.chosenPrimary();
    let bound = Infinity;
    cutoff.set(current, bound);
    for (let i = this.lineage.length - 1; i >= 0 && current !== undefined; i--) {
      const step = this.lineage[i]!;
      if (step.replica !== current) continue;
      bound = Math.min(bound, step.position);
      current = step.from;
      if (current !== undefined) cutoff.set(current, Math.max(cutoff.get(current) ?? -Infinity, bound));
    }
    let diverged = 0;
    for (const [db, pieces] of this.acked) {
      const total = ackedUntil(pieces, Infinity);
      diverged += total - ackedUntil(pieces, cutoff.get(db) ?? -Infinity);
    }
    return diverged;
  }

  private advanceThroughEndpoint(endpoint: SimEndpoint, t: number): void {
    const answers = endpoint.answers;
    const ttl = endpoint.ttlSeconds;
    const from = this.last;
    // Answers no client holds any more never come back.
    while (this.firstLive < answers.length - 1 && answers[this.firstLive + 1]!.from + ttl <= from) this.firstLive++;
    const cuts = [from, t];
    for (let i = this.firstLive; i < answers.length; i++) {
      const start = answers[i]!.from;
      const end = answers[i + 1]?.from ?? Infinity;
      for (const point of [start, start + ttl, end, end + ttl]) if (point > from && point < t) cuts.push(point);
    }
    cuts.sort((x, y) => x - y);
    const rate = this.cluster.writesPerSecond;
    for (let k = 0; k + 1 < cuts.length; k++) {
      const a = cuts[k]!;
      const b = cuts[k + 1]!;
      if (b <= a) continue;
      const mid = (a + b) / 2;
      let unavailable = 0;
      for (let i = this.firstLive; i < answers.length; i++) {
        const target = answers[i]!.target;
        const sm = endpoint.share(i, mid);
        if (sm <= EPSILON) continue;
        if (!target.accepting) {
          unavailable += sm;
          continue;
        }
        if (rate > 0) {
          // Linear on the piece with TTL; constant without.
          const sa = ttl === 0 ? sm : endpoint.share(i, a);
          const sb = ttl === 0 ? sm : endpoint.share(i, b);
          this.ack(target, a, b, rate * sa, rate * sb);
        }
      }
      // The share is linear on the piece: its integral is its midpoint value times the width.
      if (unavailable > EPSILON) {
        this.incident ??= { from: a, seconds: 0 };
        this.incident.seconds += unavailable * (b - a);
      } else if (this.incident !== undefined) {
        this.incidents.push({ from: this.incident.from, to: a, seconds: this.incident.seconds });
        this.incident = undefined;
      }
    }
  }

  private ack(db: SimDatabase, a: number, b: number, ra: number, rb: number): void {
    let pieces = this.acked.get(db);
    if (pieces === undefined) this.acked.set(db, (pieces = []));
    const previous = pieces[pieces.length - 1];
    // Consecutive pieces at one constant rate merge: a quiet day is one piece, not one per tick.
    if (previous !== undefined && previous.b === a && previous.ra === previous.rb && previous.rb === ra && ra === rb) {
      pieces[pieces.length - 1] = { ...previous, b };
      return;
    }
    const before = previous === undefined ? 0 : previous.before + ((previous.ra + previous.rb) / 2) * (previous.b - previous.a);
    pieces.push({ a, b, before, ra, rb });
  }
}

/** Writes acknowledged with a stamp up to `t`. */
function ackedUntil(pieces: readonly AckPiece[], t: number): number {
  let total = 0;
  for (const piece of pieces) {
    if (t <= piece.a) break;
    const width = piece.b - piece.a;
    if (t >= piece.b) {
      total = piece.before + ((piece.ra + piece.rb) / 2) * width;
      continue;
    }
    const rt = piece.ra + ((piece.rb - piece.ra) * (t - piece.a)) / width;
    return piece.before + ((piece.ra + rt) / 2) * (t - piece.a);
  }
  return total;
}
