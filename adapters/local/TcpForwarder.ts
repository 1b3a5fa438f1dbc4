import net from 'node:net';
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
 * forwarder on 127.0.0.1 with one target at a time. {@link point} switches
 * the target for new connections at once and destroys every open
 * connection to another server, as `set server ... state maint` plus
 * `shutdown sessions server ...` do in HAProxy.
 */
export class TcpForwarder implements EndpointRouter {
  readonly kind = 'forwarder';
  private target: RouterServer;
  /** Open client connections, each with the server it was forwarded to. */
  private readonly links = new Set<Link>();
  private closed = false;

  private constructor(
    readonly port: number,
    private readonly server: net.Server,
    target: RouterServer,
  ) {
    this.target = target;
    server.on('connection', (client) => this.forward(client));
  }

  /** Starts listening on a port from `allocatePort` (another one if it was taken meanwhile). */
  static async start(target: RouterServer, allocatePort: () => Promise<number>): Promise<TcpForwarder> {
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
        return new TcpForwarder(port, server, target);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= PORT_ATTEMPTS) throw error;
      }
    }
  }

  point(server: RouterServer): Promise<void> {
    this.target = server;
    for (const link of this.links) {
      if (link.server !== server.id) this.cut(link);
    }
    return Promise.resolve();
  }

  served(): Promise<string[]> {
    return Promise.resolve(this.closed ? [] : [this.target.id]);
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
    if (this.closed) return void client.destroy();
    const target = this.target;
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
