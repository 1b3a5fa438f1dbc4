import { describe, expect, it } from 'vitest';
import type { DatabaseInstance, Node } from '../../../../src/core/contract/types.js';
import { findMissingResources, type ProtectedResources, type ProviderListing } from '../../../../src/apps/daemon/truth/findMissingResources.js';

const db = (cluster: string, id: string, provider = 'aws'): DatabaseInstance => ({ id, cluster, provider, region: 'us-east-1', zone: 'us-east-1a', engine: 'postgres', role: 'primary', state: 'available', extra: {} });
const node = (group: string | undefined, provider = 'aws'): Node => ({ id: `n-${group}`, provider, region: 'us-east-1', zone: 'us-east-1a', state: 'running', ...(group ? { group } : {}), extra: {} }) as Node;

const protect: ProtectedResources = {
  watch: [{ provider: 'aws', region: 'us-east-1' }],
  groups: [{ id: 'web', provider: 'aws', region: 'us-east-1', minHealthy: 2 }],
  databases: [{ cluster: 'orders' }, { cluster: 'billing', provider: 'aws' }],
};
const listing = (over: Partial<ProviderListing> = {}): ProviderListing => ({
  regions: new Map([['aws', new Set(['us-east-1', 'us-west-2'])]]),
  databases: [db('orders', 'orders-1'), db('billing', 'billing-1')],
  nodes: [node('web')],
  listed: new Set(['aws/us-east-1']),
  ...over,
});

describe('findMissingResources', () => {
  it('finds nothing when every protected resource is listed', () => {
    expect(findMissingResources(protect, listing())).toEqual([]);
  });

  it('names a database, a group and a region the provider does not list, with what it lists instead', () => {
    const missing = findMissingResources(
      { ...protect, watch: [...protect.watch, { provider: 'aws', region: 'us-east-9' }] },
      listing({ databases: [db('orders', 'orders-1'), db('payments', 'p-1')], nodes: [node('api')], listed: new Set(['aws/us-east-1', 'aws/us-east-9']) }),
    );
    expect(missing).toEqual([
      expect.objectContaining({ path: 'protect.regions[1].region', kind: 'region', message: 'provider aws has no region us-east-9 (it lists: us-east-1, us-west-2)' }),
      expect.objectContaining({ path: 'protect.databases[1].cluster', kind: 'database', id: 'billing', message: expect.stringContaining('they list: orders, payments') }),
      expect.objectContaining({ path: 'protect.groups[0].id', kind: 'group', id: 'web', message: expect.stringContaining('groups there: api') }),
    ]);
  });

  it('judges nothing it could not read: an unread region or provider accuses no resource', () => {
    expect(findMissingResources(protect, listing({ regions: new Map(), databases: [], nodes: [], listed: new Set() }))).toEqual([]);
  });
});
