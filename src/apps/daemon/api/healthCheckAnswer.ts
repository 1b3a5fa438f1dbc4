import type { DaemonStatus } from '../DaemonStatus.js';

/**
 * Oldest picture the health checks answer from by default (seconds). The
 * leader observes every `probeInterval` and publishes every ttl/5; a
 * takeover after a leader dies takes about ttl + 1 s (11 s with the
 * defaults) plus the new leader's first observation. 30 s rides through a
 * takeover, and stops vouching for a primary once nobody has looked for
 * that long (a follower cut off from etcd while another daemon fails the
 * database over must not keep sending writes to the old primary).
 */
export const DEFAULT_MAX_PICTURE_AGE_SECONDS = 30;

/** The three checks, each `/<kind>/<a>/<b>`. */
export type HealthCheckKind = 'primary' | 'replica' | 'zone';

/** What a health-check path answers: 200 (in), 503 (out, with the reason) or 404 (unknown name). */
export interface HealthCheckAnswer {
  readonly status: 200 | 404 | 503;
  readonly body: {
    readonly check: HealthCheckKind;
    /** The two names of the path: database and instance, or provider and zone. */
    readonly target: readonly [string, string];
    readonly ok: boolean;
    readonly reason: string;
    /** The daemon whose picture this is (the leader). */
    readonly leader: string | undefined;
    readonly observedAt: string | undefined;
  };
}

/** Whether `path` is a health-check path (`/primary/...`, `/replica/...`, `/zone/...`). */
export function isHealthCheckPath(path: string): boolean {
  return /^\/(primary|replica|zone)(\/|$)/.test(path);
}

/**
 * Answers a load balancer's health check (Patroni's `GET /primary`
 * pattern) from the leader's picture, `status` (a follower's is the
 * leader's published one):
 *
 * - `/primary/<database>/<instance>`: 200 only when the controller holds
 *   `instance` as the database's primary, no promotion or switchover is
 *   under way, and its latest probe found it up and taking writes.
 * - `/replica/<database>/<instance>`: 200 only for a listed replica that
 *   answers its probes, streams from its upstream, is not being promoted and
 *   whose zone is not impaired.
 * - `/zone/<provider>/<zone>`: 200 while the zone is healthy or degraded and
 *   the controller has not shifted any load balancer away from it; 503 while
 *   it is impaired or shifted away.
 *
 * Every check answers 503 when there is no picture yet or it is older than
 * `maxPictureAgeSeconds` (nobody is observing: the daemon stops vouching
 * rather than guess), and 404 for a name the picture does not hold.
 *
 * @param path the URL path, already known to be a health-check path.
 * @param now the daemon's clock (ms).
 */
export function answerHealthCheck(status: DaemonStatus, path: string, now: number, maxPictureAgeSeconds = DEFAULT_MAX_PICTURE_AGE_SECONDS): HealthCheckAnswer {
  const parts = path.split('/').slice(1);
  const check = parts[0] as HealthCheckKind;
  const names = parts.slice(1).map(decodeSegment);
  const target: [string, string] = [names[0] ?? '', names[1] ?? ''];
  const answer = (code: HealthCheckAnswer['status'], reason: string): HealthCheckAnswer => ({
    status: code,
    body: { check, target, ok: code === 200, reason, leader: status.leader.id, observedAt: status.observedAt },
  });
  if (names.length !== 2 || names.some((n) => n === undefined || n === '')) {
    return answer(404, `expected /${check}/${check === 'zone' ? '<provider>/<zone>' : '<database>/<instance>'}`);
  }
  if (status.observedAt === undefined) {
    return answer(503, status.leader.self ? 'this daemon has not observed the world yet' : `no picture from a leader yet (leader: ${status.leader.id ?? 'none'})`);
  }
  const age = (now - Date.parse(status.observedAt)) / 1000;
  if (!(age <= maxPictureAgeSeconds)) {
    return answer(503, `the leader's picture is ${Math.round(age)}s old (more than ${maxPictureAgeSeconds}s): nobody is observing, so this daemon does not vouch for any instance or zone`);
  }
  const [a, b] = target;
  if (check === 'zone') {
    const zone = status.zones.find((z) => z.provider === a && z.zone === b);
    if (!zone) return answer(404, `no zone ${b} of provider ${a} is watched`);
    if (zone.state === 'impaired') return answer(503, `zone ${b} is impaired: ${zone.reason}`);
    if (zone.shiftedAway && zone.shiftedAway.length > 0) return answer(503, `zone ${b} is ${zone.state}, and the controller has shifted ${zone.shiftedAway.join(', ')} away from it until it has recovered`);
    return answer(200, `zone ${b} is ${zone.state}`);
  }
  const database = status.databases.find((d) => d.database === a);
  if (!database) return answer(404, `no database ${a}`);
  const replica = database.replicas.find((r) => r.id === b);
  if (database.primary !== b && !replica) return answer(404, `${a} has no instance ${b}`);
  if (check === 'primary') {
    if (database.primary !== b) return answer(503, `${b} is not the primary of ${a}${database.primary ? ` (${database.primary} is)` : ''}`);
    if (database.promotion) return answer(503, `${a} is failing over from ${database.promotion.from} to ${database.promotion.target}`);
    if (database.switchover) return answer(503, `${a} is being switched over (${database.switchover.phase}) by ${database.switchover.requestedBy}`);
    const health = database.primaryHealth;
    if (!health || health.probe !== 'up' || !health.writable) {
      return answer(503, `${b} is the primary of ${a} but did not take writes at the latest probe (probe ${health?.probe ?? 'unlisted'}${health?.probe === 'up' ? ', read-only' : ''})`);
    }
    return answer(200, `${b} is the primary of ${a} and takes writes`);
  }
  if (!replica) return answer(503, `${b} is the primary of ${a}, not a replica`);
  if (database.promotion?.target === b) return answer(503, `${b} is being promoted`);
  if (replica.role !== 'replica') return answer(503, `${b} is listed as ${replica.role}, not a replica`);
  if (replica.probe !== undefined && replica.probe !== 'up') return answer(503, `${b} does not answer its probes (${replica.probe})`);
  if (replica.replication !== 'streaming') return answer(503, `${b} is not streaming from its upstream (${replica.replication ?? 'no replication reported'})`);
  const zone = status.zones.find((z) => z.zone === replica.zone && (replica.provider === undefined || z.provider === replica.provider));
  if (zone?.state === 'impaired') return answer(503, `${b}'s zone ${replica.zone} is impaired`);
  return answer(200, `${b} is a streaming replica of ${a}${replica.lagSeconds !== null ? ` (${replica.lagSeconds}s behind)` : ''}`);
}

/** A path segment, percent-decoded; `undefined` when it is not valid percent-encoding. */
function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
