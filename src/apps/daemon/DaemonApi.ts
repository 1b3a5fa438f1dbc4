import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Daemon, SwitchoverRefused } from './Daemon.js';
import { dashboardHtml } from './dashboardHtml.js';

const MAX_BODY = 64 * 1024;

/** True for loopback listen hosts (the only ones allowed without a token). */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\./.test(h);
}

/** Compares a presented bearer token with the configured one in constant time (equal-length digests). */
export function tokenMatches(presented: string, expected: string): boolean {
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * The daemon's HTTP API on node:http: `GET /healthz`, `/status`, `/metrics`,
 * `/events`, `/` (dashboard); `POST /pause`, `/resume`, `/switchover`
 * (bearer token). Every error is a JSON body `{ "error": "..." }`, and a
 * refused request changes nothing.
 */
export class DaemonApi {
  private server: Server | undefined;

  constructor(
    private readonly daemon: Daemon,
    private readonly token: string | undefined,
    private readonly signal: AbortSignal,
  ) {}

  /**
   * Listens on `host:port`.
   *
   * @throws when the host is not loopback and no token is configured.
   */
  async listen(host: string, port: number): Promise<number> {
    if (!isLoopbackHost(host) && this.token === undefined) {
      throw new Error(`refusing to listen on ${host} without an API token (set api.token or api.tokenEnv)`);
    }
    const server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => send(res, 500, { error: `internal error: ${(error as Error).message}` }));
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host.replace(/^\[|\]$/g, ''), () => resolve());
    });
    return (server.address() as AddressInfo).port;
  }

  /** Stops listening and drops open connections. */
  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const route = `${req.method} ${url.pathname}`;
    switch (route) {
      case 'GET /healthz':
        return send(res, 200, { ok: true, paused: this.daemon.paused });
      case 'GET /status':
        return send(res, 200, this.daemon.status());
      case 'GET /events': {
        const limit = Math.min(Math.max(Number(url.searchParams.get('limit') ?? 200) || 200, 1), 10_000);
        return send(res, 200, { events: this.daemon.events.toArray().slice(-limit).map(({ step: _s, ...e }) => ({ ...e, time: new Date(e.t).toISOString() })) });
      }
      case 'GET /metrics': {
        res.writeHead(200, { 'content-type': this.daemon.metrics.contentType });
        res.end(await this.daemon.metrics.render());
        return;
      }
      case 'GET /':
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(dashboardHtml);
        return;
      case 'POST /pause':
      case 'POST /resume':
      case 'POST /switchover':
        return this.mutate(route, req, res);
      default: {
        const known = ['/healthz', '/status', '/events', '/metrics', '/', '/pause', '/resume', '/switchover'];
        if (known.includes(url.pathname)) return send(res, 405, { error: `${req.method} not allowed on ${url.pathname}` });
        return send(res, 404, { error: `no such endpoint ${url.pathname}` });
      }
    }
  }

  private async mutate(route: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.token === undefined) return send(res, 403, { error: 'mutating endpoints are disabled: no API token is configured (api.token or api.tokenEnv)' });
    const header = req.headers.authorization ?? '';
    const match = /^Bearer (.+)$/.exec(header);
    if (!match || !tokenMatches(match[1]!, this.token)) {
      res.setHeader('www-authenticate', 'Bearer');
      return send(res, 401, { error: 'missing or wrong bearer token' });
    }
    let body: Record<string, unknown>;
    try {
      body = await readJson(req);
    } catch (error) {
      return send(res, 400, { error: (error as Error).message });
    }
    const who = `operator@${req.socket.remoteAddress ?? 'unknown'}`;
    const reason = typeof body['reason'] === 'string' ? body['reason'] : 'operator request';
    if (route === 'POST /pause') {
      this.daemon.pause(who, reason);
      return send(res, 200, { paused: true });
    }
    if (route === 'POST /resume') {
      this.daemon.resume(who, reason);
      return send(res, 200, { paused: false });
    }
    const database = body['database'];
    const target = body['target'];
    if (typeof database !== 'string' || database === '' || (target !== undefined && typeof target !== 'string')) {
      return send(res, 400, { error: 'expected a JSON body {"database": "<cluster>", "target"?: "<replica>"}' });
    }
    try {
      const started = this.daemon.switchover(who, database, target);
      return send(res, 202, { accepted: true, database, ...started });
    } catch (error) {
      if (error instanceof SwitchoverRefused) return send(res, error.status, { error: error.message });
      throw error;
    }
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(`${JSON.stringify(body)}\n`);
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new Error('request body too large');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`malformed JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('expected a JSON object');
  return value as Record<string, unknown>;
}
