/**
 * A disturbance of a healthy primary that must not lead to a failover (the
 * false-failover suite, {@link runFalseFailoverDrill}):
 *
 * - `brief-freeze`: every process of the primary's zone frozen (`SIGSTOP`)
 *   for a little less than the controller's tolerance (half a second less
 *   than `replicationStaleAfter`), then resumed.
 * - `network-blip`: a one-second partition of the primary's zone (frozen, so
 *   packets go unanswered), then every connection to the primary reset, as a
 *   flapping link leaves them: clients and the standbys' WAL streams
 *   reconnect. (Loopback has no link to cut, and blocking a port needs
 *   netfilter, which test machines may lack.)
 * - `checkpoint-stall`: a bulk write, then `CHECKPOINT` while the primary's
 *   checkpointer, WAL writer and background writer are frozen for a little
 *   less than the tolerance: the checkpoint and anything waiting on those
 *   processes stall, while backends still serve the client and the probes.
 * - `cpu-starvation`: the primary's zone starved of CPU for ten seconds: its
 *   processes stopped and resumed at a 50 % duty cycle (150 ms each).
 * - `replica-restart`: the synchronous standby restarted (`rebootDatabase`).
 */
export type Disturbance = 'brief-freeze' | 'network-blip' | 'checkpoint-stall' | 'cpu-starvation' | 'replica-restart';

/** Every {@link Disturbance}, in the order the suite runs them. */
export const DISTURBANCES: readonly Disturbance[] = ['brief-freeze', 'network-blip', 'checkpoint-stall', 'cpu-starvation', 'replica-restart'];
