import type { Clock } from '../../src/core/clock/Clock.js';
import type { Provider } from '../../src/core/contract/Provider.js';

/** What an adapter's conformance run provides: a fresh provider and a way to let time pass. */
export interface ConformanceFixture {
  readonly provider: Provider;
  /** The clock the provider's effects follow (virtual for `sim`, the system clock for real adapters). */
  readonly clock: Clock;
  /** A region the tests may create nodes in. */
  readonly region: string;
  /** Zones of `region` (at least one). */
  readonly zones: readonly string[];
  /**
   * An existing replicated database: required when the adapter declares the
   * `databases` capability. Tests may promote the replica and stop the
   * primary, so each fixture must give a fresh one.
   */
  readonly database?: { readonly cluster: string; readonly primary: string; readonly replica: string };
  /**
   * The writer endpoint of {@link database}, resolving to its primary:
   * required when the adapter declares `endpoints`. Tests point it at the
   * replica.
   */
  readonly endpoint?: { readonly name: string };
  /**
   * A load balancer with at least two zones, all in rotation: required when
   * the adapter declares `loadBalancers`. Tests shift its zones away and back.
   */
  readonly loadBalancer?: { readonly id: string; readonly zones: readonly string[] };
  /** Lets `ms` of time pass: `VirtualClock.runUntil` for sim, a real sleep for real adapters. */
  advance(ms: number): Promise<void>;
  /** Releases everything the fixture made. */
  close(): Promise<void>;
}
