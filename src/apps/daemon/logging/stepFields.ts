import type { Step } from '../../../core/controller/Plan.js';

/** A step's facts as log fields: what, on which resource, where, why. */
export function stepFields(step: Step): Record<string, unknown> {
  return {
    step: step.key,
    operation: step.operation,
    provider: step.provider,
    region: step.region,
    zone: step.zone,
    resource: 'target' in step ? step.target : step.name,
    database: 'cluster' in step ? step.cluster : undefined,
    reason: step.reason,
    requestedBy: step.requestedBy,
  };
}
