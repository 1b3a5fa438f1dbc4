import type { Node, NodeState } from '../../src/core/contract/types.js';
import type { SimZone } from './SimZone.js';
import type { Writable } from './Writable.js';

/** A compute node of the simulated world. */
export class SimNode {
  state: NodeState = 'pending';
  /** The provider's own state name (`shutting-down` shows as `stopping`). */
  rawState = 'pending';
  /** Bumped by every transition; an effect scheduled under an older generation does nothing. */
  generation = 0;
  /** A destroy was accepted: nothing but termination can happen to it any more. */
  destroying = false;
  private cached: Node | undefined;

  constructor(
    readonly id: string,
    readonly name: string,
    readonly provider: string,
    readonly zone: SimZone,
    readonly group: string | undefined,
    readonly size: string | undefined,
    /** Virtual ms. */
    readonly createdAt: number,
  ) {}

  set(state: NodeState, rawState: string = state): void {
    this.state = state;
    this.rawState = rawState;
    this.cached = undefined;
  }

  /** Running, and nothing physical stops it from answering (observer partitions and degradation aside). */
  get up(): boolean {
    return this.state === 'running' && !this.zone.cutOff;
  }

  /** A frozen snapshot, rebuilt only after a change (listing 10,000 nodes must not allocate 10,000 objects). */
  snapshot(): Node {
    if (this.cached) return this.cached;
    const node: Writable<Node> = {
      id: this.id,
      name: this.name,
      provider: this.provider,
      region: this.zone.region,
      zone: this.zone.id,
      state: this.state,
      endpoint: `sim://${this.id}`,
      createdAt: this.createdAt,
      extra: Object.freeze({ rawState: this.rawState }),
    };
    if (this.group !== undefined) node.group = this.group;
    if (this.size !== undefined) node.size = this.size;
    this.cached = Object.freeze(node);
    return this.cached;
  }
}
