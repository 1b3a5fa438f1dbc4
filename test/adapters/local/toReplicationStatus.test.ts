import { describe, expect, test } from 'vitest';
import { brokenReplicationReason } from '../../../adapters/local/brokenReplicationReason.js';
import { toReplicationStatus, type ReplicaSample } from '../../../adapters/local/toReplicationStatus.js';

const streaming: ReplicaSample = { now: 1000, receiverStatus: 'streaming', lastMessageAt: 999.5, behindBytes: 0, replayedAt: 900 };

describe('toReplicationStatus', () => {
  test('caught up while streaming: no lag, even when the last transaction is old', () => {
    const { status, memory } = toReplicationStatus('p', 'sync', streaming, undefined, false);
    expect(status).toEqual({ upstream: 'p', mode: 'sync', state: 'streaming', lagSeconds: 0, lastContactSeconds: 0.5, lagBytes: 0 });
    expect(memory).toEqual({ at: 999.5, lagSeconds: 0 });
  });

  test('behind while streaming: lag is the age of the last replayed transaction', () => {
    const { status } = toReplicationStatus('p', 'async', { ...streaming, behindBytes: 8192, replayedAt: 997 }, undefined, false);
    expect(status).toMatchObject({ state: 'streaming', lagSeconds: 3, lagBytes: 8192 });
  });

  test('disconnected: contact and lag keep growing from the remembered last contact', () => {
    const memory = { at: 990, lagSeconds: 2 };
    const sample: ReplicaSample = { now: 1000, receiverStatus: null, lastMessageAt: null, behindBytes: null, replayedAt: 900 };
    const { status, memory: kept } = toReplicationStatus('p', 'async', sample, memory, false);
    expect(status).toEqual({ upstream: 'p', mode: 'async', state: 'disconnected', lagSeconds: 12, lastContactSeconds: 10, lagBytes: null });
    expect(kept).toEqual(memory);
  });

  test('disconnected without any contact seen: nothing is known about lag', () => {
    const sample: ReplicaSample = { now: 1000, receiverStatus: 'starting', lastMessageAt: null, behindBytes: null, replayedAt: null };
    expect(toReplicationStatus('p', 'async', sample, undefined, false).status).toMatchObject({
      state: 'disconnected',
      lagSeconds: null,
      lastContactSeconds: null,
    });
  });

  test('broken when the log says the stream cannot resume', () => {
    const sample: ReplicaSample = { now: 1000, receiverStatus: null, lastMessageAt: null, behindBytes: null, replayedAt: null };
    expect(toReplicationStatus('p', 'async', sample, { at: 995, lagSeconds: 0 }, true).status.state).toBe('broken');
  });

  test('no sample (server down or frozen): unknown, memory kept', () => {
    const memory = { at: 990, lagSeconds: 1 };
    const { status, memory: kept } = toReplicationStatus('p', 'sync', undefined, memory, false);
    expect(status).toEqual({ upstream: 'p', mode: 'sync', state: 'unknown', lagSeconds: null, lastContactSeconds: null, lagBytes: null });
    expect(kept).toBe(memory);
  });
});

describe('brokenReplicationReason', () => {
  test('the newest replication message decides', () => {
    const slotGone = '2026-01-01 [12] FATAL:  could not start WAL streaming: ERROR:  replication slot "lifeboat_b" does not exist';
    const started = '2026-01-01 [13] LOG:  started streaming WAL from primary at 0/3000000 on timeline 1';
    const refused = '2026-01-01 [14] FATAL:  could not connect to the primary server: connection refused';
    expect(brokenReplicationReason([started, slotGone].join('\n'))).toBe(slotGone);
    expect(brokenReplicationReason([slotGone, started].join('\n'))).toBeUndefined();
    expect(brokenReplicationReason([started, refused].join('\n'))).toBeUndefined();
    expect(brokenReplicationReason(`${started}\n${'x'.repeat(10)}\nrequested timeline 2 is not a child of this server's history`)).toMatch(
      /not a child/,
    );
  });
});
