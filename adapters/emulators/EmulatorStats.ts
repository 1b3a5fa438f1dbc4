/** Counters an emulator keeps about the traffic it served. */
export interface EmulatorStats {
  /** Requests received, whatever became of them. */
  readonly requests: number;
  /** Requests received per `service:action` (`ec2:DescribeInstances`, `compute:instances.insert`). */
  readonly byAction: Readonly<Record<string, number>>;
  /** Requests received and not answered yet. */
  readonly inFlight: number;
  /**
   * Of those, how many wait on the world (a pending provider call: a hung
   * `apiFault`, or a read latency in virtual time). They move only when
   * virtual time does, or when the client gives up.
   */
  readonly waitingOnWorld: number;
  /** Requests whose client closed the connection before the answer was sent. */
  readonly abandoned: number;
  /** Connections open right now. */
  readonly openConnections: number;
}
