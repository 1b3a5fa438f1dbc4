import type { ClusterMemory, ControllerMemory } from './ControllerMemory.js';

/** The id-keyed records of {@link ControllerMemory}. */
type MapField = { [F in keyof ControllerMemory]: ControllerMemory[F] extends ReadonlyMap<string, unknown> ? F : never }[keyof ControllerMemory];
type ValueOf<F extends MapField> = ControllerMemory[F] extends ReadonlyMap<string, infer V> ? V : never;

/**
 * Copy-on-write changes to one {@link ControllerMemory}: a record is copied
 * the first time it changes, so a reducer that changes nothing returns the
 * very memory it was given, and the memory it was given never changes.
 */
export class MemoryDraft {
  private readonly copies = new Map<MapField, Map<string, unknown>>();
  private seq: number;

  constructor(private readonly base: ControllerMemory) {
    this.seq = base.nodeSeq;
  }

  /** The record as changed so far. */
  get<F extends MapField>(field: F): ReadonlyMap<string, ValueOf<F>> {
    return (this.copies.get(field) ?? this.base[field]) as ReadonlyMap<string, ValueOf<F>>;
  }

  set<F extends MapField>(field: F, key: string, value: ValueOf<F>): void {
    if (this.get(field).get(key) === value) return;
    this.writable(field).set(key, value);
  }

  delete<F extends MapField>(field: F, key: string): void {
    if (!this.get(field).has(key)) return;
    this.writable(field).delete(key);
  }

  /** Replaces cluster `id`'s record with what `change` makes of it (nothing when it has none). */
  updateCluster(id: string, change: (cluster: ClusterMemory) => ClusterMemory): void {
    const cluster = this.get('clusters').get(id);
    if (cluster) this.set('clusters', id, change(cluster));
  }

  get nodeSeq(): number {
    return this.seq;
  }

  set nodeSeq(value: number) {
    this.seq = value;
  }

  /** The new memory; the one the draft started from when nothing changed. */
  finish(): ControllerMemory {
    if (this.copies.size === 0 && this.seq === this.base.nodeSeq) return this.base;
    const next = { ...this.base, nodeSeq: this.seq } as Record<string, unknown>;
    for (const [field, map] of this.copies) next[field] = map;
    return next as unknown as ControllerMemory;
  }

  private writable<F extends MapField>(field: F): Map<string, ValueOf<F>> {
    let copy = this.copies.get(field);
    if (!copy) this.copies.set(field, (copy = new Map(this.base[field] as ReadonlyMap<string, unknown>)));
    return copy as Map<string, ValueOf<F>>;
  }
}
