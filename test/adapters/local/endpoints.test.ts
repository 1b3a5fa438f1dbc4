import fs from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { LocalProvider, type EndpointRouterKind } from '../../../adapters/local/index.js';
import { isInvalidInput } from '../../../src/core/contract/errors.js';
import { requiredServer } from '../../support/requiredServer.js';
import { budget, eventually } from './localTestKit.js';

const NAME = 'orders.db.local';
const PRIMARY = 'orders-local-a';
const REPLICA = 'orders-b';

/** A plain client connected through the endpoint, as an application would be. */
async function connectThrough(local: LocalProvider): Promise<pg.Client> {
  const { router: _router, ...target } = local.ex_endpointConnection(NAME);
  const client = new pg.Client({ ...target, connectionTimeoutMillis: 5000, query_timeout: 5000 });
  client.on('error', () => undefined); // a cut connection also surfaces as the next query's rejection
  await client.connect();
  return client;
}

/** Which instance a client's connection ends at. */
async function serverOf(client: pg.Client): Promise<string> {
  const { rows } = await client.query<{ name: string }>("SELECT current_setting('cluster_name') AS name");
  return rows[0]!.name;
}

function endpointSuite(router: EndpointRouterKind): void {
  describe(`writer endpoint through ${router}`, () => {
    let local: LocalProvider;
    const clients: pg.Client[] = [];

    beforeAll(async () => {
      local = await LocalProvider.start({
        router,
        topology: {
          databases: [{ id: 'orders', primary: { zone: 'local-a' }, replicas: [{ id: REPLICA, zone: 'local-b', mode: 'async' }], endpoint: NAME }],
        },
      });
    }, 180_000);

    afterAll(async () => {
      for (const client of clients) await client.end().catch(() => undefined);
      await local?.close();
    });

    test('the endpoint is served by the router asked for and resolves to the primary', async () => {
      const [endpoint] = await local.listEndpoints({ database: 'orders' }, budget());
      expect(endpoint).toMatchObject({ name: NAME, database: 'orders', target: PRIMARY, ttlSeconds: 0, extra: { router, served: [PRIMARY] } });
      expect(endpoint!.pendingTarget).toBeUndefined();
      const client = await connectThrough(local);
      clients.push(client);
      expect(await serverOf(client)).toBe(PRIMARY);
      if (router === 'haproxy') {
        // Its own config: runtime API in mode 600 at admin level, one server line per instance, all but the primary disabled.
        const config = await fs.readFile(path.join(local.ex_rootDir, 'routers', 'ep1.cfg'), 'utf8');
        expect(config).toMatch(/stats socket \S+ mode 600 level admin/);
        expect(config).toContain(`server ${PRIMARY} 127.0.0.1:`);
        expect(config).toMatch(new RegExp(`server ${REPLICA} 127\\.0\\.0\\.1:\\d+ disabled`));
      }
    });

    test('moving the endpoint cuts a connected client off the old primary; reconnecting reaches the new target', async () => {
      const before = await connectThrough(local);
      clients.push(before);
      expect(await serverOf(before)).toBe(PRIMARY);
      await local.updateEndpoint(NAME, REPLICA, budget());
      // Served at once: no pending change, the router itself reports the new target only.
      const [moved] = await local.listEndpoints({ names: [NAME] }, budget());
      expect(moved).toMatchObject({ target: REPLICA, extra: { served: [REPLICA] } });
      expect(moved!.pendingTarget).toBeUndefined();
      // The old session does not linger on the old primary.
      await expect(eventually('the old connection to be cut', async () => serverOf(before).then(() => false, () => true), 5000)).resolves.toBe(true);
      const after = await connectThrough(local);
      clients.push(after);
      expect(await serverOf(after)).toBe(REPLICA);
      // Idempotent: the same change again keeps the connection to the target.
      await local.updateEndpoint(NAME, REPLICA, budget());
      expect(await serverOf(after)).toBe(REPLICA);
    });

    test('an instance created after the endpoint can be pointed at; an instance of no such cluster cannot', async () => {
      await local.createReplica({ source: REPLICA, id: 'orders-c', region: 'local', zone: 'local-c', mode: 'async' }, budget());
      await eventually('orders-c to stream', async () => {
        const [listed] = await local.listDatabases({ ids: ['orders-c'] }, budget());
        return listed?.replication?.state === 'streaming';
      }, 60_000);
      await local.updateEndpoint(NAME, 'orders-c', budget());
      const client = await connectThrough(local);
      clients.push(client);
      expect(await serverOf(client)).toBe('orders-c');
      const error = await local.updateEndpoint(NAME, 'no-such-instance', budget()).catch((e: unknown) => e);
      expect(isInvalidInput(error)).toBe(true);
      const [endpoint] = await local.listEndpoints({ names: [NAME] }, budget());
      expect(endpoint!.target).toBe('orders-c');
    }, 90_000);

    test('moved to a replica as its promotion starts (as the controller does), the endpoint serves it only once it takes writes', async () => {
      // Both calls in the same tick, promotion first, as the Executor starts the steps of one plan.
      const promotion = local.promoteReplica(REPLICA, budget());
      const moved = local.updateEndpoint(NAME, REPLICA, budget());
      await moved;
      // The first client through the moved endpoint writes; no read-only refusal from a server still in recovery.
      const client = await connectThrough(local);
      clients.push(client);
      const { rows } = await client.query<{ recovery: boolean; name: string }>(
        "SELECT pg_is_in_recovery() AS recovery, current_setting('cluster_name') AS name",
      );
      expect(rows[0]).toEqual({ recovery: false, name: REPLICA });
      await client.query('CREATE TABLE IF NOT EXISTS endpoint_after_promotion (id int)');
      await promotion;
    });

    if (router === 'haproxy') {
      test('a client connecting while the target is dead is carried to the new target as soon as the endpoint moves', async () => {
        // The target's zone loses power: its server refuses, and HAProxy holds the client while it retries.
        local.ex_injectZoneFault('local-b', 'power');
        const { router: _router, ...target } = local.ex_endpointConnection(NAME);
        const client = () => {
          const c = new pg.Client({ ...target, connectionTimeoutMillis: 10_000, query_timeout: 5000 });
          c.on('error', () => undefined);
          clients.push(c);
          return c;
        };
        let held = client();
        // Cut by the move if HAProxy was in the middle of a connect attempt to the dead server at that
        // instant (see HaproxyRouter.point): then the client reconnects at once, as any client does.
        const connected = held.connect().then(
          () => performance.now(),
          async () => {
            held = client();
            await held.connect();
            return performance.now();
          },
        );
        // Its startup packet is in HAProxy by now, waiting for a retry.
        await new Promise((resolve) => setTimeout(resolve, 300));
        await local.updateEndpoint(NAME, 'orders-c', budget());
        const movedAt = performance.now();
        const connectedAt = await connected;
        // It reaches the new target within one retry pause of the move (without redispatch it stayed
        // on the dead server until its own timeout).
        expect(await serverOf(held)).toBe('orders-c');
        expect(connectedAt - movedAt).toBeLessThan(900);
      }, 60_000);
    }
  });
}

const haproxy = requiredServer('HAProxy', 'haproxy', 'apt-get install -y haproxy');
if (!haproxy.skip()) endpointSuite('haproxy');
endpointSuite('forwarder');
