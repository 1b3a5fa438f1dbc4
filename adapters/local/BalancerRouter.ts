import type { EndpointRouterKind } from './EndpointRouter.js';

/** A node behind a load balancer, as the router should route it. */
export interface BalancerServer {
  /** Node id; the router's name for it. */
  readonly id: string;
  readonly port: number;
  readonly zone: string;
  /** False while the node's zone is shifted away: it gets no new requests. */
  readonly inRotation: boolean;
}

/** A node as the router itself reports it. */
export interface BalancerServerState {
  readonly id: string;
  /** True when the router sends it new requests. */
  readonly inRotation: boolean;
  /** What the router's own health checks see; `null` when it has none (the forwarder) or they are paused (maintenance). */
  readonly healthy: boolean | null;
}

/**
 * One listening address on 127.0.0.1 that spreads requests over the nodes
 * of a group: a zonal load balancer of the `local` adapter. Implemented by
 * {@link HaproxyBalancer} and {@link TcpForwarder}.
 */
export interface BalancerRouter {
  readonly kind: EndpointRouterKind;
  /** Port on 127.0.0.1 that clients connect to. */
  readonly port: number;
  /**
   * Makes the router route exactly `servers`: new ones added, changed ports
   * refreshed, each ready or out of rotation as it says; servers it had and
   * that are not listed any more get no new requests. Open connections
   * finish where they are (a shift drains, as ARC's does). Idempotent.
   */
  sync(servers: readonly BalancerServer[], signal: AbortSignal): Promise<void>;
  /** Every server the router knows, as it reports it. */
  state(signal: AbortSignal): Promise<BalancerServerState[]>;
  /** Stops listening and closes every connection. Idempotent. */
  close(): Promise<void>;
  /** Last-chance clean-up on process exit: synchronous only. */
  kill(): void;
}
