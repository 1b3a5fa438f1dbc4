import { resolvePolicy, type PolicyOverrides } from '../../../core/controller/Policy.js';
import { formatSeconds } from '../../../core/util/duration.js';
import type { PathSegment } from './formatPath.js';
import type { Scenario } from './Scenario.js';

/**
 * Limits on the size of a scenario, checked after it is parsed and before
 * anything is replayed. A real game day is hours of virtual time, tens of
 * nodes and tens of events; each limit is orders of magnitude above that,
 * and low enough that a replay within them takes at most a minute or two
 * and under 200 MB on a small machine (measurements in the README's replay
 * section). Past them, a valid but huge scenario (1000 days, ten million
 * nodes) would run for hours and take gigabytes without a word.
 */
export const SCENARIO_LIMITS = Object.freeze({
  /**
   * Virtual time: three days. The longest shipped scenario is 24 h, and the
   * worst published zone outages were mostly recovered within three days.
   * The harness's memory grows with virtual time (about 50 MB a day), so a
   * week already passes 200 MB.
   */
  durationSeconds: 3 * 24 * 3600,
  /** Nodes of all groups, each group counted at its initial size or `minHealthy`, whichever is larger. */
  nodes: 1_000,
  /** Database instances (primaries and replicas). */
  databaseInstances: 200,
  /** Timed events. */
  events: 5_000,
  /**
   * Probe checks the controller makes: probe rounds over the whole duration
   * (one every `probeInterval`) times the nodes and database instances
   * probed in each. This is what replay time and memory grow with: about
   * 2.5 million checks per second on a small machine, so 50 million is
   * about 20 s (more while the controller probes faster during an outage).
   */
  probeChecks: 50_000_000,
});

/** One limit a scenario is over, with the key path it is about. */
export interface ScenarioLimitIssue {
  readonly path: readonly PathSegment[];
  readonly message: string;
}

/**
 * The limits `scenario` is over, given the policy it will be replayed with
 * (its own `policy`, then `extra` such as `--policy FILE`). Empty when it is
 * within every limit. Pure.
 */
export function scenarioLimitIssues(scenario: Scenario, extra: PolicyOverrides = {}): ScenarioLimitIssue[] {
  const issues: ScenarioLimitIssue[] = [];
  const over = (path: PathSegment[], what: string, limit: string, why: string) =>
    issues.push({ path, message: `${what}, over the scenario limit of ${limit} (${why}); nothing is replayed` });

  if (scenario.durationSeconds > SCENARIO_LIMITS.durationSeconds) {
    over(['duration'], `${formatSeconds(scenario.durationSeconds)} of virtual time`, formatSeconds(SCENARIO_LIMITS.durationSeconds), 'replay time grows with duration');
  }
  const nodes = scenario.topology.groups.reduce((sum, g) => sum + Math.max(g.minHealthy, Object.values(g.nodes).reduce((a, b) => a + b, 0)), 0);
  if (nodes > SCENARIO_LIMITS.nodes) {
    over(['topology', 'groups'], `${nodes} nodes in node groups (initial size or minHealthy, the larger)`, `${SCENARIO_LIMITS.nodes} nodes`, 'every node is simulated and probed');
  }
  const instances = scenario.topology.databases.reduce((sum, d) => sum + 1 + d.replicas.length, 0);
  if (instances > SCENARIO_LIMITS.databaseInstances) {
    over(['topology', 'databases'], `${instances} database instances`, `${SCENARIO_LIMITS.databaseInstances} instances`, 'every instance is simulated and probed');
  }
  if (scenario.events.length > SCENARIO_LIMITS.events) {
    over(['events'], `${scenario.events.length} events`, `${SCENARIO_LIMITS.events} events`, 'every event is scheduled and reported');
  }
  // Only worth estimating when each part is within its own limit: one message per cause.
  if (issues.length === 0) {
    const { probeInterval } = resolvePolicy(scenario.policy, extra);
    const checks = Math.ceil(scenario.durationSeconds / probeInterval) * (nodes + instances);
    if (checks > SCENARIO_LIMITS.probeChecks) {
      over(
        ['duration'],
        `about ${Math.round(checks / 1e6)} million probe checks (${formatSeconds(scenario.durationSeconds)} / probeInterval ${probeInterval}s x ${nodes + instances} nodes and instances)`,
        `${SCENARIO_LIMITS.probeChecks / 1e6} million probe checks`,
        'replay time and memory grow with them; shorten the duration or the topology',
      );
    }
  }
  return issues;
}
