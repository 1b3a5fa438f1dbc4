import type { BalancerRouter, BalancerServer, BalancerServerState } from './BalancerRouter.js';
import { HaproxyProcess, inMaintenance, isServing, type HaproxyProcessOptions } from './HaproxyProcess.js';

/** The one backend of each load balancer's HAProxy: the group's nodes, one server each. */
const BACKEND = 'group';
/**
 * Health checks of every server (dynamic servers do not inherit
 * `default-server`, so each `add server` names them): every second, down
 * after two failures, up after one success.
 */
const CHECK = 'check inter 1s fall 2 rise 1';

/**
 * A real HAProxy in HTTP mode in front of a node group: one frontend on
 * 127.0.0.1, one backend with a server per node, health-checked with
 * `GET /health` (the load balancer's own vantage point), balanced round
 * robin per request. A zone shifted away has its servers in `maint`
 * (through the runtime API); shifted back, `ready`.
 */
export class HaproxyBalancer implements BalancerRouter {
  readonly kind = 'haproxy';

  private constructor(private readonly haproxy: HaproxyProcess) {}

  /** Writes the config (no servers yet: {@link sync} adds them), starts HAProxy, resolves once its runtime API answers. */
  static async start(options: HaproxyProcessOptions, signal: AbortSignal): Promise<HaproxyBalancer> {
    return new HaproxyBalancer(await HaproxyProcess.start(options, (port) => balancerConfig(port, options.socketPath), signal));
  }

  get port(): number {
    return this.haproxy.port;
  }

  async sync(servers: readonly BalancerServer[], signal: AbortSignal): Promise<void> {
    const known = new Map((await this.haproxy.serversState(BACKEND, signal)).map((server) => [server.name, server]));
    for (const server of servers) {
      const name = `${BACKEND}/${server.id}`;
      const current = known.get(server.id);
      if (!current) {
        // Dynamic servers start in maintenance with their checks off; the state line below decides.
        await this.haproxy.run(`add server ${name} 127.0.0.1:${server.port} ${CHECK}`, signal, /New server registered/);
        await this.haproxy.run(`enable health ${name}`, signal);
      } else if (current.port !== server.port) {
        await this.haproxy.run(`set server ${name} addr 127.0.0.1 port ${server.port}`, signal);
      }
    }
    const wanted = new Set(servers.map((server) => server.id));
    const commands = [
      ...servers.map((server) => `set server ${BACKEND}/${server.id} state ${server.inRotation ? 'ready' : 'maint'}`),
      ...[...known.keys()].filter((id) => !wanted.has(id)).map((id) => `set server ${BACKEND}/${id} state maint`),
    ];
    // One line: HAProxy applies a shift to every server of the zone in one go.
    if (commands.length > 0) await this.haproxy.run(commands.join('; '), signal);
  }

  async state(signal: AbortSignal): Promise<BalancerServerState[]> {
    return (await this.haproxy.serversState(BACKEND, signal)).map((server) => {
      const maint = inMaintenance(server);
      // Checks pause in maintenance: HAProxy then reports the server stopped, which says nothing about the node.
      return { id: server.name, inRotation: !maint, healthy: maint ? null : isServing(server) };
    });
  }

  close(): Promise<void> {
    return this.haproxy.close();
  }

  kill(): void {
    this.haproxy.kill();
  }
}

/** The config of one load balancer's HAProxy: HTTP mode, round robin, `GET /health` checks, servers added at run time. */
export function balancerConfig(port: number, socketPath: string): string {
  return [
    '# Written by the lifeboat local adapter; servers are added and shifted through the runtime API below.',
    'global',
    `  stats socket ${socketPath} mode 600 level admin`,
    '  maxconn 1024',
    'defaults',
    '  mode http',
    '  timeout connect 2s',
    '  timeout client 30s',
    '  timeout server 30s',
    'frontend clients',
    `  bind 127.0.0.1:${port}`,
    `  default_backend ${BACKEND}`,
    `backend ${BACKEND}`,
    '  balance roundrobin',
    '  option httpchk GET /health',
    '',
  ].join('\n');
}
