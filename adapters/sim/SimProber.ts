import type { Prober, ProbeReplication, ProbeResult, ProbeRoundAnswer, ProbeTarget } from '../../src/core/contract/Prober.js';
import type { DatabaseInstance } from '../../src/core/contract/types.js';
import type { SimDatabase } from './SimDatabase.js';
import { SimNode } from './SimNode.js';
import type { WorldState } from './WorldState.js';

/** What a probe target names in the world: a node, a database instance, or nothing. */
type Probed = SimNode | SimDatabase | undefined;

// Shared frozen results: a 10,000-target round allocates one array, not 10,000 objects.
const NODE_UP: ProbeResult = Object.freeze({ ok: true });
const PRIMARY_WRITABLE: ProbeResult = Object.freeze({ ok: true, writable: true, role: 'primary' });
const PRIMARY_READ_ONLY: ProbeResult = Object.freeze({ ok: true, writable: false, role: 'primary' });
const REPLICA_UP: ProbeResult = Object.freeze({ ok: true, writable: false, role: 'replica' });
const STREAMING: ProbeReplication = Object.freeze({ state: 'streaming', lastContactSeconds: 0 });
const REPLICA_STREAMING: ProbeResult = Object.freeze({ ok: true, writable: false, role: 'replica', replication: STREAMING });
const TIMEOUT: ProbeResult = Object.freeze({ ok: false, failure: 'timeout' });
const REFUSED: ProbeResult = Object.freeze({ ok: false, failure: 'refused' });
const ERROR: ProbeResult = Object.freeze({ ok: false, failure: 'error' });

/**
 * The controller's own probes into the simulated world: they see what is
 * physically there, not what the provider's API says. A target in a cut-off
 * zone (or one the observer is partitioned from) times out; a stopped one
 * refuses; a `degraded` zone fails a seeded share of probes with `error`.
 * Obtain one with {@link SimWorld.prober}.
 */
export class SimProber implements Prober {
  private found: readonly Probed[] | undefined;
  private foundFor: readonly ProbeTarget[] | undefined;
  private foundVersion = -1;

  /** @internal Use {@link SimWorld.prober}. */
  constructor(private readonly world: WorldState) {}

  /**
   * Probes the batch. Results reflect the world when the round is sent. If
   * any target timed out, the round resolves only when `signal` fires, as a
   * real round waits out its timeout; otherwise it resolves at once.
   */
  probe(targets: readonly ProbeTarget[], signal: AbortSignal): Promise<ProbeResult[]> {
    const { results, timedOut } = this.probeAtOnce(targets);
    if (!timedOut || signal.aborted) return Promise.resolve(results);
    return new Promise((resolve) => signal.addEventListener('abort', () => resolve(results), { once: true }));
  }

  /** The same round, answered at once; the caller waits out the timeout when `timedOut` (see {@link Prober.probeAtOnce}). */
  probeAtOnce(targets: readonly ProbeTarget[]): ProbeRoundAnswer {
    const found = this.lookUp(targets);
    const nowMs = this.world.clock.now();
    const results = new Array<ProbeResult>(targets.length);
    let timedOut = false;
    for (let i = 0; i < targets.length; i++) {
      const result = this.probeOne(found[i], nowMs);
      if (result === TIMEOUT) timedOut = true;
      results[i] = result;
    }
    return { results, timedOut };
  }

  /**
   * The node or instance behind each target (`undefined`: nothing by that
   * id, so the probe is refused). The controller probes the same targets
   * array round after round, so the lookups are kept until the targets or
   * the world's registry change.
   */
  private lookUp(targets: readonly ProbeTarget[]): readonly Probed[] {
    const version = this.world.registryVersion;
    if (this.found !== undefined && this.foundFor === targets && this.foundVersion === version) return this.found;
    const found = targets.map((target): Probed => {
      const cloud = this.world.clouds.get(target.provider);
      return target.kind === 'node' ? cloud?.nodes.get(target.id) : cloud?.databases.get(target.id);
    });
    this.found = found;
    this.foundFor = targets;
    this.foundVersion = version;
    return found;
  }

  private probeOne(probed: Probed, nowMs: number): ProbeResult {
    if (probed === undefined) return REFUSED;
    const zone = probed.zone;
    if (probed instanceof SimNode) {
      if (zone.cutOff || zone.isPartitioned(nowMs)) return TIMEOUT;
      if (probed.state !== 'running') return REFUSED;
      return this.degradedFailure(zone.mode === 'degraded', zone.errorRate) ?? NODE_UP;
    }
    const db = probed;
    if (zone.cutOff || zone.storageStalled || zone.isPartitioned(nowMs)) return TIMEOUT;
    // A promoting replica still serves reads; stopping, rebooting, stopped and creating instances refuse.
    if (db.state !== 'available' && db.state !== 'promoting') return REFUSED;
    const failure = this.degradedFailure(zone.mode === 'degraded', zone.errorRate);
    if (failure !== undefined) return failure;
    if (db.role === 'replica') return this.replicaResult(db.snapshot(nowMs / 1000).replication);
    return db.accepting ? PRIMARY_WRITABLE : PRIMARY_READ_ONLY;
  }

  /** A replica answers with its own view of its stream, as `pg_stat_wal_receiver` would. */
  private replicaResult(status: DatabaseInstance['replication']): ProbeResult {
    if (status === undefined) return REPLICA_UP;
    if (status.state === 'streaming' && status.lastContactSeconds === 0) return REPLICA_STREAMING;
    return Object.freeze({
      ok: true,
      writable: false,
      role: 'replica',
      replication: Object.freeze({ state: status.state, lastContactSeconds: status.lastContactSeconds }),
    });
  }

  private degradedFailure(degraded: boolean, errorRate: number): ProbeResult | undefined {
    return degraded && this.world.probeRandom.chance(errorRate) ? ERROR : undefined;
  }
}
