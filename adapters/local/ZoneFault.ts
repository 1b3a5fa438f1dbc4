/**
 * A fault injected into a local zone with `ex_injectZoneFault`:
 *
 * - `unreachable`: every process in the zone (node services and PostgreSQL
 *   servers with all their backends) is frozen with `SIGSTOP`. The kernel
 *   still completes TCP handshakes, so connections hang instead of being
 *   refused, as across a network partition; replication to and from the zone
 *   stops. `SIGCONT` when cleared. The provider keeps reporting the zone
 *   `available` (provider status pages lag).
 * - `power`: every process in the zone is killed with `SIGKILL` (PostgreSQL
 *   gets no shutdown checkpoint: it crash-recovers on its next start).
 *   Instances become `stopped` and stay stopped after the fault is cleared,
 *   like real power loss. The zone is reported `unavailable`, and nothing
 *   can be created, started or rebooted there until it is cleared.
 * - `storage`: the zone's PostgreSQL servers stop taking writes because
 *   they are frozen (`SIGSTOP`), while node services keep answering. There is
 *   no practical way to fail only a server's disk under a stock PostgreSQL,
 *   so this freezes reads too: the probes of its databases time out, exactly
 *   what a hung EBS volume looks like from outside. The zone is reported
 *   `impaired`.
 */
export type ZoneFault = 'unreachable' | 'power' | 'storage';

/** Every {@link ZoneFault}, for input validation. */
export const ZONE_FAULTS: readonly ZoneFault[] = ['unreachable', 'power', 'storage'];
