import { afterEach, beforeEach, describe, expect, it, type TestContext } from 'vitest';
import { isInvalidInput, isProviderError, isTerminal, isTimeout } from '../../src/core/contract/errors.js';
import type { CallOptions } from '../../src/core/contract/Provider.js';
import type { Capabilities, CreateNodeRequest, DatabaseInstance, Node, ZoneProviderStatus } from '../../src/core/contract/types.js';
import { waitUntilRunning } from '../../src/core/contract/waitUntilRunning.js';
import { hasEndpoints, hasLoadBalancers } from '../../src/core/contract/trafficCapabilities.js';
import type { ConformanceFixture } from './ConformanceFixture.js';

/** How long one call may take (wall clock) before the suite gives up on it. */
const CALL_BUDGET_MS = 60_000;
/** How much (adapter) time a state change may take: generous for real clouds, minutes for sim. */
const CHANGE_BUDGET_MS = 20 * 60_000;
/** Time let pass between two looks at the world. */
const STEP_MS = 5_000;
const ZONE_STATUSES: readonly ZoneProviderStatus[] = ['available', 'impaired', 'unavailable', 'unknown'];

/**
 * The provider contract, tested the same way on every adapter (sim, local,
 * aws, gcp). Each test gets a fresh fixture. Tests of optional operations are
 * skipped only when the adapter does not declare the capability; everything
 * else must pass.
 */
export function runConformance(name: string, factory: () => Promise<ConformanceFixture>): void {
  describe(`provider contract: ${name}`, () => {
    let fx: ConformanceFixture;
    let created: string[];

    beforeEach(async () => {
      fx = await factory();
      created = [];
    });

    afterEach(async () => {
      for (const id of created) await fx.provider.destroyNode(id, options()).catch(() => undefined);
      await fx.close();
    });

    // ---- helpers (they use the current fixture) ----------------------------

    const options = (): CallOptions => ({ signal: AbortSignal.timeout(CALL_BUDGET_MS) });

    const requires = (ctx: TestContext, ...capabilities: (keyof Capabilities)[]): void => {
      const missing = capabilities.filter((capability) => !fx.provider.capabilities[capability]);
      ctx.skip(missing.length > 0, `${name} does not declare ${missing.join(', ')}`);
    };

    /**
     * For the optional traffic capabilities: true when declared (the test goes on); when not, the
     * declaration must be honest (the methods absent, so the controller never plans them) and the
     * test ends there, passing on that check instead of being skipped.
     */
    const declares = (capability: 'endpoints' | 'loadBalancers'): boolean => {
      if (fx.provider.capabilities[capability]) return true;
      expect(capability === 'endpoints' ? hasEndpoints(fx.provider) : hasLoadBalancers(fx.provider)).toBe(false);
      return false;
    };

    const uniqueGroup = (): string => `conformance-${Math.random().toString(36).slice(2, 8)}`;

    const createNode = async (request: Partial<CreateNodeRequest> & { group: string }): Promise<Node> => {
      const node = await fx.provider.createNode({ name: request.group, region: fx.region, ...request }, options());
      created.push(node.id);
      return node;
    };

    /** Lets time pass until `promise` settles (a virtual clock only moves when told to). */
    const whileAdvancing = async <T>(promise: Promise<T>, budgetMs = CHANGE_BUDGET_MS): Promise<T> => {
      let settled = false;
      promise.then(
        () => (settled = true),
        () => (settled = true),
      );
      for (let spent = 0; !settled && spent <= budgetMs; spent += STEP_MS) await fx.advance(STEP_MS);
      return promise;
    };

    const untilRunning = (ids: string[]): Promise<Node[]> =>
      whileAdvancing(waitUntilRunning(fx.provider, ids, { clock: fx.clock, timeoutMs: CHANGE_BUDGET_MS, intervalMs: STEP_MS }));

    /** Looks until `check` returns something, letting time pass in between. */
    const eventually = async <T>(what: string, check: () => Promise<T | undefined>): Promise<T> => {
      for (let spent = 0; ; spent += STEP_MS) {
        const value = await check();
        if (value !== undefined) return value;
        if (spent >= CHANGE_BUDGET_MS) throw new Error(`${name}: ${what} did not happen within ${CHANGE_BUDGET_MS} ms`);
        await fx.advance(STEP_MS);
      }
    };

    const nodeById = async (id: string): Promise<Node | undefined> =>
      (await fx.provider.listNodes({ ids: [id] }, options())).find((node) => node.id === id);

    const nodeInState = (id: string, state: Node['state']) =>
      eventually(`node ${id} ${state}`, async () => {
        const node = await nodeById(id);
        return node?.state === state ? node : undefined;
      });

    const database = (): NonNullable<ConformanceFixture['database']> => {
      if (fx.database === undefined) throw new Error(`${name} declares databases but its fixture has none`);
      return fx.database;
    };

    const instance = async (id: string): Promise<DatabaseInstance | undefined> =>
      (await fx.provider.listDatabases({ ids: [id] }, options())).find((db) => db.id === id);

    const instanceWhere = (what: string, id: string, predicate: (db: DatabaseInstance) => boolean) =>
      eventually(`${id} ${what}`, async () => {
        const db = await instance(id);
        return db !== undefined && predicate(db) ? db : undefined;
      });

    const rejection = async (promise: Promise<unknown>): Promise<unknown> => {
      try {
        await promise;
      } catch (error) {
        return error;
      }
      throw new Error('expected the call to reject, but it resolved');
    };

    const expectInvalidInput = async (promise: Promise<unknown>): Promise<void> => {
      const error = await rejection(promise);
      expect(isProviderError(error), String(error)).toBe(true);
      expect(isInvalidInput(error), String(error)).toBe(true);
    };

    // ---- locations --------------------------------------------------------

    describe('locations', () => {
      it('listLocations includes the region and its zones', async () => {
        const regions = await fx.provider.listLocations(options());
        const region = regions.find((each) => each.id === fx.region);
        expect(region, `region ${fx.region} listed`).toBeDefined();
        expect(region!.provider).toBe(fx.provider.id);
        expect(region!.zones.map((zone) => zone.id)).toEqual(expect.arrayContaining([...fx.zones]));
        for (const zone of region!.zones) expect(zone.region).toBe(fx.region);
      });

      it('zoneStatus reports every zone of the region with a known status', async (ctx) => {
        requires(ctx, 'zoneStatus');
        const zones = await fx.provider.zoneStatus({ region: fx.region }, options());
        expect(zones.map((zone) => zone.id)).toEqual(expect.arrayContaining([...fx.zones]));
        for (const zone of zones) {
          expect(zone.region).toBe(fx.region);
          expect(ZONE_STATUSES).toContain(zone.status);
        }
        const everywhere = await fx.provider.zoneStatus({}, options());
        expect(everywhere.map((zone) => zone.id)).toEqual(expect.arrayContaining([...fx.zones]));
      });

      it('listSizes gives sizes with a numeric price per hour', async () => {
        const sizes = await fx.provider.listSizes({ region: fx.region }, options());
        expect(sizes.length).toBeGreaterThan(0);
        for (const size of sizes) {
          expect(size.provider).toBe(fx.provider.id);
          expect(size.vcpus).toBeGreaterThan(0);
          expect(size.memoryMiB).toBeGreaterThan(0);
          if (size.pricePerHour !== null) expect(size.pricePerHour).toBeGreaterThanOrEqual(0);
        }
        expect(sizes.some((size) => typeof size.pricePerHour === 'number' && Number.isFinite(size.pricePerHour))).toBe(true);
      });
    });

    // ---- nodes ------------------------------------------------------------

    describe('nodes', () => {
      it('createNode in a zone puts the node there, and it reaches running', async (ctx) => {
        requires(ctx, 'nodes');
        const group = uniqueGroup();
        const node = await createNode({ group, zone: fx.zones[0] });
        expect(node.zone).toBe(fx.zones[0]);
        expect(node.region).toBe(fx.region);
        expect(node.provider).toBe(fx.provider.id);
        expect(node.group).toBe(group);
        expect(['pending', 'running']).toContain(node.state);
        const [running] = await untilRunning([node.id]);
        expect(running).toMatchObject({ id: node.id, state: 'running', zone: fx.zones[0] });
      });

      it('createNode without a zone places the node in a zone of the region', async (ctx) => {
        requires(ctx, 'nodes');
        const node = await createNode({ group: uniqueGroup() });
        expect(node.region).toBe(fx.region);
        const regions = await fx.provider.listLocations(options());
        const zones = regions.find((region) => region.id === fx.region)!.zones.map((zone) => zone.id);
        expect(zones).toContain(node.zone);
        const [running] = await untilRunning([node.id]);
        expect(running!.state).toBe('running');
      });

      it('createNode with the same clientToken returns the same node, created once', async (ctx) => {
        requires(ctx, 'nodes');
        const group = uniqueGroup();
        const request = { group, zone: fx.zones[0], clientToken: `${group}-token` };
        const first = await createNode(request);
        const second = await createNode(request);
        expect(second.id).toBe(first.id);
        const listed = await fx.provider.listNodes({ group }, options());
        expect(listed.map((node) => node.id)).toEqual([first.id]);
      });

      it('listNodes filters by region, zone, group, states and ids', async (ctx) => {
        requires(ctx, 'nodes');
        const group = uniqueGroup();
        const zoneA = fx.zones[0]!;
        const zoneB = fx.zones[1 % fx.zones.length]!;
        const a = await createNode({ group, zone: zoneA });
        const b = await createNode({ group, zone: zoneB });
        await untilRunning([a.id, b.id]);
        const ids = async (filter: Parameters<typeof fx.provider.listNodes>[0]) =>
          (await fx.provider.listNodes(filter, options())).map((node) => node.id).sort();

        expect(await ids({ group })).toEqual([a.id, b.id].sort());
        expect(await ids({ group, region: fx.region })).toEqual([a.id, b.id].sort());
        expect(await ids({ ids: [a.id] })).toEqual([a.id]);
        expect(await ids({ group, states: ['running'] })).toEqual([a.id, b.id].sort());
        expect(await ids({ group, states: ['stopped', 'terminated'] })).toEqual([]);
        const inZoneA = await fx.provider.listNodes({ zone: zoneA }, options());
        expect(inZoneA.map((node) => node.id)).toContain(a.id);
        for (const node of inZoneA) expect(node.zone).toBe(zoneA);
        if (zoneA !== zoneB) expect(await ids({ group, zone: zoneA })).toEqual([a.id]);
      });

      it('rebootNode brings the node back running; rebooting again is accepted', async (ctx) => {
        requires(ctx, 'nodes');
        const node = await createNode({ group: uniqueGroup(), zone: fx.zones[0] });
        await untilRunning([node.id]);
        await fx.provider.rebootNode(node.id, options());
        await fx.provider.rebootNode(node.id, options());
        const [running] = await untilRunning([node.id]);
        expect(running).toMatchObject({ id: node.id, zone: fx.zones[0], state: 'running' });
      });

      it('stopNode stops the node and startNode starts it again; both are idempotent', async (ctx) => {
        requires(ctx, 'nodes', 'startStopNodes');
        const node = await createNode({ group: uniqueGroup(), zone: fx.zones[0] });
        await untilRunning([node.id]);
        await fx.provider.stopNode(node.id, options());
        expect((await nodeById(node.id))!.state).not.toBe('running');
        await nodeInState(node.id, 'stopped');
        await fx.provider.stopNode(node.id, options());
        expect((await nodeById(node.id))!.state).toBe('stopped');
        await fx.provider.startNode(node.id, options());
        const [running] = await untilRunning([node.id]);
        expect(running!.state).toBe('running');
        await fx.provider.startNode(node.id, options());
        expect((await nodeById(node.id))!.state).toBe('running');
      });

      it('destroyNode terminates the node; destroying it again succeeds', async (ctx) => {
        requires(ctx, 'nodes');
        const node = await createNode({ group: uniqueGroup(), zone: fx.zones[0] });
        await untilRunning([node.id]);
        await fx.provider.destroyNode(node.id, options());
        await eventually(`node ${node.id} terminated`, async () => {
          const listed = await nodeById(node.id);
          return listed === undefined || listed.state === 'terminated' ? true : undefined;
        });
        await expect(fx.provider.destroyNode(node.id, options())).resolves.toBeUndefined();
      });
    });

    // ---- errors -----------------------------------------------------------

    describe('errors', () => {
      it('createNode with an unknown region, zone or size is invalid-input and creates nothing', async (ctx) => {
        requires(ctx, 'nodes');
        const group = uniqueGroup();
        await expectInvalidInput(createNode({ group, region: 'lifeboat-no-such-region' }));
        await expectInvalidInput(createNode({ group, zone: 'lifeboat-no-such-zone' }));
        await expectInvalidInput(createNode({ group, zone: fx.zones[0], size: 'lifeboat-no-such-size' }));
        expect(await fx.provider.listNodes({ group }, options())).toEqual([]);
      });

      it('operations on an unknown node are invalid-input', async (ctx) => {
        requires(ctx, 'nodes');
        const id = 'lifeboat-no-such-node';
        await expectInvalidInput(fx.provider.rebootNode(id, options()));
        await expectInvalidInput(fx.provider.destroyNode(id, options()));
        if (fx.provider.capabilities.startStopNodes) {
          await expectInvalidInput(fx.provider.stopNode(id, options()));
          await expectInvalidInput(fx.provider.startNode(id, options()));
        }
      });

      it('operations on an unknown database are invalid-input', async (ctx) => {
        requires(ctx, 'databases');
        const id = 'lifeboat-no-such-database';
        if (fx.provider.capabilities.promoteReplica) await expectInvalidInput(fx.provider.promoteReplica(id, options()));
        if (fx.provider.capabilities.stopDatabase) await expectInvalidInput(fx.provider.stopDatabase(id, options()));
        if (fx.provider.capabilities.rebootDatabase) await expectInvalidInput(fx.provider.rebootDatabase(id, options()));
        if (fx.provider.capabilities.createReplica) {
          await expectInvalidInput(
            fx.provider.createReplica({ source: id, id: `${id}-replica`, region: fx.region }, options()),
          );
        }
      });

      it('a call whose signal already fired rejects with a timeout ProviderError and has no effect', async () => {
        const controller = new AbortController();
        controller.abort();
        const aborted = { signal: controller.signal };
        const expectTimeout = async (promise: Promise<unknown>) => {
          const error = await rejection(promise);
          expect(isProviderError(error), String(error)).toBe(true);
          expect(isTimeout(error), String(error)).toBe(true);
        };
        await expectTimeout(fx.provider.listLocations(aborted));
        if (fx.provider.capabilities.nodes) {
          const group = uniqueGroup();
          await expectTimeout(fx.provider.listNodes({}, aborted));
          await expectTimeout(fx.provider.createNode({ name: group, group, region: fx.region, zone: fx.zones[0] }, aborted));
          expect(await fx.provider.listNodes({ group }, options())).toEqual([]);
        }
        if (fx.provider.capabilities.databases) await expectTimeout(fx.provider.listDatabases({}, aborted));
      });
    });

    // ---- databases --------------------------------------------------------

    describe('databases', () => {
      it('listDatabases shows the primary and a replica following it', async (ctx) => {
        requires(ctx, 'databases');
        const { cluster, primary, replica } = database();
        const instances = await fx.provider.listDatabases({ cluster }, options());
        const p = instances.find((db) => db.id === primary);
        const r = instances.find((db) => db.id === replica);
        expect(p).toMatchObject({ cluster, role: 'primary', state: 'available', provider: fx.provider.id });
        expect(r).toMatchObject({ cluster, role: 'replica', state: 'available', provider: fx.provider.id });
        for (const db of instances) expect(db.cluster).toBe(cluster);
        if (fx.provider.capabilities.replicationStatus) {
          const replication = r!.replication!;
          expect(replication.upstream).toBe(primary);
          expect(replication.state).toBe('streaming');
          expect(typeof replication.lagSeconds).toBe('number');
          expect(replication.lagSeconds!).toBeGreaterThanOrEqual(0);
        }
        expect((await fx.provider.listDatabases({ ids: [replica] }, options())).map((db) => db.id)).toEqual([replica]);
        const inZone = await fx.provider.listDatabases({ zone: p!.zone }, options());
        expect(inZone.map((db) => db.id)).toContain(primary);
        for (const db of inZone) expect(db.zone).toBe(p!.zone);
        const inRegion = await fx.provider.listDatabases({ region: p!.region }, options());
        expect(inRegion.map((db) => db.id)).toContain(primary);
        for (const db of inRegion) expect(db.region).toBe(p!.region);
      });

      it('promoteReplica makes the replica a writable primary; promoting again is a no-op', async (ctx) => {
        requires(ctx, 'databases', 'promoteReplica');
        const { replica } = database();
        await fx.provider.promoteReplica(replica, options());
        await fx.provider.promoteReplica(replica, options());
        const promoted = await instanceWhere('available as a primary', replica, (db) => db.role === 'primary' && db.state === 'available');
        expect(promoted.replication).toBeUndefined();
        await fx.provider.promoteReplica(replica, options());
        expect(await instance(replica)).toMatchObject({ role: 'primary', state: 'available' });
      });

      it('promoting the primary is a no-op', async (ctx) => {
        requires(ctx, 'databases', 'promoteReplica');
        const { primary } = database();
        await fx.provider.promoteReplica(primary, options());
        expect(await instance(primary)).toMatchObject({ role: 'primary', state: 'available' });
      });

      it('stopDatabase fences the instance at once and stops it; stopping again succeeds', async (ctx) => {
        requires(ctx, 'databases', 'stopDatabase');
        const { primary, replica } = database();
        if (fx.provider.capabilities.stopRefusedWithReplicas) {
          // The declared restriction holds: refused (terminal) while a replica follows; allowed once it is deleted.
          const refused = await rejection(fx.provider.stopDatabase(primary, options()));
          expect(isProviderError(refused) && refused.kind, String(refused)).toBe('terminal');
          expect((await instance(primary))!.state).toBe('available');
          await fx.provider.destroyDatabase(replica, options());
          await eventually(`${replica} gone`, async () => ((await instance(replica)) === undefined ? true : undefined));
        }
        await fx.provider.stopDatabase(primary, options());
        expect(['stopping', 'stopped']).toContain((await instance(primary))!.state);
        await instanceWhere('stopped', primary, (db) => db.state === 'stopped');
        await fx.provider.stopDatabase(primary, options());
        expect((await instance(primary))!.state).toBe('stopped');
      });

      it('createReplica creates a replica of the primary that ends up streaming; repeating it returns the same', async (ctx) => {
        requires(ctx, 'databases', 'createReplica');
        const { cluster, primary } = database();
        const id = `${cluster}-conformance-${Math.random().toString(36).slice(2, 6)}`;
        const request = { source: primary, id, region: fx.region, zone: fx.zones[fx.zones.length - 1] };
        const replica = await fx.provider.createReplica(request, options());
        expect(replica).toMatchObject({ id, cluster, role: 'replica', region: fx.region });
        expect(['creating', 'available']).toContain(replica.state);
        expect((await fx.provider.createReplica(request, options())).id).toBe(id);
        const ready = await instanceWhere('available', id, (db) => db.state === 'available');
        if (fx.provider.capabilities.replicationStatus) {
          expect(ready.replication).toMatchObject({ upstream: primary, state: 'streaming' });
          expect(typeof ready.replication!.lagSeconds).toBe('number');
        }
      });

      it('rebootDatabase brings the instance back available', async (ctx) => {
        requires(ctx, 'databases', 'rebootDatabase');
        const { replica } = database();
        await fx.provider.rebootDatabase(replica, options());
        const back = await instanceWhere('available again', replica, (db) => db.state === 'available');
        expect(back.role).toBe('replica');
      });

      it('destroyDatabase deletes a replica: it stops serving at once, then leaves the listings; destroying it again succeeds', async (ctx) => {
        requires(ctx, 'databases', 'destroyDatabase');
        const { cluster, primary, replica } = database();
        await fx.provider.destroyDatabase(replica, options());
        const now = await instance(replica);
        // Gone at once, or on its way out (RDS `deleting`, Cloud SQL `PENDING_DELETE`): never serving again.
        if (now !== undefined) expect(['stopping', 'stopped']).toContain(now.state);
        await fx.provider.destroyDatabase(replica, options());
        await eventually(`${replica} gone`, async () => ((await instance(replica)) === undefined ? true : undefined));
        // Providers forget deleted instances: destroying one again, or one never heard of, is success.
        await expect(fx.provider.destroyDatabase(replica, options())).resolves.toBeUndefined();
        await expect(fx.provider.destroyDatabase('lifeboat-no-such-database', options())).resolves.toBeUndefined();
        const left = await fx.provider.listDatabases({ cluster }, options());
        expect(left.map((db) => db.id)).not.toContain(replica);
        expect(left.find((db) => db.id === primary)).toMatchObject({ role: 'primary', state: 'available' });
      });

      it('destroyDatabase refuses (terminal) an instance that a replica follows, and leaves both as they were', async (ctx) => {
        requires(ctx, 'databases', 'destroyDatabase');
        const { primary, replica } = database();
        const error = await rejection(fx.provider.destroyDatabase(primary, options()));
        expect(isProviderError(error), String(error)).toBe(true);
        expect(isTerminal(error), String(error)).toBe(true);
        expect(await instance(primary)).toMatchObject({ role: 'primary', state: 'available' });
        const kept = await instance(replica);
        expect(kept).toMatchObject({ role: 'replica', state: 'available' });
        if (fx.provider.capabilities.replicationStatus) expect(kept!.replication).toMatchObject({ upstream: primary, state: 'streaming' });
      });

      // Not skipped where undeclared: an adapter that cannot re-point must refuse it as terminal, with no effect.
      it('repointReplica to its current upstream is a no-op (refused as terminal where the capability is not declared)', async (ctx) => {
        requires(ctx, 'databases');
        const { primary, replica } = database();
        if (!fx.provider.capabilities.repointReplica) {
          const error = await fx.provider.repointReplica(replica, primary, options()).then(() => undefined, (e: unknown) => e);
          expect(isTerminal(error), String(error)).toBe(true);
          expect(error).toMatchObject({ operation: 'repointReplica' });
          expect(await instance(replica)).toMatchObject({ role: 'replica', state: 'available' });
          return;
        }
        await fx.provider.repointReplica(replica, primary, options());
        const after = await instance(replica);
        expect(after).toMatchObject({ role: 'replica', state: 'available' });
        if (fx.provider.capabilities.replicationStatus) {
          expect(after!.replication).toMatchObject({ upstream: primary, state: 'streaming' });
        }
      });
    });

    // ---- traffic (capabilities `endpoints` and `loadBalancers`) -------------

    describe('endpoints', () => {
      const endpointOf = async (name: string) => (await fx.provider.listEndpoints!({ names: [name] }, options())).find((e) => e.name === name);

      it('listEndpoints shows the database endpoint resolving to its primary', async (ctx) => {
        if (!declares('endpoints')) return;
        requires(ctx, 'databases');
        const { cluster, primary } = database();
        const name = fx.endpoint!.name;
        const listed = await fx.provider.listEndpoints!({ database: cluster }, options());
        expect(listed.find((e) => e.name === name)).toMatchObject({ name, database: cluster, target: primary });
        for (const endpoint of listed) expect(endpoint.database).toBe(cluster);
        expect(typeof listed[0]!.ttlSeconds).toBe('number');
      });

      it('updateEndpoint points the endpoint at another instance, eventually served; repeating it is accepted and changes nothing', async (ctx) => {
        if (!declares('endpoints')) return;
        requires(ctx, 'databases');
        const { replica } = database();
        const name = fx.endpoint!.name;
        await fx.provider.updateEndpoint!(name, replica, options());
        await fx.provider.updateEndpoint!(name, replica, options());
        const served = await eventually(`${name} served as ${replica}`, async () => {
          const endpoint = await endpointOf(name);
          return endpoint?.target === replica ? endpoint : undefined;
        });
        expect(served.pendingTarget).toBeUndefined();
        await fx.provider.updateEndpoint!(name, replica, options());
        expect(await endpointOf(name)).toMatchObject({ target: replica });
        expect((await endpointOf(name))!.pendingTarget).toBeUndefined();
      });

      it('updateEndpoint of an unknown endpoint, or to an unknown instance, is invalid-input', async (ctx) => {
        if (!declares('endpoints')) return;
        requires(ctx, 'databases');
        const { primary } = database();
        expect(isInvalidInput(await rejection(fx.provider.updateEndpoint!('lifeboat-no-such-endpoint.example.com', primary, options())))).toBe(true);
        expect(isInvalidInput(await rejection(fx.provider.updateEndpoint!(fx.endpoint!.name, 'lifeboat-no-such-database', options())))).toBe(true);
        expect(await endpointOf(fx.endpoint!.name)).toMatchObject({ target: primary });
      });
    });

    describe('load balancers', () => {
      const zonesOf = async (id: string) => (await fx.provider.listLoadBalancers!({ ids: [id] }, options())).find((lb) => lb.id === id)!.zones;

      it('listLoadBalancers shows every zone in rotation, with no shift', async (ctx) => {
        if (!declares('loadBalancers')) return;
        const { id, zones } = fx.loadBalancer!;
        const [lb] = await fx.provider.listLoadBalancers!({ ids: [id] }, options());
        expect(lb).toMatchObject({ id, provider: fx.provider.id });
        expect(lb!.zones.map((z) => z.zone)).toEqual(expect.arrayContaining([...zones]));
        for (const zone of lb!.zones) {
          expect(zone.inRotation).toBe(true);
          expect(zone.shift).toBeUndefined();
        }
      });

      it('shiftTraffic takes a zone out of rotation with an expiry, renews it, and puts it back; putting back twice is accepted', async (ctx) => {
        if (!declares('loadBalancers')) return;
        const { id, zones } = fx.loadBalancer!;
        const zone = zones[0]!;
        const before = fx.clock.now();
        await fx.provider.shiftTraffic!({ loadBalancer: id, zone, away: true, expiresInSeconds: 3600 }, options());
        const shifted = await eventually(`${zone} out of rotation`, async () => {
          const state = (await zonesOf(id)).find((z) => z.zone === zone);
          return state && !state.inRotation ? state : undefined;
        });
        expect(shifted.shift!.expiresAt).toBeGreaterThanOrEqual(before + 3600_000);
        expect(shifted.shift!.expiresAt).toBeLessThanOrEqual(fx.clock.now() + 3600_000);
        await fx.provider.shiftTraffic!({ loadBalancer: id, zone, away: true, expiresInSeconds: 7200 }, options());
        const renewed = (await zonesOf(id)).find((z) => z.zone === zone)!;
        expect(renewed.shift!.expiresAt).toBeGreaterThan(shifted.shift!.expiresAt);
        await fx.provider.shiftTraffic!({ loadBalancer: id, zone, away: false }, options());
        await fx.provider.shiftTraffic!({ loadBalancer: id, zone, away: false }, options());
        const back = await eventually(`${zone} back in rotation`, async () => {
          const state = (await zonesOf(id)).find((z) => z.zone === zone);
          return state?.inRotation ? state : undefined;
        });
        expect(back.shift).toBeUndefined();
      });

      it('shiftTraffic refuses (terminal) to take the last zone out of rotation, and a shift away without an expiry (invalid-input)', async (ctx) => {
        if (!declares('loadBalancers')) return;
        const { id, zones } = fx.loadBalancer!;
        expect(isInvalidInput(await rejection(fx.provider.shiftTraffic!({ loadBalancer: id, zone: zones[0]!, away: true }, options())))).toBe(true);
        expect(isInvalidInput(await rejection(fx.provider.shiftTraffic!({ loadBalancer: 'lifeboat-no-such-lb', zone: zones[0]!, away: true, expiresInSeconds: 60 }, options())))).toBe(true);
        const all = (await zonesOf(id)).map((z) => z.zone);
        for (const zone of all.slice(0, -1)) await fx.provider.shiftTraffic!({ loadBalancer: id, zone, away: true, expiresInSeconds: 600 }, options());
        const last = all[all.length - 1]!;
        const error = await rejection(fx.provider.shiftTraffic!({ loadBalancer: id, zone: last, away: true, expiresInSeconds: 600 }, options()));
        expect(isTerminal(error), String(error)).toBe(true);
        expect((await zonesOf(id)).find((z) => z.zone === last)!.shift).toBeUndefined();
      });
    });
  });
}
