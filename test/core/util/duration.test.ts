import { describe, expect, it } from 'vitest';
import { parseDurationSeconds } from '../../../src/core/util/duration.js';

describe('parseDurationSeconds', () => {
  it('reads one part, a plain number, and compound durations in decreasing units (spec r2)', () => {
    expect(parseDurationSeconds('90s')).toBe(90);
    expect(parseDurationSeconds('2.5m')).toBe(150);
    expect(parseDurationSeconds('100ms')).toBeCloseTo(0.1, 12);
    expect(parseDurationSeconds(42)).toBe(42);
    expect(parseDurationSeconds('1h30m')).toBe(5400);
    expect(parseDurationSeconds('10m20s')).toBe(620);
    expect(parseDurationSeconds('2d4h')).toBe(2 * 86400 + 4 * 3600);
    expect(parseDurationSeconds('1m500ms')).toBe(60.5);
    expect(parseDurationSeconds(' 1d2h3m4s ')).toBe(93784);
  });

  it('refuses units out of order, repeated units, gaps and leftovers', () => {
    for (const text of ['30m1h', '1m1m', '1h 30m', '1h30', '1h30mx', 'h', '', '-1h', '1ms1s']) {
      expect(parseDurationSeconds(text), text).toBeUndefined();
    }
    expect(parseDurationSeconds(-1)).toBeUndefined();
  });
});
