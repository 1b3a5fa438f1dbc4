import path from 'node:path';
import { ProviderError } from '../../src/core/contract/errors.js';
import type { DatabaseEndpoint, EndpointFilter } from '../../src/core/contract/types.js';
import type { DatabaseFleet } from './DatabaseFleet.js';
import type { EndpointRouter, EndpointRouterChoice, RouterServer } from './EndpointRouter.js';
import { HaproxyRouter } from './HaproxyRouter.js';
import { KeyedMutex } from './KeyedMutex.js';
import type { LocalContext } from './LocalContext.js';
import { TcpForwarder } from './TcpForwarder.js';

/** Endpoint names: DNS-like, so that they read like the names clients use elsewhere. */
const NAME_PATTERN = /^[a-z0-9]([a-z0-9.-]{0,98}[a-z0-9])?$/;

/** One endpoint: its router and the instance it was last pointed at. */
interface EndpointRecord {
  readonly name: string;
  readonly database: string;
  readonly router: EndpointRouter;
  target: string;
}

/** What the endpoint fleet needs besides the context. */
export interface EndpointFleetEnvironment {
  readonly databases: DatabaseFleet;
  /** Folder of the routers' configs, sockets and logs. */
  readonly routerDir: string;
  /** The HAProxy executable, when installed. */
  readonly haproxy: string | undefined;
  readonly choice: EndpointRouterChoice;
}

/**
 * The `local` adapter's writer endpoints: per endpoint, one router (a real
 * HAProxy, or the built-in {@link TcpForwarder} where HAProxy is missing or
 * not wanted) listening on 127.0.0.1 in front of its cluster's servers.
 */
export class EndpointFleet {
  private readonly records = new Map<string, EndpointRecord>();
  private readonly locks = new KeyedMutex();
  private sequence = 0;

  constructor(
    private readonly ctx: LocalContext,
    private readonly env: EndpointFleetEnvironment,
  ) {}

  /** Which router new endpoints get: HAProxy when installed, unless the forwarder was asked for. */
  get routerKind(): 'haproxy' | 'forwarder' {
    return this.env.choice !== 'forwarder' && this.env.haproxy !== undefined ? 'haproxy' : 'forwarder';
  }

  /**
   * Creates endpoint `name` for cluster `database`, pointed at its primary.
   * Idempotent by name for the same database.
   */
  create(request: { name: string; database: string }, operation: string, signal: AbortSignal): Promise<DatabaseEndpoint> {
    if (!NAME_PATTERN.test(request.name)) throw this.invalid(operation, `endpoint name ${JSON.stringify(request.name)} must match ${NAME_PATTERN.source}`);
    return this.locks.run(request.name, async () => {
      const existing = this.records.get(request.name);
      if (existing) {
        if (existing.database !== request.database) {
          throw this.invalid(operation, `endpoint ${request.name} already serves database ${existing.database}`);
        }
        return this.toEndpoint(existing, await existing.router.served(signal));
      }
      const members = this.env.databases.members(request.database);
      if (members.length === 0) throw this.invalid(operation, `unknown database (cluster) ${JSON.stringify(request.database)}`);
      const primary = members.find((member) => member.role === 'primary' && member.port !== undefined);
      if (!primary) throw new ProviderError('retryable', `${operation}: database ${request.database} has no running primary yet`, this.meta(operation));
      const servers = members.flatMap((member): RouterServer[] => (member.port === undefined ? [] : [{ id: member.id, port: member.port }]));
      const target = { id: primary.id, port: primary.port! };
      const router = await this.startRouter(servers, target, signal);
      const record: EndpointRecord = { name: request.name, database: request.database, router, target: target.id };
      this.records.set(record.name, record);
      this.ctx.log(`endpoint ${record.name} (${router.kind}) listens on 127.0.0.1:${router.port}, pointed at ${target.id}`);
      return this.toEndpoint(record, await router.served(signal));
    });
  }

  /** Endpoints matching `filter`, each with the instance its router serves right now. */
  async list(filter: EndpointFilter, signal: AbortSignal): Promise<DatabaseEndpoint[]> {
    const names = filter.names ? new Set(filter.names) : undefined;
    const records = [...this.records.values()].filter(
      (record) => (!names || names.has(record.name)) && (filter.database === undefined || record.database === filter.database),
    );
    return Promise.all(records.map(async (record) => this.toEndpoint(record, await record.router.served(signal))));
  }

  /**
   * Points `name` at instance `target` of its cluster: the router serves it
   * before this resolves and has cut connections to every other instance.
   *
   * A promotion of `target` already under way is waited for first: the
   * controller sends both calls together (on a cloud, DNS propagates while
   * the promotion completes), but a local router switches at once, and
   * switching before the new primary takes writes would only hand clients
   * read-only errors from a server still in recovery.
   */
  update(name: string, target: string, operation: string, signal: AbortSignal): Promise<void> {
    const record = this.records.get(name);
    if (!record) throw this.invalid(operation, `unknown endpoint ${JSON.stringify(name)}`);
    if (!this.env.databases.members(record.database).some((candidate) => candidate.id === target)) {
      throw this.invalid(operation, `${JSON.stringify(target)} is not an instance of database ${record.database}`);
    }
    // Queued now, behind a promotion that was called first (the Executor starts it before this one).
    const promoted = this.env.databases.settled(target);
    return this.locks.run(name, async () => {
      await promoted;
      const member = this.env.databases.members(record.database).find((candidate) => candidate.id === target);
      if (!member) throw this.invalid(operation, `${JSON.stringify(target)} is not an instance of database ${record.database}`);
      if (member.port === undefined) {
        throw new ProviderError('retryable', `${operation}: ${target} has no port yet (it is starting)`, this.meta(operation));
      }
      await record.router.point({ id: target, port: member.port }, signal);
      record.target = target;
    });
  }

  /** Host and port of endpoint `name`, and which router serves it. */
  address(name: string, operation: string): { host: string; port: number; router: 'haproxy' | 'forwarder' } {
    const record = this.records.get(name);
    if (!record) throw this.invalid(operation, `unknown endpoint ${JSON.stringify(name)}`);
    return { host: '127.0.0.1', port: record.router.port, router: record.router.kind };
  }

  /** Stops every router. */
  async closeAll(): Promise<void> {
    await Promise.all([...this.records.values()].map((record) => record.router.close()));
  }

  /** Last-chance clean-up on process exit: synchronous signals only. */
  killAll(): void {
    for (const record of this.records.values()) record.router.kill();
  }

  private async startRouter(servers: readonly RouterServer[], target: RouterServer, signal: AbortSignal): Promise<EndpointRouter> {
    const allocatePort = () => this.ctx.allocatePort('endpoint');
    if (this.routerKind === 'forwarder') return TcpForwarder.start([target], allocatePort);
    // Short file names: a Unix socket's path must fit in about 100 bytes.
    const base = `ep${++this.sequence}`;
    return HaproxyRouter.start(
      {
        binary: this.env.haproxy!,
        configFile: path.join(this.env.routerDir, `${base}.cfg`),
        socketPath: path.join(this.env.routerDir, `${base}.sock`),
        logFile: path.join(this.ctx.logDir, `haproxy-${base}.log`),
        pidFile: path.join(this.ctx.pidDir, `haproxy-${base}.pid`),
        servers,
        target: target.id,
        clock: this.ctx.clock,
        allocatePort,
      },
      signal,
    );
  }

  private toEndpoint(record: EndpointRecord, served: readonly string[]): DatabaseEndpoint {
    return {
      name: record.name,
      provider: this.ctx.provider,
      database: record.database,
      // A router that serves nothing (or, briefly, two) still answers with the last instance it was pointed at.
      target: served.length === 1 ? served[0]! : record.target,
      // A proxy: nothing caches the answer.
      ttlSeconds: 0,
      extra: { router: record.router.kind, host: '127.0.0.1', port: record.router.port, served: [...served] },
    };
  }

  private meta(operation: string): { provider: string; operation: string } {
    return { provider: this.ctx.provider, operation };
  }

  private invalid(operation: string, message: string): ProviderError {
    return new ProviderError('invalid-input', `${operation}: ${message}`, this.meta(operation));
  }
}
