import { describe, expect, it } from 'vitest';
import { listedSince, settled } from '../../../src/core/controller/settleWindows.js';
import { snapshot, zone, type SnapshotInput } from './snapshotBuilder.js';

/** Whether a step may be issued again: in flight, within its settle window, or waiting for a listing to show it. */
const NOW = 100_000;
const at = (input: Omit<SnapshotInput, 'zones'>) => snapshot({ now: NOW, zones: [zone('use1-a', 'us-east-1')], ...input });
const awaiting = (visibleFrom: number) => ({ awaiting: { 'fence:aws:orders': { provider: 'aws', operation: 'stopDatabase', target: 'orders', issuedAt: 90_000, visibleFrom } } });

describe('settled', () => {
  it('a step never issued may be issued', () => {
    expect(settled(at({}), 'fence:aws:orders')).toBe(true);
  });

  it('not while its call is in flight', () => {
    expect(settled(at({ inFlight: ['fence:aws:orders'] }), 'fence:aws:orders')).toBe(false);
    expect(settled(at({ inFlight: ['fence:aws:other'] }), 'fence:aws:orders')).toBe(true);
  });

  it('not before the time memory set for it; from that time on', () => {
    expect(settled(at({ memory: { issued: { 'fence:aws:orders': NOW + 1 } } }), 'fence:aws:orders')).toBe(false);
    expect(settled(at({ memory: { issued: { 'fence:aws:orders': NOW } } }), 'fence:aws:orders')).toBe(true);
  });

  it('an accepted call waits for a listing read late enough to show its effect', () => {
    expect(settled(at({ memory: awaiting(95_000), listedAt: { aws: 94_999 } }), 'fence:aws:orders')).toBe(false);
    expect(settled(at({ memory: awaiting(95_000), listedAt: { aws: 95_000 } }), 'fence:aws:orders')).toBe(true);
    // A provider not listed at all this cycle shows nothing.
    expect(settled(at({ memory: awaiting(95_000), listedAt: { gcp: 99_000 } }), 'fence:aws:orders')).toBe(false);
  });
});

describe('listedSince', () => {
  it('without listing times, every listing is as of now', () => {
    expect(listedSince(at({}), 'aws', NOW)).toBe(true);
    expect(listedSince(at({}), 'aws', NOW + 1)).toBe(false);
  });
});
