import net from 'node:net';
import type { BalancerRouter, BalancerServer, BalancerServerState } from './BalancerRouter.js';
import type { EndpointRouter, RouterServer } from './EndpointRouter.js';

/** One forwarded connection: the client's socket and ours to the server. */
interface Link {
  readonly server: string;
  readonly client: net.Socket;
  readonly upstream: net.Socket;
}

/** Ports to try when the one we were given was taken meanwhile. */
const PORT_ATTEMPTS = 5;

/**
 * The built-in stand-in for HAProxy where it is not installed: a TCP
 * forwarder on 127.0.0.1 that sends each new connection to the next server
 * of its pool, round robin.
 *
 * - As a writer endpoint the pool is one server: {@link point} switches it
 *   for new connections at once and destroys every open connection to
 *   another server, as `set server ... state maint` plus `shutdown sessions
 *   server ...` do in HAProxy.
 * - As a load balancer the pool is the nodes in rotation: {@link sync}
 *   leaves a shifted zone's nodes out of it (no new connections, open ones
 *   finish, as `state maint` does). It has no health checks of its own.
 */
export class TcpForwarder implements EndpointRouter, BalancerRouter {
  readonly kind = 'forwarder';
  /** Where new connections go, in turn. */
  private pool: readonly RouterServer[];
  private next = 0;
  /** Every server {@link sync} was told of, with whether it is in rotation. */
  private members: readonly BalancerServer[] = [];
  /** Open client connections, each with the server it was forwarded to. */
  private readonly links = new Set<Link>();
  private closed = false;

  private constructor(
    readonly port: number,
    private readonly server: net.Server,
    pool: readonly RouterServer[],
  ) {
    this.pool = pool;
    server.on('connection', (client) => this.forward(client));
  }

  /**
   * Starts listening on a port from `allocatePort` (another one if it was
   * taken meanwhile), forwarding to `pool` (one target for an endpoint; empty
   * for a load balancer until {@link sync}).
   */
  static async start(pool: readonly RouterServer[], allocatePort: () => Promise<number>): Promise<TcpForwarder> {
    for (let attempt = 1; ; attempt++) {
      const port = await allocatePort();
      const server = net.createServer({ noDelay: true });
      try {
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen(port, '127.0.0.1', () => {
            server.off('error', reject);
            resolve();
          });
        });
        server.unref();
        return new TcpForwarder(port, server, pool);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= PORT_ATTEMPTS) throw error;
      }
    }
  }

  point(server: RouterServer): Promise<void> {
    this.pool = [server];
    for (const link of this.links) {
      if (link.server !== server.id) this.cut(link);
    }
    return Promise.resolve();
  }

  served(): Promise<string[]> {
    return Promise.resolve(this.closed ? [] : this.pool.map((server) => server.id));
  }

  sync(servers: readonly BalancerServer[]): Promise<void> {
    this.members = [...servers];
    this.pool = servers.filter((server) => server.inRotation);
    return Promise.resolve();
  }

  state(): Promise<BalancerServerState[]> {
    const serving = new Set(this.closed ? [] : this.pool.map((server) => server.id));
    return Promise.resolve(this.members.map((server) => ({ id: server.id, inRotation: serving.has(server.id), healthy: null })));
  }

  close(): Promise<void> {
    this.kill();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  kill(): void {
    this.closed = true;
    for (const link of this.links) this.cut(link);
  }

  private forward(client: net.Socket): void {
    if (this.closed || this.pool.length === 0) return void client.destroy();
    const target = this.pool[this.next++ % this.pool.length]!;
    const upstream = net.connect({ host: '127.0.0.1', port: target.port, noDelay: true });
    const link: Link = { server: target.id, client, upstream };
    this.links.add(link);
    const end = () => this.cut(link);
    client.once('error', end).once('close', end);
    upstream.once('error', end).once('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
  }

  private cut(link: Link): void {
    this.links.delete(link);
    link.client.destroy();
    link.upstream.destroy();
  }
}
