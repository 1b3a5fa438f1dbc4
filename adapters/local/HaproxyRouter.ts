import type { EndpointRouter, RouterServer } from './EndpointRouter.js';
import { HaproxyProcess, isServing, type HaproxyProcessOptions } from './HaproxyProcess.js';

/** Where one endpoint's HAProxy files go, and the servers it starts with. */
export interface HaproxyRouterOptions extends HaproxyProcessOptions {
  /** Every instance the endpoint may point at, with the one it points at first. */
  readonly servers: readonly RouterServer[];
  readonly target: string;
}

/** HAProxy's `timeout connect`, and so its pause between retries of a refused server (see {@link haproxyConfig}). */
const RETRY_PAUSE_MS = 100;

/** The one backend of each HAProxy process: one process per endpoint, so a new endpoint never reloads another. */
const BACKEND = 'endpoint';

/**
 * A real HAProxy in TCP mode in front of a cluster's PostgreSQL servers:
 * one `server` line per instance, all but the target in `maint`, driven
 * through its runtime API.
 */
export class HaproxyRouter implements EndpointRouter {
  readonly kind = 'haproxy';
  private readonly known = new Set<string>();

  private constructor(
    private readonly haproxy: HaproxyProcess,
    servers: readonly RouterServer[],
  ) {
    for (const server of servers) this.known.add(server.id);
  }

  /** Writes the config, starts HAProxy and resolves once its runtime API answers. */
  static async start(options: HaproxyRouterOptions, signal: AbortSignal): Promise<HaproxyRouter> {
    const haproxy = await HaproxyProcess.start(options, (port) => haproxyConfig(port, options), signal);
    return new HaproxyRouter(haproxy, options.servers);
  }

  get port(): number {
    return this.haproxy.port;
  }

  async point(server: RouterServer, signal: AbortSignal): Promise<void> {
    const name = `${BACKEND}/${server.id}`;
    if (!this.known.has(server.id)) {
      // Dynamic servers start in maintenance; the state change below brings this one in.
      await this.haproxy.run(`add server ${name} 127.0.0.1:${server.port}`, signal, /New server registered/);
      this.known.add(server.id);
    } else {
      await this.haproxy.run(`set server ${name} addr 127.0.0.1 port ${server.port}`, signal);
    }
    const others = [...this.known].filter((id) => id !== server.id);
    // One line: HAProxy runs it in one go, so no new connection reaches an old server, and the
    // old one's sessions are cut after it stopped taking new ones. The cut comes at once (clients
    // stuck on a frozen primary are the write unavailability a failover is measured by); a client
    // held while HAProxy retries a dead server is cut too if an attempt is under way at that instant,
    // and its reconnect then reaches the new target.
    const commands = [
      ...others.map((id) => `set server ${BACKEND}/${id} state maint`),
      `set server ${name} state ready`,
      ...others.map((id) => `shutdown sessions server ${BACKEND}/${id}`),
    ];
    await this.haproxy.run(commands.join('; '), signal);
  }

  async served(signal: AbortSignal): Promise<string[]> {
    const servers = await this.haproxy.serversState(BACKEND, signal);
    return servers.filter(isServing).map((server) => server.name);
  }

  close(): Promise<void> {
    return this.haproxy.close();
  }

  kill(): void {
    this.haproxy.kill();
  }
}

/** The config of one endpoint's HAProxy: TCP mode, one server line per instance, all but the target disabled. */
export function haproxyConfig(port: number, options: Pick<HaproxyRouterOptions, 'socketPath' | 'servers' | 'target'>): string {
  const servers = options.servers.map(
    (server) => `  server ${server.id} 127.0.0.1:${server.port}${server.id === options.target ? '' : ' disabled'}`,
  );
  return [
    '# Written by the lifeboat local adapter; driven through the runtime API below.',
    'global',
    `  stats socket ${options.socketPath} mode 600 level admin`,
    '  maxconn 1024',
    'defaults',
    '  mode tcp',
    // A client that connects while its server is dead (refused) is held while HAProxy retries; by default
    // each retry waits a second and goes to the same server, even after the endpoint has moved (a held
    // session has already sent its startup packet, and `shutdown sessions` does not reach it), so the client
    // waited out its own connect timeout. Redispatching on every retry sends the held client to the new
    // target within one retry pause, and that pause is min(1 s, `timeout connect`): the servers are on
    // 127.0.0.1, where the kernel completes a handshake at once (even for a frozen server).
    `  timeout connect ${RETRY_PAUSE_MS}ms`,
    '  option redispatch 1',
    // Held that way for about 3 s (the default blip tolerance) rather than HAProxy's default 3 retries
    // (300 ms): a client that arrives while the target is dead then waits for the endpoint to move
    // instead of being turned away first (on a loaded machine the move came later than that).
    '  retries 30',
    // Database sessions idle for long; the endpoint cuts them itself when it moves.
    '  timeout client 1h',
    '  timeout server 1h',
    'frontend clients',
    `  bind 127.0.0.1:${port}`,
    `  default_backend ${BACKEND}`,
    `backend ${BACKEND}`,
    ...servers,
    '',
  ].join('\n');
}
