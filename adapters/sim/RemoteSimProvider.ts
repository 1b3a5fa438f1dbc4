import type { CallOptions, Provider } from '../../src/core/contract/Provider.js';
import type { Capabilities, CreateNodeRequest, CreateReplicaRequest, DatabaseFilter, DatabaseInstance, Node, NodeFilter, Region, Size, Zone } from '../../src/core/contract/types.js';
import { postSimCall } from './postSimCall.js';
import type { SimMethod, SimProvidersResponse } from './simWire.js';

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
    return postSimCall(new URL('/call', this.url).href, { provider: this.id, method, args }, options.signal, this.id, method) as Promise<T>;
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
