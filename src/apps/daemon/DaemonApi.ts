import type { DaemonEvent } from './DaemonEvent.js';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerOptions, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { hostname } from 'node:os';
import type { AddressInfo } from 'node:net';
import { ApiSetupError } from './api/ApiSetupError.js';
import { grants, roleFor, type ApiRole, type ApiTokens } from './api/ApiTokens.js';
import { HostAllowList } from './api/HostAllowList.js';
import { resolveListenAddress, type HostResolver } from './api/resolveListenAddress.js';
import { securityHeaders } from './api/securityHeaders.js';
import type { TlsCredentials } from './api/TlsCredentials.js';
import { answerHealthCheck, DEFAULT_MAX_PICTURE_AGE_SECONDS, isHealthCheckPath } from './api/healthCheckAnswer.js';
import { SystemClock } from '../../core/clock/SystemClock.js';
import type { Clock } from '../../core/clock/Clock.js';
import { Daemon } from './Daemon.js';
import { RequestRefused } from './RequestRefused.js';
import { dashboardHtml } from './dashboardHtml.js';

export { tokenMatches } from './api/ApiTokens.js';

/** Largest request body read (the API's bodies are a few hundred bytes). */
export const MAX_BODY_BYTES = 64 * 1024;
/** What a client may call itself in `operator` (the audit log's `who` is `<operator>@<address>`). */
const OPERATOR_NAME = /^[A-Za-z0-9._-]{1,64}$/;
/** Most events one `/events` answer holds. */
export const MAX_EVENTS = 10_000;

/** How the API is served, beyond its tokens. */
export interface DaemonApiOptions {
  /** Serve HTTPS with these files (reloaded by {@link DaemonApi.reloadTls}). */
  readonly tls?: TlsCredentials;
  /** Refuse to serve plain HTTP on an address that is not loopback (`api.requireTls`). */
  readonly requireTls?: boolean;
  /** More names the daemon is reached by, accepted in `Host` (`api.hosts`). */
  readonly hosts?: readonly string[];
  /** Default {@link MAX_BODY_BYTES}. */
  readonly maxBodyBytes?: number;
  /** Time a client has to send its request headers (default 10 s), then the whole request (default 30 s): slow clients cannot hold connections. */
  readonly headersTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
  /** Resolves the listen host (default: the system resolver). */
  readonly resolver?: HostResolver;
  /** The load balancers' health checks (`/primary`, `/replica`, `/zone`): see {@link HealthCheckOptions}. */
  readonly healthChecks?: HealthCheckOptions;
  /** The clock the health checks age the picture by (default the system clock; the daemon passes its own). */
  readonly clock?: Clock;
}

/** `api.healthChecks`. */
export interface HealthCheckOptions {
  /**
   * Serve the health-check paths without a token even when a read token is
   * configured (default false: they follow the read rule). For load
   * balancers that cannot send an `Authorization` header; they reveal only
   * whether the instance or zone named in the path is in or out.
   */
  readonly withoutToken?: boolean;
  /** Oldest picture they answer from (default {@link DEFAULT_MAX_PICTURE_AGE_SECONDS}); older, every check answers 503. */
  readonly maxPictureAgeSeconds?: number;
}

type Route = { readonly method: 'GET' | 'POST'; readonly needs?: ApiRole; readonly dashboard?: true };
const ROUTES: Readonly<Record<string, Route>> = {
  '/healthz': { method: 'GET' },
  '/': { method: 'GET', dashboard: true },
  '/status': { method: 'GET', needs: 'read' },
  '/events': { method: 'GET', needs: 'read' },
  '/metrics': { method: 'GET', needs: 'read' },
  '/pause': { method: 'POST', needs: 'operate' },
  '/resume': { method: 'POST', needs: 'operate' },
  '/switchover': { method: 'POST', needs: 'operate' },
  '/approve': { method: 'POST', needs: 'operate' },
};

/** A request the API refuses, with its status. */
class Refusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The daemon's HTTP(S) API on node:http: `GET`/`HEAD` `/healthz`, `/`
 * (dashboard), `/status`, `/events`, `/metrics` and the load balancers'
 * health checks `/primary/<database>/<instance>`,
 * `/replica/<database>/<instance>`, `/zone/<provider>/<zone>` (the `read`
 * role when a read token is configured); `POST /pause`, `/resume`
 * (`{"database"?, "reason"?, "operator"?}`), `/switchover`
 * (`{"database", "target"?}`) and `/approve` (`{"database"}`) (the
 * `operate` role). Every error is a JSON body `{ "error": "..." }`, a
 * refused request changes nothing, and every answer carries the
 * {@link securityHeaders}.
 */
export class DaemonApi {
  private server: Server | HttpsServer | undefined;
  private readonly tokens: ApiTokens;
  private hosts = new HostAllowList([]);
  private bound: string | undefined;
  private readonly clock: Clock;

  /**
   * @param tokens the tokens by role; a string is the `operate` token alone.
   */
  constructor(
    private readonly daemon: Daemon,
    tokens: ApiTokens | string | undefined,
    private readonly signal: AbortSignal,
    private readonly options: DaemonApiOptions = {},
  ) {
    this.tokens = typeof tokens === 'string' ? { operate: tokens } : (tokens ?? {});
    this.clock = options.clock ?? new SystemClock();
  }

  /**
   * Resolves `host`, checks every address it stands for, and listens on the
   * first one (not on the name again, so what was checked is what is bound).
   *
   * @returns the port.
   * @throws {@link ApiSetupError} when an address is not loopback and no
   * token is configured, or it is not loopback, `requireTls` is set and TLS
   * is not; or when the TLS files cannot be used.
   */
  async listen(host: string, port: number): Promise<number> {
    const { tls, requireTls } = this.options;
    const address = await resolveListenAddress(host, this.tokens.operate === undefined && this.tokens.read === undefined, this.options.resolver);
    if (!address.loopback && requireTls && !tls) {
      throw new ApiSetupError(`refusing to serve plain HTTP on ${host} (${address.addresses.join(', ')}, not loopback): api.requireTls is set; give api.tls.cert and api.tls.key`);
    }
    this.hosts = new HostAllowList(['localhost', host, hostname(), ...(this.options.hosts ?? [])]);
    const serverOptions: ServerOptions = {
      headersTimeout: this.options.headersTimeoutMs ?? 10_000,
      requestTimeout: this.options.requestTimeoutMs ?? 30_000,
      keepAliveTimeout: 5_000,
      connectionsCheckingInterval: Math.min(1_000, this.options.headersTimeoutMs ?? 1_000),
    };
    const handler = (req: IncomingMessage, res: ServerResponse) => {
      this.handle(req, res).catch((error: unknown) => {
        if (!(error instanceof Refusal)) return this.send(res, 500, { error: `internal error: ${(error as Error).message}` });
        // The rest of a body too large is never read: close the connection after answering instead of reading it to reuse the connection.
        if (error.status === 413) res.shouldKeepAlive = false;
        this.send(res, error.status, { error: error.message });
      });
    };
    const server = tls ? createHttpsServer({ ...serverOptions, ...tls.load() }, handler) : createHttpServer(serverOptions, handler);
    this.server = server;
    const bindTo = address.addresses[0]!;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, bindTo, () => resolve());
    });
    const bound = server.address() as AddressInfo;
    this.bound = `${tls ? 'https' : 'http'}://${bound.family === 'IPv6' ? `[${bound.address}]` : bound.address}:${bound.port}`;
    return bound.port;
  }

  /** Where the API listens (`http://127.0.0.1:7400`), once it does. */
  get url(): string | undefined {
    return this.bound;
  }

  /**
   * Reads the TLS files again and serves the new certificate to new
   * connections (on SIGHUP). Without TLS, nothing to do.
   *
   * @throws {@link ApiSetupError} when the files cannot be used; the old certificate stays in use.
   */
  reloadTls(): boolean {
    const { tls } = this.options;
    if (!tls || !this.server || !('setSecureContext' in this.server)) return false;
    this.server.setSecureContext(tls.load());
    return true;
  }

  /** Stops listening and drops open connections. */
  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!this.hosts.allows(req.headers.host)) throw new Refusal(421, 'this daemon does not serve the host named in the Host header (add it to api.hosts)');
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (isHealthCheckPath(url.pathname)) return this.healthCheck(url.pathname, req, res);
    const route = ROUTES[url.pathname];
    if (!route) throw new Refusal(404, `no such endpoint ${url.pathname}`);
    // HEAD is GET without the body (node:http leaves the body out).
    const method = req.method === 'HEAD' ? 'GET' : req.method;
    if (method !== route.method) {
      res.setHeader('allow', route.method === 'GET' ? 'GET, HEAD' : 'POST');
      throw new Refusal(405, `${req.method} not allowed on ${url.pathname}`);
    }
    if (route.needs) this.authorize(req, res, route.needs);
    switch (url.pathname) {
      case '/healthz':
        return this.send(res, 200, this.daemon.health());
      case '/status':
        return this.send(res, 200, this.daemon.status());
      case '/events': {
        const limit = eventLimit(url.searchParams.get('limit'));
        return this.send(res, 200, { events: this.daemon.events.toArray().slice(-limit).map((e) => ({ ...withoutStep(e), time: new Date(e.t).toISOString() })) });
      }
      case '/metrics': {
        res.writeHead(200, { ...securityHeaders('api', this.tls), 'content-type': this.daemon.metrics.contentType });
        res.end(await this.daemon.metrics.render());
        return;
      }
      case '/':
        res.writeHead(200, { ...securityHeaders('dashboard', this.tls), 'content-type': 'text/html; charset=utf-8' });
        res.end(dashboardHtml);
        return;
      default:
        return this.mutate(url.pathname, req, res);
    }
  }

  /**
   * A load balancer's health check: read-only, so it needs the read token
   * when one is configured, unless `healthChecks.withoutToken` is set. The
   * answer is the leader's picture (a follower's status is the one the
   * leader published).
   */
  private healthCheck(path: string, req: IncomingMessage, res: ServerResponse): void {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      throw new Refusal(405, `${req.method} not allowed on ${path}`);
    }
    const options = this.options.healthChecks ?? {};
    if (!options.withoutToken) this.authorize(req, res, 'read');
    const answer = answerHealthCheck(this.daemon.status(), path, this.clock.now(), options.maxPictureAgeSeconds ?? DEFAULT_MAX_PICTURE_AGE_SECONDS);
    this.send(res, answer.status, answer.body);
  }

  /** @throws {@link Refusal} 401 without a valid token, 403 when its role is not enough or the role has no token. */
  private authorize(req: IncomingMessage, res: ServerResponse, needs: ApiRole): void {
    if (needs === 'operate' && this.tokens.operate === undefined) {
      throw new Refusal(403, 'mutating endpoints are disabled: no operate token is configured (api.token or api.tokenEnv)');
    }
    if (needs === 'read' && this.tokens.read === undefined) return;
    const role = roleFor(req.headers.authorization, this.tokens);
    if (role === undefined) {
      res.setHeader('www-authenticate', 'Bearer');
      throw new Refusal(401, 'missing or wrong bearer token');
    }
    if (!grants(role, needs)) throw new Refusal(403, `the ${role} token cannot do this: it needs the ${needs} token`);
  }

  private async mutate(path: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readJson(req, this.options.maxBodyBytes ?? MAX_BODY_BYTES);
    const operator = body['operator'];
    if (operator !== undefined && (typeof operator !== 'string' || !OPERATOR_NAME.test(operator))) {
      throw new Refusal(400, 'operator: expected a name of 1 to 64 letters, digits, ".", "_" or "-"');
    }
    // The name a client gives is its own word; the address it came from is the API's.
    const who = `${operator ?? 'operator'}@${req.socket.remoteAddress ?? 'unknown'}`;
    const reason = body['reason'];
    if (reason !== undefined && (typeof reason !== 'string' || reason.length > 500)) throw new Refusal(400, 'reason: expected a string of at most 500 characters');
    const database = body['database'];
    const target = body['target'];
    if ((database !== undefined && (typeof database !== 'string' || database === '')) || (target !== undefined && typeof target !== 'string')) {
      throw new Refusal(400, 'database and target: expected non-empty strings');
    }
    const why = reason ?? 'operator request';
    try {
      switch (path) {
        case '/pause': {
          const pause = await this.daemon.pause(who, why, database);
          return this.send(res, 200, { paused: true, ...(database !== undefined ? { database } : {}), by: pause.by, at: new Date(pause.at).toISOString(), reason: pause.reason });
        }
        case '/resume':
          await this.daemon.resume(who, why, database);
          return this.send(res, 200, { paused: false, ...(database !== undefined ? { database } : {}) });
        case '/approve':
          if (database === undefined) throw new Refusal(400, 'expected a JSON body {"database": "<cluster>"}');
          return this.send(res, 200, { approved: true, database, ...this.daemon.approve(who, database) });
        default: {
          if (database === undefined) throw new Refusal(400, 'expected a JSON body {"database": "<cluster>", "target"?: "<replica>"}');
          const started = this.daemon.switchover(who, database, target);
          return this.send(res, 202, { accepted: true, database, ...started });
        }
      }
    } catch (error) {
      if (error instanceof RequestRefused) throw new Refusal(error.status, error.message);
      throw error;
    }
  }

  private get tls(): boolean {
    return this.options.tls !== undefined;
  }

  private send(res: ServerResponse, status: number, body: unknown): void {
    if (res.headersSent) return;
    res.writeHead(status, { ...securityHeaders('api', this.tls), 'content-type': 'application/json' });
    res.end(`${JSON.stringify(body)}\n`);
  }
}

/** The `limit` of `/events`: default 200, else a whole number from 1 to {@link MAX_EVENTS}. @throws {@link Refusal} 400 otherwise. */
function eventLimit(value: string | null): number {
  if (value === null) return 200;
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > MAX_EVENTS) {
    throw new Refusal(400, `limit: expected a whole number from 1 to ${MAX_EVENTS}, got ${JSON.stringify(value)}`);
  }
  return Number(value);
}

/**
 * Reads a JSON object body of at most `max` bytes: a larger declared
 * `Content-Length` is refused before any byte is read, a larger chunked body
 * as soon as it passes the limit.
 *
 * @throws {@link Refusal} 413 or 400.
 */
async function readJson(req: IncomingMessage, max: number): Promise<Record<string, unknown>> {
  const tooLarge = () => new Refusal(413, `request body too large (at most ${max} bytes)`);
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > max) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > max) throw tooLarge();
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Refusal(400, `malformed JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Refusal(400, 'expected a JSON object');
  return value as Record<string, unknown>;
}

/** An event as `/events` shows it: a step's details are in `/status` and the audit log, not repeated here. */
function withoutStep(event: DaemonEvent): Omit<DaemonEvent, 'step'> {
  if (!('step' in event)) return event;
  const { step: _step, ...rest } = event;
  return rest;
}
