import { ProviderError } from '../../../core/contract/errors.js';
import type { Prober, ProbeResult, ProbeTarget } from '../../../core/contract/Prober.js';
import type { CallOptions, Provider } from '../../../core/contract/Provider.js';
import type { Capabilities, CreateNodeRequest, CreateReplicaRequest, DatabaseFilter, DatabaseInstance, Node, NodeFilter, Region, Size, Zone } from '../../../core/contract/types.js';
import type { SimCallResponse, SimMethod, SimProvidersResponse } from './simWire.js';

async function post(url: string, body: unknown, signal: AbortSignal, provider: string, operation: string): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' }, signal });
  } catch (error) {
    if (signal.aborted) throw new ProviderError('timeout', `${operation} cut off`, { provider, operation, cause: error });
    throw new ProviderError('retryable', `sim server unreachable: ${(error as Error).message}`, { provider, operation, cause: error });
  }
  let parsed: SimCallResponse;
  try {
    parsed = (await response.json()) as SimCallResponse;
  } catch (error) {
    if (signal.aborted) throw new ProviderError('timeout', `${operation} cut off`, { provider, operation, cause: error });
    throw new ProviderError('retryable', `sim server sent a bad answer (${response.status})`, { provider, operation, cause: error });
  }
  if (parsed.ok) return parsed.value;
  const { kind, message, code, retryAfterMs } = parsed.error;
  throw new ProviderError(kind, message, { provider, operation, ...(code !== undefined ? { code } : {}), ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });
}

/**
 * A provider of a world served by `lifeboat sim-serve` in another process
 * ({@link SimServer}). The world outlives the daemon, which is what crash
 * tests need. Differs from the in-process sim only by the HTTP hop.
 */
export class RemoteSimProvider implements Provider {
  private constructor(
    private readonly url: string,
    readonly id: string,
    readonly capabilities: Capabilities,
  ) {}

  /** One provider per provider of the served world. */
  static async connect(url: string, signal: AbortSignal): Promise<RemoteSimProvider[]> {
    const response = await fetch(new URL('/providers', url), { signal });
    if (!response.ok) throw new Error(`sim server at ${url} answered ${response.status}`);
    const { providers } = (await response.json()) as SimProvidersResponse;
    return providers.map((p) => new RemoteSimProvider(url, p.id, p.capabilities));
  }

  private call<T>(method: SimMethod, args: unknown[], options: CallOptions): Promise<T> {
    return post(new URL('/call', this.url).href, { provider: this.id, method, args }, options.signal, this.id, method) as Promise<T>;
  }

  listLocations(options: CallOptions): Promise<Region[]> {
    return this.call('listLocations', [], options);
  }
  zoneStatus(query: { region?: string }, options: CallOptions): Promise<Zone[]> {
    return this.call('zoneStatus', [query], options);
  }
  listSizes(query: { region?: string }, options: CallOptions): Promise<Size[]> {
    return this.call('listSizes', [query], options);
  }
  listNodes(filter: NodeFilter, options: CallOptions): Promise<Node[]> {
    return this.call('listNodes', [filter], options);
  }
  createNode(request: CreateNodeRequest, options: CallOptions): Promise<Node> {
    return this.call('createNode', [request], options);
  }
  async rebootNode(id: string, options: CallOptions): Promise<void> {
    await this.call('rebootNode', [id], options);
  }
  async startNode(id: string, options: CallOptions): Promise<void> {
    await this.call('startNode', [id], options);
  }
  async stopNode(id: string, options: CallOptions): Promise<void> {
    await this.call('stopNode', [id], options);
  }
  async destroyNode(id: string, options: CallOptions): Promise<void> {
    await this.call('destroyNode', [id], options);
  }
  listDatabases(filter: DatabaseFilter, options: CallOptions): Promise<DatabaseInstance[]> {
    return this.call('listDatabases', [filter], options);
  }
  createReplica(request: CreateReplicaRequest, options: CallOptions): Promise<DatabaseInstance> {
    return this.call('createReplica', [request], options);
  }
  async promoteReplica(id: string, options: CallOptions): Promise<void> {
    await this.call('promoteReplica', [id], options);
  }
  async repointReplica(id: string, upstream: string, options: CallOptions): Promise<void> {
    await this.call('repointReplica', [id, upstream], options);
  }
  async rebootDatabase(id: string, options: CallOptions): Promise<void> {
    await this.call('rebootDatabase', [id], options);
  }
  async stopDatabase(id: string, options: CallOptions): Promise<void> {
    await this.call('stopDatabase', [id], options);
  }
  async destroyDatabase(id: string, options: CallOptions): Promise<void> {
    await this.call('destroyDatabase', [id], options);
  }
}

/**
 * The served world's probes. Like the in-process prober, a round with a
 * timed-out target resolves only when the round's signal fires.
 */
export class RemoteSimProber implements Prober {
  constructor(private readonly url: string) {}

  async probe(targets: readonly ProbeTarget[], signal: AbortSignal): Promise<ProbeResult[]> {
    let results: ProbeResult[];
    try {
      results = (await post(new URL('/probe', this.url).href, { targets }, signal, 'sim', 'probe')) as ProbeResult[];
    } catch {
      results = targets.map(() => ({ ok: false, failure: 'timeout' as const }));
    }
    if (!results.some((r) => !r.ok && r.failure === 'timeout') || signal.aborted) return results;
    return new Promise((resolve) => signal.addEventListener('abort', () => resolve(results), { once: true }));
  }
}
