/** A Cloud DNS change the emulator accepted: which endpoint it points at which world instance. */
export interface DnsChangeRecord {
  readonly id: string;
  readonly endpoint: string;
  readonly target: string;
  readonly additions: readonly unknown[];
  readonly deletions: readonly unknown[];
}

/** Cloud DNS changes the emulator handed out, per managed zone, so `changes.get` finds them. Ids count up per zone, as Cloud DNS's do. */
export class DnsChangeStore {
  private readonly changes = new Map<string, DnsChangeRecord>();
  private readonly counters = new Map<string, number>();

  add(scope: string, change: Omit<DnsChangeRecord, 'id'>): DnsChangeRecord {
    const id = String((this.counters.get(scope) ?? 0) + 1);
    this.counters.set(scope, Number(id));
    const record = { ...change, id };
    this.changes.set(`${scope}/${id}`, record);
    return record;
  }

  get(scope: string, id: string): DnsChangeRecord | undefined {
    return this.changes.get(`${scope}/${id}`);
  }
}
