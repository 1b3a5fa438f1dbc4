/** Which program routes an endpoint's connections: a real HAProxy, or the built-in forwarder standing in for it. */
export type EndpointRouterKind = 'haproxy' | 'forwarder';

/** Which router the `local` adapter uses: `auto` (the default) takes HAProxy when it is installed. */
export type EndpointRouterChoice = EndpointRouterKind | 'auto';

/** An instance a router can send connections to. */
export interface RouterServer {
  /** Instance id; the router's name for it. */
  readonly id: string;
  readonly port: number;
}

/**
 * One listening address on 127.0.0.1 that forwards every TCP connection to
 * one server at a time: a database endpoint of the `local` adapter.
 * Implemented by {@link HaproxyRouter} and {@link TcpForwarder}, which behave
 * the same: {@link point} is atomic for new connections and cuts the
 * existing connections to every other server, so clients of an old primary
 * reconnect and reach the new one.
 */
export interface EndpointRouter {
  readonly kind: EndpointRouterKind;
  /** Port on 127.0.0.1 that clients connect to. */
  readonly port: number;
  /**
   * Sends every new connection to `server` from now on and closes the open
   * connections to any other server. Idempotent. A server the router has not
   * seen yet is added; one whose port changed (a restart) is updated.
   */
  point(server: RouterServer, signal: AbortSignal): Promise<void>;
  /** Ids of the servers new connections go to right now, as the router itself reports them (one, normally). */
  served(signal: AbortSignal): Promise<string[]>;
  /** Stops listening and closes every connection. Idempotent. */
  close(): Promise<void>;
  /** Last-chance clean-up on process exit: synchronous only. */
  kill(): void;
}
