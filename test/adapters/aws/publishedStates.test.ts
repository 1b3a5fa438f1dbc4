import { describe, expect, it } from 'vitest';
import { AvailabilityZoneState, InstanceStateName } from '@aws-sdk/client-ec2';
import { toNodeState } from '../../../adapters/aws/ec2StateTable.js';
import { toZoneStatus } from '../../../adapters/aws/zoneStateTable.js';

/**
 * The EC2 state tables against the enums of AWS's own EC2 model (as the SDK
 * installs them), not against our emulator: every instance state and zone
 * state the model defines maps to a contract state, none to `unknown`.
 */
describe('the EC2 state tables against AWS\'s published EC2 model', () => {
  it('every EC2 instance state and Availability Zone state maps to a contract state', () => {
    expect(Object.values(InstanceStateName).filter((state) => toNodeState(state) === 'unknown')).toEqual([]);
    expect(Object.values(AvailabilityZoneState).filter((state) => toZoneStatus(state) === 'unknown')).toEqual([]);
  });
});
