import { describe, expect, it } from 'vitest';
import { resourceKey, zoneKey } from '../../../src/core/contract/keys.js';

describe('zone and resource keys', () => {
  it('are provider:id, apart for each provider', () => {
    expect(zoneKey('aws', 'us-east-1a')).toBe('aws:us-east-1a');
    expect(resourceKey('gcp', 'db1')).toBe('gcp:db1');
    expect(resourceKey('aws', 'db1')).not.toBe(resourceKey('gcp', 'db1'));
  });

  it('stay right past the bound of keys kept, for ids seen before and after it is emptied', () => {
    const early = resourceKey('local', 'n-early');
    for (let i = 0; i < 150_000; i++) expect(resourceKey('local', `n-${i}`)).toBe(`local:n-${i}`);
    expect(resourceKey('local', 'n-early')).toBe(early);
    expect(zoneKey('sim', 'z')).toBe('sim:z');
  });
});
