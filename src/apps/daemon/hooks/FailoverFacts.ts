/**
 * What a hook is told about a promotion, a failover or a role change. The
 * same facts go to command hooks (as `LIFEBOAT_*` environment variables,
 * see {@link factsToEnv}) and to webhooks (as `facts`).
 */
export interface FailoverFacts {
  /** `pre-promote`, `post-failover` or `role-change`. */
  readonly hook: 'pre-promote' | 'post-failover' | 'role-change';
  readonly database: string;
  readonly oldPrimary?: string;
  readonly newPrimary: string;
  readonly oldZone?: string;
  readonly newZone?: string;
  readonly provider: string;
  readonly region?: string;
  /** The plan step's reason, or what was observed. */
  readonly reason: string;
  /** The promote step's key, when Lifeboat's own step caused it. */
  readonly stepId?: string;
  /** Pre-promote only: estimated seconds of committed writes lost. */
  readonly estimatedLossSeconds?: number;
  /** The daemon's id. */
  readonly daemon: string;
  /** ISO time. */
  readonly time: string;
}

/** The facts as environment variables (absent facts are empty strings, so a script's `set -u` holds). */
export function factsToEnv(facts: FailoverFacts): Record<string, string> {
  return {
    LIFEBOAT_HOOK: facts.hook,
    LIFEBOAT_DATABASE: facts.database,
    LIFEBOAT_OLD_PRIMARY: facts.oldPrimary ?? '',
    LIFEBOAT_NEW_PRIMARY: facts.newPrimary,
    LIFEBOAT_OLD_ZONE: facts.oldZone ?? '',
    LIFEBOAT_NEW_ZONE: facts.newZone ?? '',
    LIFEBOAT_PROVIDER: facts.provider,
    LIFEBOAT_REGION: facts.region ?? '',
    LIFEBOAT_REASON: facts.reason,
    LIFEBOAT_STEP_ID: facts.stepId ?? '',
    LIFEBOAT_ESTIMATED_LOSS_SECONDS: facts.estimatedLossSeconds !== undefined ? String(facts.estimatedLossSeconds) : '',
    LIFEBOAT_DAEMON: facts.daemon,
    LIFEBOAT_TIME: facts.time,
  };
}
