import type { NodeState } from '../../src/core/contract/types.js';

/**
 * EC2 instance states (`InstanceState.Name`) to contract states: the six
 * names of https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_InstanceState.html
 * (pending, running, shutting-down, terminated, stopping, stopped). EC2 has no
 * `rebooting` state (a rebooting instance stays `running`) and no error
 * state; anything not listed here maps to `unknown`.
 */
export const EC2_STATES: Readonly<Record<string, NodeState>> = Object.freeze({
  pending: 'pending',
  running: 'running',
  'shutting-down': 'stopping',
  terminated: 'terminated',
  stopping: 'stopping',
  stopped: 'stopped',
});

/** The contract state for an EC2 state name. */
export function toNodeState(ec2State: string | undefined): NodeState {
  return (ec2State !== undefined && Object.hasOwn(EC2_STATES, ec2State) ? EC2_STATES[ec2State] : undefined) ?? 'unknown';
}

/**
 * EC2 state names that map to any of `states`, for an `instance-state-name`
 * filter; `undefined` when no server-side filter can express the set
 * (`unknown` matches every state EC2 might add).
 */
export function ec2StatesFor(states: readonly NodeState[]): string[] | undefined {
  if (states.includes('unknown')) return undefined;
  return Object.keys(EC2_STATES).filter((name) => states.includes(EC2_STATES[name]!));
}
