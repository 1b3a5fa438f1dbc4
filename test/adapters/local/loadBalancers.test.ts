import fs from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { LocalProvider, type EndpointRouterKind } from '../../../adapters/local/index.js';
import { requiredServer } from '../../support/requiredServer.js';
import { budget, eventually } from './localTestKit.js';

const LB = 'web-lb';
/** Requests per look: round robin over three nodes, so each node in rotation gets several. */
const REQUESTS = 12;

/** One `GET /health` through the load balancer on a fresh connection: the zone of the node that answered. */
function zoneAnswering(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: '127.0.0.1', port, path: '/health', agent: false, timeout: 5000 }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => {
        if (response.statusCode !== 200) return reject(new Error(`HTTP ${response.statusCode}: ${body}`));
        resolve((JSON.parse(body) as { zone: string }).zone);
      });
    });
    request.on('timeout', () => request.destroy(new Error('timed out')));
    request.on('error', reject);
  });
}

/** The zones that answered {@link REQUESTS} requests through the load balancer, sorted. */
async function zonesReached(local: LocalProvider): Promise<string[]> {
  const { port } = local.ex_loadBalancerAddress(LB);
  const zones = new Set<string>();
  for (let i = 0; i < REQUESTS; i++) zones.add(await zoneAnswering(port));
  return [...zones].sort();
}

async function zoneState(local: LocalProvider, zone: string) {
  const [lb] = await local.listLoadBalancers({ ids: [LB] }, budget());
  return lb!.zones.find((state) => state.zone === zone)!;
}

function balancerSuite(router: EndpointRouterKind): void {
  describe(`load balancer through ${router}`, () => {
    let local: LocalProvider;

    beforeAll(async () => {
      local = await LocalProvider.start({
        router,
        topology: { groups: [{ id: 'web', nodes: { 'local-a': 2, 'local-b': 1 } }], loadBalancers: [{ id: LB, group: 'web' }] },
      });
    }, 180_000);

    afterAll(async () => {
      await local?.close();
    });

    test('every zone of the group gets requests; the listing counts each zone\'s nodes, and HAProxy\'s own checks see them', async () => {
      const [lb] = await local.listLoadBalancers({ group: 'web' }, budget());
      expect(lb).toMatchObject({ id: LB, provider: 'local', region: 'local', group: 'web', extra: { router, host: '127.0.0.1' } });
      expect(lb!.zones.map((zone) => [zone.zone, zone.inRotation, zone.targets])).toEqual([
        ['local-a', true, 2],
        ['local-b', true, 1],
        ['local-c', true, 0],
      ]);
      if (router === 'haproxy') {
        await eventually('HAProxy to see every node healthy', async () => (await zoneState(local, 'local-a')).healthyTargets === 2);
        const config = await fs.readFile(path.join(local.ex_rootDir, 'routers', 'lb1.cfg'), 'utf8');
        expect(config).toMatch(/stats socket \S+ mode 600 level admin/);
        expect(config).toContain('option httpchk GET /health');
      } else {
        expect(lb!.zones[0]!.healthyTargets).toBeNull();
      }
      expect(await zonesReached(local)).toEqual(['local-a', 'local-b']);
    });

    test('a zone shifted away gets no request until it is shifted back', async () => {
      await local.shiftTraffic({ loadBalancer: LB, zone: 'local-a', away: true, expiresInSeconds: 3600 }, budget());
      // Applied before the call returns.
      expect(await zonesReached(local)).toEqual(['local-b']);
      const shifted = await zoneState(local, 'local-a');
      expect(shifted.inRotation).toBe(false);
      expect(shifted.shift).toBeDefined();
      // HAProxy's checks pause in maintenance: it cannot say.
      if (router === 'haproxy') expect(shifted.healthyTargets).toBeNull();
      await local.shiftTraffic({ loadBalancer: LB, zone: 'local-a', away: false }, budget());
      expect(await zonesReached(local)).toEqual(['local-a', 'local-b']);
      const back = await zoneState(local, 'local-a');
      expect(back.inRotation).toBe(true);
      expect(back.shift).toBeUndefined();
    });

    test('an expired shift is over: the zone is back in rotation by itself and reads so', async () => {
      await local.shiftTraffic({ loadBalancer: LB, zone: 'local-b', away: true, expiresInSeconds: 1 }, budget());
      expect(await zonesReached(local)).toEqual(['local-a']);
      // Requests first, no listing: the expiry itself brings the zone back, not a later read.
      await eventually('requests to reach local-b again', async () => (await zonesReached(local)).includes('local-b'), 10_000, 200);
      const expired = await zoneState(local, 'local-b');
      expect(expired.inRotation).toBe(true);
      expect(expired.shift).toBeUndefined();
    });

    test('a node created in the group joins its zone\'s rotation; one destroyed leaves it', async () => {
      const node = await local.createNode({ name: 'web-late', region: 'local', zone: 'local-c', group: 'web' }, budget());
      await eventually('the new node to run', async () => (await local.listNodes({ ids: [node.id] }, budget()))[0]?.state === 'running');
      expect((await zoneState(local, 'local-c')).targets).toBe(1);
      expect(await zonesReached(local)).toEqual(['local-a', 'local-b', 'local-c']);
      await local.destroyNode(node.id, budget());
      expect((await zoneState(local, 'local-c')).targets).toBe(0);
      expect(await zonesReached(local)).toEqual(['local-a', 'local-b']);
    });
  });
}

const haproxy = requiredServer('HAProxy', 'haproxy', 'apt-get install -y haproxy');
if (!haproxy.skip()) balancerSuite('haproxy');
balancerSuite('forwarder');
