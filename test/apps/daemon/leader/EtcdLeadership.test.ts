import { Etcd3 } from 'etcd3';
import { afterEach, describe, expect, it } from 'vitest';
import { EtcdLeadership } from '../../../../src/apps/daemon/leader/EtcdLeadership.js';
import type { LeaderTerm } from '../../../../src/apps/daemon/leader/LeaderTerm.js';
import { instrumentProvider } from '../../../../src/apps/daemon/runtime/instrumentProvider.js';
import { SystemClock } from '../../../../src/core/clock/SystemClock.js';
import { isRetryable } from '../../../../src/core/contract/errors.js';
import { simFixture } from '../../../adapters/sim/simFixture.js';
import { ETCD, startEtcd, type EtcdServer } from '../etcdServer.js';

const PREFIX = '/lifeboat-deposed-test';

describe.skipIf(ETCD.skip())('EtcdLeadership on a real etcd: a deposed leader', () => {
  let etcd: EtcdServer | undefined;
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    await etcd?.stop();
    etcd = undefined;
  });

  it("has its next mutating call refused before it reaches the provider, even before it learns it was deposed", async () => {
    etcd = await startEtcd();
    // A long ttl: the lease cannot run out during the test, so only the fencing token can stop the call.
    const leadership = new EtcdLeadership({ endpoints: [etcd.url], prefix: PREFIX, ttlSeconds: 30, id: 'daemon-a', clock: new SystemClock() });
    const stop = new AbortController();
    let won!: (term: LeaderTerm) => void;
    const termWon = new Promise<LeaderTerm>((resolve) => (won = resolve));
    const running = leadership.run(stop.signal, async (term) => {
      won(term);
      await new Promise((resolve) => term.signal.addEventListener('abort', resolve, { once: true }));
    });
    cleanups.push(async () => {
      stop.abort();
      await running;
    });
    const term = await Promise.race([termWon, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no term won within 10 s')), 10_000))]);

    // The daemon's wiring: every mutating call first passes the term's fencing check.
    const { world, aws } = simFixture();
    const provider = instrumentProvider(aws, { beforeMutation: () => term.guard() });
    const call = { signal: new AbortController().signal };
    const stopCalls = () => world.calls.filter((c) => c.operation === 'stopNode').map((c) => c.target);

    // While it leads, its calls go through.
    await provider.stopNode('web-us-east-1a-1', call);
    expect(stopCalls()).toEqual(['web-us-east-1a-1']);

    // Another daemon takes the leader key (as after a lease expiry): a new key, a new create revision and lease.
    const other = new Etcd3({ hosts: [etcd.url] });
    cleanups.push(() => other.close());
    const lease = other.lease(30);
    await other.delete().key(`${PREFIX}/leader`);
    await lease.put(`${PREFIX}/leader`).value(JSON.stringify({ id: 'daemon-b', lease: String(await lease.grant()), since: Date.now() }));

    // Straight away, before any keepalive of daemon-a's: its next mutating call is refused and never reaches the world.
    const refused = await provider.stopNode('web-us-east-1a-2', call).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused, 'the deposed leader was allowed to call the provider').toBeDefined();
    expect(isRetryable(refused)).toBe(true);
    expect((refused as Error).message).toMatch(/^not issued: not the leader \((fencing token moved|deposed)/);
    expect(stopCalls()).toEqual(['web-us-east-1a-1']);
    // And its term is over: the daemon stops leading.
    expect(term.signal.aborted).toBe(true);
    expect(term.ended).toMatch(/deposed/);
    // Every later call is refused too, without asking etcd again.
    await expect(provider.destroyNode('web-us-east-1b-1', call)).rejects.toThrow(/not the leader/);
    expect(world.calls.filter((c) => c.mutating).map((c) => c.target)).toEqual(['web-us-east-1a-1']);
  }, 60_000);
});
