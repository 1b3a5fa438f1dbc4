import { describe, expect, it } from 'vitest';
import { didYouMean } from '../../../../src/apps/replay/scenario/didYouMean.js';

describe('didYouMean', () => {
  it('finds a key that differs in case, by a typo or by a swap of two letters', () => {
    expect(didYouMean('minhealthy', ['id', 'nodes', 'minHealthy'])).toBe('minHealthy');
    expect(didYouMean('promoteReplca', ['createReplica', 'promoteReplica'])).toBe('promoteReplica');
    expect(didYouMean('impiar', ['impair', 'impairRegion', 'recover'])).toBe('impair');
  });

  it('says nothing when no candidate is close, or when two are equally close', () => {
    expect(didYouMean('flavour', ['id', 'latency', 'regions'])).toBeUndefined();
    expect(didYouMean('us-east-1z', ['us-east-1a', 'us-east-1b'])).toBeUndefined();
    expect(didYouMean('x', [])).toBeUndefined();
  });
});
