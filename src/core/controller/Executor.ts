import { timeoutSignal, type Clock } from '../clock/Clock.js';
import type { Provider } from '../contract/Provider.js';
import { isInvalidInput, isTerminal, isThrottled, isTimeout, ProviderError, toProviderError } from '../contract/errors.js';
import { hasEndpoints, hasLoadBalancers } from '../contract/trafficCapabilities.js';
import { CallGate } from './CallGate.js';
import type { StepOutcome } from './ControllerEvent.js';
import type { Step } from './Plan.js';
import type { Policy } from './Policy.js';
import type { PrePromoteCheck } from './PrePromoteCheck.js';

/** The end of one step's adapter call. */
export interface StepResult {
  readonly step: Step;
  readonly outcome: StepOutcome;
  /** Set when the request was refused as invalid or in the wrong state (no point retrying it as is). */
  readonly rejected: boolean;
  readonly error?: ProviderError;
  /** Set when the {@link PrePromoteCheck} vetoed the promotion (then `rejected` is set and no adapter call was made): its reason. */
  readonly vetoed?: string;
  readonly startedAt: number;
  readonly finishedAt: number;
}

/** Why a planned step was not started this cycle. */
export interface Deferral {
  readonly step: Step;
  readonly why: string;
}

/** Hooks the controller gives the executor. */
export interface ExecutorHooks {
  /** Called synchronously before the call is made (write-ahead: memory records the intent first). */
  onStart(step: Step, now: number): void;
  onResult(result: StepResult): void;
}

/**
 * The only part of the controller that changes the world. Each step becomes
 * one adapter call, cut off after `callTimeout`, started in the background so
 * a hung call never stalls the control loop; a step whose call is still in
 * flight is never started twice. Calls go through the {@link CallGate}:
 * steps for a backed-off or over-budget provider/region wait for a later
 * cycle. A promote step first asks the optional {@link PrePromoteCheck};
 * a veto ends the step as a rejected result without an adapter call.
 */
export class Executor {
  /** Keys of steps whose calls have not returned. */
  readonly inFlight = new Set<string>();
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly providers: ReadonlyMap<string, Provider>,
    private readonly clock: Clock,
    private readonly policy: Policy,
    private readonly gate: CallGate,
    private readonly hooks: ExecutorHooks,
    private readonly signal: AbortSignal,
    private readonly prePromote?: PrePromoteCheck,
  ) {}

  /** Starts the steps that may run now; returns the ones deferred, with why. */
  submit(steps: readonly Step[]): Deferral[] {
    const deferred: Deferral[] = [];
    for (const step of steps) {
      if (this.inFlight.has(step.key)) continue;
      const now = this.clock.now();
      const budget = CallGate.scope(step.provider, step.region, true);
      const scope = CallGate.mutationScope(step.provider, step.region, step.operation);
      if (!this.gate.hasToken(budget, now)) {
        deferred.push({ step, why: `${step.provider}/${step.region} mutation budget spent (${this.policy.mutationsPerMinute}/min)` });
        continue;
      }
      const refused = this.gate.admit(scope, now);
      if (refused !== undefined) {
        deferred.push({ step, why: `${step.provider}/${step.region} ${refused}` });
        continue;
      }
      if (!this.gate.takeToken(budget, now)) {
        deferred.push({ step, why: `${step.provider}/${step.region} mutation budget spent (${this.policy.mutationsPerMinute}/min)` });
        continue;
      }
      this.start(step, scope, now);
    }
    return deferred;
  }

  /** Resolves when no call is in flight. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  private start(step: Step, scope: string, startedAt: number): void {
    const provider = this.providers.get(step.provider);
    this.inFlight.add(step.key);
    this.hooks.onStart(step, startedAt);
    const run = async () => {
      let outcome: StepOutcome = 'ok';
      let rejected = false;
      let error: ProviderError | undefined;
      let vetoed: string | undefined;
      // Asked before the call's own time budget starts: the check is bounded by its own timeout.
      if (step.operation === 'promoteReplica' && this.prePromote && provider) {
        // A check that throws must not block the failover.
        const verdict = await this.prePromote.check(step, this.signal).catch((caught: unknown) => ({ proceed: true, reason: `the check failed (${(caught as Error).message}); proceeding` }));
        if (!verdict.proceed) vetoed = verdict.reason;
      }
      const { signal, dispose } = timeoutSignal(this.clock, this.policy.callTimeout * 1000, this.signal);
      try {
        if (!provider) throw new Error(`no provider ${step.provider}`);
        if (vetoed !== undefined) throw new ProviderError('terminal', `vetoed by the pre-promote check: ${vetoed}`, { provider: step.provider, operation: step.operation });
        await call(provider, step, signal);
      } catch (caught) {
        error = toProviderError(caught, step.provider, step.operation);
        outcome = isThrottled(error) ? 'throttled' : isTimeout(error) || signal.aborted ? 'timeout' : 'error';
        rejected = isTerminal(error) || isInvalidInput(error);
      } finally {
        dispose();
      }
      const finishedAt = this.clock.now();
      this.gate.record(scope, rejected ? 'rejected' : outcome, finishedAt, error?.retryAfterMs);
      this.inFlight.delete(step.key);
      this.hooks.onResult({ step, outcome, rejected, error, ...(vetoed !== undefined ? { vetoed } : {}), startedAt, finishedAt });
    };
    const promise = run();
    this.running.add(promise);
    void promise.finally(() => this.running.delete(promise));
  }
}

function call(provider: Provider, step: Step, signal: AbortSignal): Promise<unknown> {
  const options = { signal };
  switch (step.operation) {
    case 'promoteReplica':
      return provider.promoteReplica(step.target, options);
    case 'stopDatabase':
      return provider.stopDatabase(step.target, options);
    case 'rebootDatabase':
      return provider.rebootDatabase(step.target, options);
    case 'updateEndpoint':
      if (!hasEndpoints(provider)) throw new ProviderError('invalid-input', `${provider.id} serves no endpoints`, { provider: provider.id, operation: step.operation });
      return provider.updateEndpoint(step.target, step.instance, options);
    case 'shiftTraffic':
      if (!hasLoadBalancers(provider)) throw new ProviderError('invalid-input', `${provider.id} has no load balancers`, { provider: provider.id, operation: step.operation });
      return provider.shiftTraffic(
        { loadBalancer: step.target, zone: step.zone, away: step.away, ...(step.expiresInSeconds !== undefined ? { expiresInSeconds: step.expiresInSeconds } : {}) },
        options,
      );
    case 'repointReplica':
      return provider.repointReplica(step.target, step.upstream, options);
    case 'createNode':
      return provider.createNode(
        { name: step.name, region: step.region, zone: step.zone, size: step.size, group: step.group, clientToken: step.name },
        options,
      );
    case 'destroyNode':
      return provider.destroyNode(step.target, options);
    case 'createReplica':
      // Asynchronous (the default): RDS and Cloud SQL read replicas are nothing else.
      return provider.createReplica({ source: step.source, id: step.target, region: step.region, zone: step.zone }, options);
    case 'destroyDatabase':
      return provider.destroyDatabase(step.target, options);
  }
}
