import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SimWorld } from './SimWorld.js';
import { isProviderError } from '../../src/core/contract/errors.js';
import type { ProbeTarget } from '../../src/core/contract/Prober.js';
import { SIM_METHODS, type SimCallRequest, type SimCallResponse, type SimMethod } from './simWire.js';

const METHODS = new Set<string>(SIM_METHODS);

/**
 * Serves a {@link SimWorld} over HTTP on loopback so that daemons in other
 * processes can use it as their provider (`type: sim, url: ...`) and the
 * world survives a daemon crash. `GET /truth` gives ground truth for tests
 * (promotions, writable primaries, mutating calls); it is never used by the
 * daemon.
 */
export class SimServer {
  private server: Server | undefined;

  constructor(private readonly world: SimWorld) {}

  /** Starts listening; resolves with the port. */
  async listen(host = '127.0.0.1', port = 0): Promise<number> {
    const server = createServer((req, res) => void this.handle(req, res));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    return (server.address() as AddressInfo).port;
  }

  /** Stops listening. */
  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    // A hung call must end when the client gives up on it.
    const gone = new AbortController();
    res.on('close', () => gone.abort());
    try {
      if (req.method === 'GET' && req.url === '/providers') {
        return send(200, { providers: this.world.providers().map((p) => ({ id: p.id, capabilities: p.capabilities })) });
      }
      if (req.method === 'GET' && req.url === '/truth') {
        const calls = this.world.calls.filter((c) => c.mutating);
        return send(200, { promotions: this.world.promotions, mutatingCalls: calls });
      }
      if (req.method === 'POST' && req.url === '/probe') {
        const { targets } = JSON.parse(await readBody(req)) as { targets: ProbeTarget[] };
        // Results now; the client waits out its own probe timeout for targets that timed out.
        const done = new AbortController();
        done.abort();
        return send(200, { ok: true, value: await this.world.prober().probe(targets, done.signal) } satisfies SimCallResponse);
      }
      if (req.method === 'POST' && req.url === '/call') {
        const call = JSON.parse(await readBody(req)) as SimCallRequest;
        if (!METHODS.has(call.method)) return send(400, { ok: false, error: { kind: 'invalid-input', message: `unknown method ${call.method}` } });
        const provider = this.world.provider(call.provider) as unknown as Record<SimMethod, (...args: unknown[]) => Promise<unknown>>;
        try {
          const value = await provider[call.method](...call.args, { signal: gone.signal });
          return send(200, { ok: true, value: value ?? null } satisfies SimCallResponse);
        } catch (error) {
          if (!isProviderError(error)) throw error;
          const body: SimCallResponse = {
            ok: false,
            error: {
              kind: error.kind,
              message: error.message,
              ...(error.code !== undefined ? { code: error.code } : {}),
              ...(error.retryAfterMs !== undefined ? { retryAfterMs: error.retryAfterMs } : {}),
            },
          };
          return send(200, body);
        }
      }
      send(404, { error: 'not found' });
    } catch (error) {
      if (!res.headersSent) send(500, { error: (error as Error).message });
    }
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
