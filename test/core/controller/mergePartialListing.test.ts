import { describe, expect, it } from 'vitest';
import { mergePartialListing, UNREACHABLE_LISTING } from '../../../src/core/controller/mergePartialListing.js';
import { db, node } from './snapshotBuilder.js';

/** A region's listing when some of its scopes could not be read. */
const a1 = node('a1', 'use1-a', 'us-east-1');
const b1 = node('b1', 'use1-b', 'us-east-1');
const w1 = node('w1', 'usw2-a', 'us-west-2');

describe('mergePartialListing', () => {
  it('a complete listing, or one with nothing before it, is the listing as it is', () => {
    const listed = [b1];
    expect(mergePartialListing([a1, b1], listed, undefined)).toBe(listed);
    expect(mergePartialListing(undefined, listed, { zones: ['use1-a'], regions: [] })).toBe(listed);
    expect(mergePartialListing([a1, b1], listed, { zones: [], regions: [] })).toBe(listed);
  });

  it('keeps what lived in an unreachable zone or region, as unknown and marked unreachable', () => {
    const merged = mergePartialListing([a1, b1, w1], [b1], { zones: ['use1-a'], regions: ['us-west-2'] });
    expect(merged).toEqual([
      b1,
      { ...a1, state: 'unknown', extra: { listing: UNREACHABLE_LISTING } },
      { ...w1, state: 'unknown', extra: { listing: UNREACHABLE_LISTING } },
    ]);
    // A node has no replication to mark.
    expect(merged[1]).not.toHaveProperty('replication');
  });

  it('by zone alone, and by region alone', () => {
    expect(mergePartialListing([a1, w1], [], { zones: ['use1-a'], regions: [] }).map((n) => n.id)).toEqual(['a1']);
    expect(mergePartialListing([a1, w1], [], { zones: [], regions: ['us-west-2'] }).map((n) => n.id)).toEqual(['w1']);
  });

  it('what is missing from a scope that was read is gone; what is listed again is the new listing only', () => {
    const listed = [{ ...a1, state: 'stopped' as const }];
    const merged = mergePartialListing([a1, b1], listed, { zones: ['use1-a'], regions: [] });
    // a1 listed again (its new state wins, not duplicated); b1 was in a zone that was read: gone.
    expect(merged).toBe(listed);
  });

  it('a replica kept from an unreachable zone loses its streaming: it must not vouch for its upstream', () => {
    const replica = db('orders-a', 'use1-a', 'us-east-1', 'replica', { state: 'streaming', lagSeconds: 2 });
    const [kept] = mergePartialListing([replica], [], { zones: ['use1-a'], regions: [] });
    expect(kept).toEqual({ ...replica, state: 'unknown', replication: { ...replica.replication!, state: 'unknown' }, extra: { listing: UNREACHABLE_LISTING } });
    // The replica's record it came from is left as it was.
    expect(replica.replication!.state).toBe('streaming');
    // A primary reports no replication: none is made up for it.
    const primary = db('orders', 'use1-a', 'us-east-1', 'primary');
    expect(mergePartialListing([primary], [], { zones: ['use1-a'], regions: [] })[0]!.replication).toBeUndefined();
  });

  it('a resource already kept keeps its object, so a read bringing nothing new changes nothing downstream', () => {
    const first = mergePartialListing([a1], [], { zones: ['use1-a'], regions: [] });
    const second = mergePartialListing(first, [], { zones: ['use1-a'], regions: [] });
    expect(second[0]).toBe(first[0]);
    // Marked unreachable by someone else's state (unknown for another reason): marked again, a new object.
    const unknownOnly = { ...a1, state: 'unknown' as const };
    expect(mergePartialListing([unknownOnly], [], { zones: ['use1-a'], regions: [] })[0]).not.toBe(unknownOnly);
    const markedOnly = { ...a1, extra: { listing: UNREACHABLE_LISTING } };
    expect(mergePartialListing([markedOnly], [], { zones: ['use1-a'], regions: [] })[0]).toEqual({ ...a1, state: 'unknown', extra: { listing: UNREACHABLE_LISTING } });
  });
});
