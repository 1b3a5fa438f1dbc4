/**
 * The flattened parameters of an AWS Query request (`Filter.1.Value.2=x`),
 * with helpers to read the list shapes EC2 and RDS use.
 */
export class QueryParams {
  private readonly values = new Map<string, string>();

  constructor(body: string) {
    for (const [key, value] of new URLSearchParams(body)) this.values.set(key, value);
  }

  get(name: string): string | undefined {
    return this.values.get(name);
  }

  /** An integer parameter, or `undefined` when absent; `NaN` when malformed. */
  int(name: string): number | undefined {
    const value = this.values.get(name);
    return value === undefined ? undefined : /^-?\d+$/.test(value) ? Number(value) : Number.NaN;
  }

  /** `prefix.1`, `prefix.2`, ... in order, stopping at the first gap (`InstanceId.N`). */
  list(prefix: string): string[] {
    const out: string[] = [];
    for (let i = 1; ; i++) {
      const value = this.values.get(`${prefix}.${i}`);
      if (value === undefined) return out;
      out.push(value);
    }
  }

  /** Indexes `1..n` for which `prefix.N.<field>` exists (`Filter.N.Name`), stopping at the first gap. */
  indexes(prefix: string, field: string): number[] {
    const out: number[] = [];
    for (let i = 1; this.values.has(`${prefix}.${i}.${field}`); i++) out.push(i);
    return out;
  }

  /** Every parameter name (for "unknown parameter" checks). */
  names(): IterableIterator<string> {
    return this.values.keys();
  }
}
