import { afterEach, describe, expect, it } from 'vitest';
import { isThrottled, isTimeout } from '../../../src/core/contract/errors.js';
import { AwsProvider } from '../../../adapters/aws/index.js';
import { awsTopology, awsWire, CANARY_ACCESS_KEY, CANARY_SECRET, CANARY_TOKEN, type AwsWire } from './awsFixture.js';
import { captureOutput, everythingAbout, rejectionOf } from './captureOutput.js';

const opts = () => ({ signal: AbortSignal.timeout(20_000) });

describe('aws adapter over the wire', () => {
  let wire: AwsWire;
  afterEach(async () => wire?.close());

  describe('pagination', () => {
    it('follows NextToken: 2,500 instances are 3 DescribeInstances pages, one world call each', async () => {
      wire = await awsWire({ topology: awsTopology(2498) });
      const nodes = await wire.provider.listNodes({}, opts());
      expect(nodes).toHaveLength(2500);
      expect(new Set(nodes.map((node) => node.id)).size).toBe(2500);
      expect(wire.emulator.requestsFor('DescribeInstances')).toBe(3);
      expect(wire.world.calls.filter((call) => call.operation === 'listNodes')).toHaveLength(3);
    });

    it('lists 10,000 instances in 10 page-sized calls, never one per instance', async () => {
      wire = await awsWire({ topology: awsTopology(9998) });
      const nodes = await wire.provider.listNodes({ region: 'us-east-1' }, opts());
      expect(nodes).toHaveLength(10_000);
      expect(wire.emulator.stats().byAction).toEqual({ 'ec2:DescribeInstances': 10 });
      expect(wire.emulator.requestCount).toBe(10);
    });

    it('sends filters server-side and applies the contract filter again', async () => {
      wire = await awsWire();
      await wire.provider.stopNode('web-us-east-1a-2', opts());
      const stopping = await wire.provider.listNodes({ group: 'web', zone: 'us-east-1a', states: ['stopping', 'stopped'] }, opts());
      expect(stopping.map((node) => node.id)).toEqual(['web-us-east-1a-2']);
      // No EC2 state maps to `rebooting`: nothing can match, so nothing is asked.
      const before = wire.emulator.requestCount;
      expect(await wire.provider.listNodes({ states: ['rebooting'] }, opts())).toEqual([]);
      expect(wire.emulator.requestCount).toBe(before);
    });

    it('pages DescribeDBInstances and asks CloudWatch once per region for replica lag', async () => {
      wire = await awsWire();
      const instances = await wire.provider.listDatabases({ cluster: 'orders' }, opts());
      expect(instances.map((db) => [db.id, db.role])).toEqual([
        ['orders', 'primary'],
        ['orders-b', 'replica'],
      ]);
      expect(instances[1]!.replication).toMatchObject({ upstream: 'orders', mode: 'async', state: 'streaming', lagSeconds: 2, lastContactSeconds: null });
      expect(wire.emulator.stats().byAction).toEqual({ 'rds:DescribeDBInstances': 1, 'monitoring:GetMetricData': 1 });
    });

    it('with replicaLag none, lag is null and replicationStatus is not declared (no CloudWatch call)', async () => {
      wire = await awsWire({ adapter: { replicaLag: 'none' } });
      expect(wire.provider.capabilities.replicationStatus).toBe(false);
      const replica = (await wire.provider.listDatabases({ ids: ['orders-b'] }, opts()))[0]!;
      expect(replica.replication).toMatchObject({ upstream: 'orders', lagSeconds: null });
      expect(wire.emulator.requestsFor('GetMetricData')).toBe(0);
    });

    it('puts DescribeInstanceStatus checks in extra when asked to', async () => {
      wire = await awsWire({ adapter: { instanceStatus: true } });
      const [node] = await wire.provider.listNodes({ ids: ['web-us-east-1a-1'] }, opts());
      expect(node!.extra).toMatchObject({ instanceStatus: 'ok', systemStatus: 'ok', rawState: 'running' });
      expect(wire.emulator.requestsFor('DescribeInstanceStatus')).toBe(1);
    });
  });

  describe('throttling', () => {
    it('a throttle storm costs exactly one request per adapter call (SDK retries are off)', async () => {
      wire = await awsWire({ topology: awsTopology(2498) });
      await wire.apply([{ kind: 'apiFault', provider: 'aws', operations: ['*'], fault: 'throttle', rate: 1 }]);
      const calls = [
        () => wire.provider.listNodes({}, opts()),
        () => wire.provider.rebootNode('web-us-east-1a-1', opts()),
        () => wire.provider.createNode({ name: 'n', region: 'us-east-1', zone: 'us-east-1a', group: 'web' }, opts()),
        () => wire.provider.stopDatabase('orders', opts()),
      ];
      for (let round = 0; round < 5; round++) {
        for (const call of calls) expect(isThrottled(await rejectionOf(call()))).toBe(true);
      }
      // 20 calls, 20 requests: no retry storm, and a paged listing stops at its first throttled page.
      expect(wire.emulator.requestCount).toBe(20);
      expect(wire.emulator.requestsFor('DescribeInstances')).toBe(5);
    });

    it('with maxAttempts raised, requests stay bounded by calls x attempts', async () => {
      wire = await awsWire({ adapter: { maxAttempts: 3 } });
      await wire.apply([{ kind: 'apiFault', provider: 'aws', operations: ['listNodes'], fault: 'throttle', rate: 1 }]);
      for (let i = 0; i < 2; i++) expect(isThrottled(await rejectionOf(wire.provider.listNodes({}, opts())))).toBe(true);
      expect(wire.emulator.requestCount).toBeLessThanOrEqual(6);
      expect(wire.emulator.requestCount).toBeGreaterThanOrEqual(2);
    });

    it('a throttled second page ends the listing after two requests', async () => {
      wire = await awsWire({ topology: awsTopology(2498) });
      let seen = 0;
      wire.emulator.setFaultHook((request) =>
        request.action === 'DescribeInstances' && ++seen === 2 ? { kind: 'error', status: 503, code: 'RequestLimitExceeded', message: 'Request limit exceeded.' } : undefined,
      );
      expect(isThrottled(await rejectionOf(wire.provider.listNodes({}, opts())))).toBe(true);
      expect(wire.emulator.requestsFor('DescribeInstances')).toBe(2);
    });
  });

  describe('cancellation', () => {
    it('a hung request is cut off by the AbortSignal, and its connection is closed', async () => {
      wire = await awsWire();
      await wire.apply([{ kind: 'apiFault', provider: 'aws', operations: ['listNodes'], fault: 'hang', rate: 1 }]);
      const started = Date.now();
      const error = await rejectionOf(wire.provider.listNodes({}, { signal: AbortSignal.timeout(300) }));
      expect(isTimeout(error), String(error)).toBe(true);
      expect(Date.now() - started).toBeLessThan(5_000);
      await expect.poll(() => wire.emulator.stats().abandoned, { timeout: 10_000 }).toBe(1);
      expect(wire.emulator.stats()).toMatchObject({ inFlight: 0, waitingOnWorld: 0 });
      // The world saw the call end as a timeout, like a replay without the wire would.
      await expect.poll(() => wire.world.calls.at(-1)?.result).toBe('timeout');
    });

    it('a signal that already fired sends nothing', async () => {
      wire = await awsWire();
      const aborted = AbortSignal.abort();
      expect(isTimeout(await rejectionOf(wire.provider.listNodes({}, { signal: aborted })))).toBe(true);
      expect(isTimeout(await rejectionOf(wire.provider.rebootNode('web-us-east-1a-1', { signal: aborted })))).toBe(true);
      expect(wire.emulator.requestCount).toBe(0);
    });
  });

  describe('requests', () => {
    it('RunInstances carries the AMI, type, zone, tags and client token; a repeat returns the same instance', async () => {
      wire = await awsWire({ adapter: { defaultSize: 'm5.large' } });
      const request = { name: 'web-extra', region: 'us-east-1', zone: 'us-east-1c', group: 'web', clientToken: 'x'.repeat(100) };
      const first = await wire.provider.createNode(request, opts());
      const again = await wire.provider.createNode(request, opts());
      expect(again.id).toBe(first.id);
      expect(first).toMatchObject({ name: 'web-extra', zone: 'us-east-1c', group: 'web', size: 'm5.large', state: 'pending', region: 'us-east-1' });
      expect(wire.world.calls.filter((call) => call.operation === 'createNode')).toHaveLength(2);
      expect((await wire.provider.listNodes({ group: 'web', zone: 'us-east-1c' }, opts())).map((node) => node.id)).toEqual([first.id]);
    });

    it('createNode without an AMI or launch template for the region is invalid-input before any request', async () => {
      wire = await awsWire({ adapter: { images: {} } });
      const error = await rejectionOf(wire.provider.createNode({ name: 'n', region: 'us-east-1' }, opts()));
      expect(error).toMatchObject({ kind: 'invalid-input', code: 'MissingParameter' });
      expect(wire.emulator.requestCount).toBe(0);
    });

    it('with several regions, finds a node region once and remembers it', async () => {
      wire = await awsWire({ adapter: { regions: ['us-east-1', 'us-west-2'] } });
      const west = await wire.provider.createNode({ name: 'w', region: 'us-west-2', zone: 'us-west-2a' }, opts());
      const fresh = new AwsProvider({
        regions: ['us-east-1', 'us-west-2'],
        endpoint: wire.emulator.endpoint,
        credentials: { accessKeyId: CANARY_ACCESS_KEY, secretAccessKey: CANARY_SECRET },
      });
      try {
        const before = wire.emulator.requestCount;
        await fresh.rebootNode(west.id, opts());
        await fresh.rebootNode(west.id, opts());
        // us-east-1 (not there), us-west-2 (found), reboot; then the remembered region: reboot.
        expect(wire.emulator.requestCount - before).toBe(4);
      } finally {
        await fresh.close();
      }
    });
  });

  describe('secrets', () => {
    it('a canary secret key and session token never appear in errors, stacks or output', async () => {
      const output = captureOutput();
      const errors: unknown[] = [];
      const seenOnWire: string[] = [];
      try {
        wire = await awsWire();
        // Services that echo the request: each error message quotes the session token the client sent.
        const echo = (code: string, status: number) =>
          wire.emulator.setFaultHook((request) => {
            const token = String(request.headers['x-amz-security-token'] ?? '');
            seenOnWire.push(token);
            return { kind: 'error', status, code, message: `${code}: request had X-Amz-Security-Token=${token} and secret ${CANARY_SECRET}` };
          });
        for (const [code, status] of [
          ['SignatureDoesNotMatch', 403],
          ['ExpiredToken', 400],
          ['AuthFailure', 401],
          ['InternalError', 500],
          ['InvalidParameterValue', 400],
          ['RequestLimitExceeded', 503],
        ] as const) {
          echo(code, status);
          errors.push(await rejectionOf(wire.provider.listNodes({}, opts())));
          errors.push(await rejectionOf(wire.provider.listDatabases({}, opts())));
          errors.push(await rejectionOf(wire.provider.createNode({ name: 'n', region: 'us-east-1' }, opts())));
        }
        wire.emulator.setFaultHook(() => ({ kind: 'reset' }));
        errors.push(await rejectionOf(wire.provider.rebootNode('web-us-east-1a-1', opts())));
        wire.emulator.setFaultHook(() => ({ kind: 'hang' }));
        errors.push(await rejectionOf(wire.provider.stopNode('web-us-east-1a-1', { signal: AbortSignal.timeout(100) })));
        for (const error of errors) console.error(error);
      } finally {
        output.restore();
      }
      expect(seenOnWire.length).toBeGreaterThan(0);
      expect(seenOnWire.every((token) => token === CANARY_TOKEN)).toBe(true);
      expect(errors).toHaveLength(20);
      for (const error of errors) {
        const text = everythingAbout(error);
        expect(text).not.toContain(CANARY_SECRET);
        expect(text).not.toContain(CANARY_TOKEN);
      }
      expect(output.text()).not.toContain(CANARY_SECRET);
      expect(output.text()).not.toContain(CANARY_TOKEN);
      expect(output.text()).toContain('ProviderError');
    });
  });
});
