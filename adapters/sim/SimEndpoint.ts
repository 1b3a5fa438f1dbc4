import type { DatabaseEndpoint } from '../../src/core/contract/types.js';
import { emptyExtra } from './emptyExtra.js';
import type { SimCluster } from './SimCluster.js';
import type { SimDatabase } from './SimDatabase.js';
import type { Writable } from './Writable.js';

/** One answer the provider served for an endpoint, from `from` (virtual seconds) until the next one. */
export interface EndpointAnswer {
  readonly from: number;
  readonly target: SimDatabase;
}

/**
 * A database's writer endpoint in the simulated world (spec 2.2): the
 * answers its provider served over time. Clients refresh their answer every
 * `ttl` at a uniformly spread phase, so at time t a client holds the answer
 * served at t - u, u uniform in [0, ttl): after a change the share on the
 * old answer falls linearly from 1 to 0 over `ttl`, as the spec models it,
 * and several changes within one `ttl` compose exactly.
 */
export class SimEndpoint {
  /** Served answers in order; the first is the primary, from the beginning of time. */
  readonly answers: EndpointAnswer[];
  /** Target of an accepted `updateEndpoint` not served yet. */
  pending: SimDatabase | undefined = undefined;
  /** Bumped by every accepted change; a propagation scheduled under an older one does nothing. */
  generation = 0;
  private cached: DatabaseEndpoint | undefined;

  constructor(
    readonly name: string,
    readonly provider: string,
    readonly cluster: SimCluster,
    readonly ttlSeconds: number,
    initial: SimDatabase,
  ) {
    this.answers = [{ from: -Infinity, target: initial }];
  }

  /** The instance the provider answers with now. */
  get served(): SimDatabase {
    return this.answers[this.answers.length - 1]!.target;
  }

  /** The provider serves a new answer from `t` on. */
  serve(target: SimDatabase, t: number): void {
    this.pending = undefined;
    this.answers.push({ from: t, target });
    this.cached = undefined;
  }

  accept(target: SimDatabase): void {
    this.pending = target;
    this.generation++;
    this.cached = undefined;
  }

  /**
   * Share of clients holding answer `i` at `t`: the part of the window
   * [t - ttl, t] during which answer `i` was served, over `ttl` (with no
   * TTL, whether it is served at `t`).
   */
  share(i: number, t: number): number {
    const from = this.answers[i]!.from;
    const end = this.answers[i + 1]?.from ?? Infinity;
    if (this.ttlSeconds === 0) return from <= t && t < end ? 1 : 0;
    const overlap = Math.min(t, end) - Math.max(t - this.ttlSeconds, from);
    return overlap > 0 ? overlap / this.ttlSeconds : 0;
  }

  snapshot(): DatabaseEndpoint {
    if (this.cached !== undefined) return this.cached;
    const endpoint: Writable<DatabaseEndpoint> = {
      name: this.name,
      provider: this.provider,
      database: this.cluster.id,
      target: this.served.id,
      ttlSeconds: this.ttlSeconds,
      extra: emptyExtra,
    };
    if (this.pending !== undefined) endpoint.pendingTarget = this.pending.id;
    this.cached = Object.freeze(endpoint);
    return this.cached;
  }
}
