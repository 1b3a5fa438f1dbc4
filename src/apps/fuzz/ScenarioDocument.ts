/**
 * A scenario as its file says it (spec sections 1-5): plain data, durations
 * written as `<n>s` strings, ready for YAML. `lifeboat fuzz` generates and
 * shrinks these, and parses each through the replay loader before replaying
 * it, so what is written to disk is exactly what was replayed.
 */
export interface ScenarioDocument {
  name: string;
  description?: string;
  duration: string;
  seed: number;
  topology: {
    providers: { id: string; latency?: Record<string, string>; regions: { id: string; zones: string[] }[] }[];
    groups: { id: string; provider: string; region: string; nodes: Record<string, number>; minHealthy?: number }[];
    databases: {
      id: string;
      engine: string;
      primary: { provider: string; region: string; zone: string };
      replicas: { id: string; provider: string; region: string; zone: string; lag?: string; mode: 'sync' | 'async' }[];
      writes: number;
      endpoint?: { provider: string; name: string; ttl: string };
    }[];
    loadBalancers: { id: string; provider: string; region: string; group: string }[];
  };
  policy?: Record<string, unknown>;
  /** Each item has `at` and exactly one kind key (spec 4). */
  events: ({ at: string } & Record<string, unknown>)[];
  expect?: Record<string, unknown>[];
}

/** Seconds as a duration string of the scenario format. */
export function seconds(n: number): string {
  return `${Math.round(n)}s`;
}
