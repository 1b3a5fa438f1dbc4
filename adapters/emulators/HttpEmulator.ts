import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { EmulatorHandle } from './EmulatorHandle.js';
import type { EmulatorStats } from './EmulatorStats.js';
import type { WireFault, WireFaultHook, WireRequestInfo } from './WireFault.js';

/** Bodies larger than this are refused: every request the adapters send is a few kilobytes. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

/** A request as a protocol front end receives it. */
export interface WireRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
  /** Fires when the client gives up (closes the connection) or the emulator closes. */
  readonly signal: AbortSignal;
}

/** A complete answer. */
export interface WireResponse {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** Marks the time a front end spends waiting on the world (see {@link EmulatorStats.waitingOnWorld}). */
export type WorldWait = <T>(pending: Promise<T>) => Promise<T>;

/** The protocol-specific half of an emulator: what the wire means, in the service's own formats. */
export interface WireFrontEnd {
  /** Names the request (service, action, region) before anything else, for counters and fault hooks. */
  classify(request: WireRequest): WireRequestInfo;
  /** Answers one request. Must not throw for anything the client did; {@link renderError} is the fallback. */
  handle(request: WireRequest, info: WireRequestInfo, world: WorldWait): Promise<WireResponse>;
  /** An error answer in the service's own format. */
  renderError(info: WireRequestInfo, status: number, code: string, message: string): WireResponse;
}

/**
 * The transport half shared by every emulator: a plain HTTP server on
 * loopback that counts requests, applies the fault hook, cancels the world
 * call when the client goes away, and closes cleanly. It never retries,
 * never delays an answer, and never reads a clock: a request is answered as
 * soon as the world has answered it, so real HTTP and virtual time coexist.
 */
export class HttpEmulator implements EmulatorHandle {
  private readonly server: http.Server;
  private readonly sockets = new Set<Socket>();
  private readonly live = new Set<AbortController>();
  private readonly counts = new Map<string, number>();
  private readonly waiters: (() => void)[] = [];
  private hook: WireFaultHook | undefined;
  private total = 0;
  private inFlight = 0;
  private waiting = 0;
  private abandoned = 0;
  private closed: Promise<void> | undefined;
  private address: AddressInfo | undefined;

  constructor(private readonly frontEnd: WireFrontEnd) {
    this.server = http.createServer((req, res) => void this.serve(req, res));
    // Keep-alive sockets are ours to close: without this, close() would wait for the client's idle timeout.
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  /** Listens on `host` (loopback by default) and an ephemeral port unless one is given. */
  async listen(host = '127.0.0.1', port = 0): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.address = this.server.address() as AddressInfo;
    return this;
  }

  get host(): string {
    return this.requireAddress().address;
  }

  get port(): number {
    return this.requireAddress().port;
  }

  get endpoint(): string {
    const host = this.host.includes(':') ? `[${this.host}]` : this.host;
    return `http://${host}:${this.port}`;
  }

  get requestCount(): number {
    return this.total;
  }

  requestsFor(action: string): number {
    let count = 0;
    for (const [key, value] of this.counts) if (key.slice(key.indexOf(':') + 1) === action) count += value;
    return count;
  }

  stats(): EmulatorStats {
    return {
      requests: this.total,
      byAction: Object.fromEntries(this.counts),
      inFlight: this.inFlight,
      waitingOnWorld: this.waiting,
      abandoned: this.abandoned,
      openConnections: this.sockets.size,
    };
  }

  setFaultHook(hook: WireFaultHook | undefined): void {
    this.hook = hook;
  }

  settled(): Promise<void> {
    if (this.inFlight === this.waiting) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  close(): Promise<void> {
    this.closed ??= new Promise<void>((resolve) => {
      for (const controller of this.live) controller.abort(new Error('emulator closed'));
      this.server.close(() => resolve());
      this.server.closeAllConnections();
      for (const socket of this.sockets) socket.destroy();
    });
    return this.closed;
  }

  private requireAddress(): AddressInfo {
    if (this.address === undefined) throw new Error('the emulator is not listening yet');
    return this.address;
  }

  private async serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    this.total++;
    this.inFlight++;
    const controller = new AbortController();
    this.live.add(controller);
    res.on('close', () => {
      if (!res.writableFinished) {
        this.abandoned++;
        controller.abort(new Error('the client closed the connection'));
      }
      this.live.delete(controller);
      this.inFlight--;
      this.wake();
    });
    try {
      const body = await readBody(req);
      const request: WireRequest = {
        method: req.method ?? 'GET',
        url: new URL(req.url ?? '/', 'http://emulator.invalid'),
        headers: req.headers,
        body,
        signal: controller.signal,
      };
      const info = this.frontEnd.classify(request);
      const key = `${info.service}:${info.action}`;
      this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
      const fault = this.hook?.(info);
      if (fault !== undefined) return await this.inject(fault, info, req, res, controller.signal);
      const response = await this.frontEnd.handle(request, info, (pending) => this.onWorld(pending));
      send(res, response);
    } catch (error) {
      if (controller.signal.aborted) return;
      const message = error instanceof Error ? error.message : String(error);
      send(res, { status: 500, contentType: 'text/plain', body: `emulator failure: ${message}` });
    }
  }

  private async inject(
    fault: WireFault,
    info: WireRequestInfo,
    req: http.IncomingMessage,
    res: http.ServerResponse,
    signal: AbortSignal,
  ): Promise<void> {
    switch (fault.kind) {
      case 'error':
        return send(res, this.frontEnd.renderError(info, fault.status, fault.code, fault.message));
      case 'reset':
        req.socket.destroy();
        return;
      case 'hang':
        // A hung answer waits for the client like a hung world call does, so it counts as waiting.
        await this.onWorld(new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true })));
        return;
    }
  }

  private async onWorld<T>(pending: Promise<T>): Promise<T> {
    this.waiting++;
    this.wake();
    try {
      return await pending;
    } finally {
      this.waiting--;
    }
  }

  private wake(): void {
    if (this.inFlight !== this.waiting) return;
    for (const resolve of this.waiters.splice(0)) resolve();
  }
}

function send(res: http.ServerResponse, response: WireResponse): void {
  if (res.destroyed || res.headersSent) return;
  res.writeHead(response.status, {
    'content-type': response.contentType,
    'content-length': Buffer.byteLength(response.body),
    ...response.headers,
  });
  res.end(response.body);
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error(`request body larger than ${MAX_BODY_BYTES} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
