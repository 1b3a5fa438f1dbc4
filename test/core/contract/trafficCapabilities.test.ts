import { describe, expect, it } from 'vitest';
import { SimWorld } from '../../../adapters/sim/index.js';
import { VirtualClock } from '../../../src/core/clock/VirtualClock.js';
import type { Provider } from '../../../src/core/contract/Provider.js';
import { hasEndpoints, hasLoadBalancers } from '../../../src/core/contract/trafficCapabilities.js';

const sim = new SimWorld({
  clock: new VirtualClock(),
  topology: { providers: [{ id: 'sim', latency: {}, regions: [{ id: 'r', zones: ['r-a'] }] }], groups: [], databases: [] },
}).provider('sim');

/** The sim adapter with its capabilities replaced and, optionally, the traffic methods hidden (a forwarded declaration). */
function variant(capabilities: Partial<Provider['capabilities']>, withoutMethods = false): Provider {
  const copy = Object.create(sim) as Provider & Record<string, unknown>;
  Object.defineProperty(copy, 'capabilities', { value: { ...sim.capabilities, ...capabilities } });
  if (withoutMethods) for (const method of ['listEndpoints', 'updateEndpoint', 'listLoadBalancers', 'shiftTraffic']) copy[method] = undefined;
  return copy;
}

describe('traffic capabilities', () => {
  it('hold for an adapter that declares them and has the operations (sim)', () => {
    expect(hasEndpoints(sim)).toBe(true);
    expect(hasLoadBalancers(sim)).toBe(true);
  });

  it('do not hold when undeclared (absent means false), even with the methods there', () => {
    expect(hasEndpoints(variant({ endpoints: undefined }))).toBe(false);
    expect(hasLoadBalancers(variant({ loadBalancers: false }))).toBe(false);
  });

  it('do not hold when declared without the operations (a declaration forwarded from a remote world)', () => {
    expect(hasEndpoints(variant({}, true))).toBe(false);
    expect(hasLoadBalancers(variant({}, true))).toBe(false);
  });
});
