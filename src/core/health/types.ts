import type { ZoneProviderStatus } from '../contract/types.js';

/** Health of one probed target (node or database instance), from the controller's own probes. */
export type TargetStatus = 'up' | 'suspect' | 'down' | 'unprobed';

/** What the controller knows about one probed target. */
export interface TargetHealth {
  readonly status: TargetStatus;
  /** Consecutive failed probe rounds. */
  readonly failedRounds: number;
  /**
   * When the current run of failures started (ms), if failing: the start of
   * the first failed probe round, or, for a primary, earlier when replicas
   * elsewhere had already stopped hearing it (never before it last answered
   * a probe), as its zone's bad picture is dated.
   */
  readonly failingSince: number | undefined;
  /** Since when it has answered every probe (ms), while up. */
  readonly upSince: number | undefined;
  /** For databases: last probe said it accepts writes. */
  readonly writable: boolean;
}

/** Health state of a zone, with hysteresis. */
export type ZoneState = 'healthy' | 'degraded' | 'impaired';

/** What each vantage point said about a zone in the latest round. */
export interface ZoneEvidence {
  /** Own probes: targets probed, how many are down, how many answered. */
  readonly probes: { readonly total: number; readonly down: number; readonly up: number; readonly failing: number };
  /** The provider's own status API. */
  readonly providerStatus: ZoneProviderStatus;
  /** Listed resources the provider reports stopped/failed without us having stopped them, of all listed. */
  readonly listing: { readonly total: number; readonly stopped: number };
  /**
   * Replication out of the zone, seen from replicas elsewhere that answer our
   * probes: `alive` (some replica still hears a primary in this zone), `cut`
   * (they all lost contact; a replica counts only against the upstream it was
   * last seen streaming from), or `none` (nothing to tell).
   */
  readonly replication: 'alive' | 'cut' | 'none';
  /** Vantage points that currently say the zone is bad. */
  readonly badVantagePoints: readonly ('probes' | 'provider' | 'replication')[];
}

/** Health of one zone. */
export interface ZoneHealth {
  readonly provider: string;
  readonly region: string;
  readonly zone: string;
  readonly state: ZoneState;
  /** When the zone entered its current state (ms). */
  readonly since: number;
  readonly evidence: ZoneEvidence;
  /** Human-readable reason for the current state. */
  readonly reason: string;
}
