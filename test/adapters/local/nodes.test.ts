import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { allocatePort } from '../../../adapters/local/allocatePort.js';
import { LocalProvider } from '../../../adapters/local/index.js';
import type { PortPurpose } from '../../../adapters/local/index.js';
import { isTerminal, isTimeout } from '../../../src/core/contract/errors.js';
import type { Node } from '../../../src/core/contract/types.js';
import { budget, eventually, expectNothingLeft, node, probe } from './localTestKit.js';

// A port another process holds: the adapter is handed it first and must pick another.
let blocker: net.Server;
let busyPort = 0;
const handedOut: number[] = [];
let local: LocalProvider;

beforeAll(async () => {
  // It reads (and so notices) the hang-ups of health checks that reached it by mistake.
  blocker = net.createServer((socket) => socket.resume());
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  busyPort = (blocker.address() as net.AddressInfo).port;
  let first = true;
  local = await LocalProvider.start({
    allocatePort: async (purpose: PortPurpose) => {
      const port = first && purpose === 'node' ? busyPort : await allocatePort();
      first = false;
      handedOut.push(port);
      return port;
    },
  });
});

afterAll(async () => {
  const root = local?.ex_rootDir;
  await local?.close();
  if (root) await expectNothingLeft(root);
  await new Promise((resolve) => blocker.close(resolve));
});

async function running(request: { name: string; zone?: string; group?: string; clientToken?: string }): Promise<Node> {
  const created = await local.createNode({ region: 'local', ...request }, budget());
  return eventually(`${created.id} running`, async () => {
    const current = await node(local, created.id);
    return current.state === 'running' ? current : undefined;
  });
}

function getHealth(endpoint: string): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    http
      .get(`http://${endpoint}/health`, (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }));
      })
      .on('error', reject);
  });
}

describe('locations and sizes', () => {
  test('one region with the configured zones, all available', async () => {
    const [region, ...others] = await local.listLocations(budget());
    expect(others).toEqual([]);
    expect(region!.id).toBe('local');
    expect(region!.zones.map((zone) => [zone.id, zone.status])).toEqual([
      ['local-a', 'available'],
      ['local-b', 'available'],
      ['local-c', 'available'],
    ]);
  });

  test('sizes cost nothing on a local machine', async () => {
    const sizes = await local.listSizes({}, budget());
    expect(sizes.map((size) => size.id)).toEqual(['local.small', 'local.medium']);
    for (const size of sizes) {
      expect(size.pricePerHour).toBe(0);
      expect(size.priceSource).toMatch(/local machine/);
    }
  });
});

describe('node life cycle', () => {
  test('a created node is pending, then running and answering GET /health, even when its first port was taken', async () => {
    const created = await local.createNode({ name: 'web-1', region: 'local', zone: 'local-a', group: 'web' }, budget());
    expect(created).toMatchObject({ state: 'pending', zone: 'local-a', group: 'web', size: 'local.small', provider: 'local' });
    const ready = await eventually('web-1 running', async () => {
      const current = await node(local, created.id);
      return current.state === 'running' ? current : undefined;
    });
    expect(handedOut[0]).toBe(busyPort);
    expect(ready.endpoint).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(ready.endpoint).not.toBe(`127.0.0.1:${busyPort}`);
    const health = await getHealth(ready.endpoint!);
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'ok', id: created.id, zone: 'local-a' });
    expect(await probe(local, ready)).toEqual({ ok: true });
  });

  test('a client token makes createNode idempotent', async () => {
    const first = await local.createNode({ name: 'tok', region: 'local', zone: 'local-b', clientToken: 't-1' }, budget());
    const again = await local.createNode({ name: 'tok', region: 'local', zone: 'local-b', clientToken: 't-1' }, budget());
    expect(again.id).toBe(first.id);
    await expect(
      local.createNode({ name: 'other', region: 'local', zone: 'local-b', clientToken: 't-1' }, budget()),
    ).rejects.toMatchObject({ kind: 'invalid-input' });
  });

  test('untargeted nodes are spread over the zones', async () => {
    const zones = new Set<string>();
    for (let index = 0; index < 3; index++) {
      zones.add((await local.createNode({ name: `spread-${index}`, region: 'local' }, budget())).zone);
    }
    expect(zones.size).toBe(3);
  });

  test('stop keeps the node as stopped; start brings it back on the same endpoint', async () => {
    const web = await running({ name: 'stop-me', zone: 'local-b' });
    await local.stopNode(web.id, budget());
    const stopped = await eventually('stopped', async () => {
      const current = await node(local, web.id);
      return current.state === 'stopped' ? current : undefined;
    });
    expect(await probe(local, stopped)).toEqual({ ok: false, failure: 'refused' });
    await local.stopNode(web.id, budget()); // idempotent
    await local.startNode(web.id, budget());
    const back = await eventually('running again', async () => {
      const current = await node(local, web.id);
      return current.state === 'running' ? current : undefined;
    });
    expect(back.endpoint).toBe(web.endpoint);
    await local.startNode(web.id, budget()); // idempotent on a running node
    expect((await node(local, web.id)).state).toBe('running');
  });

  test('reboot restarts the process', async () => {
    const web = await running({ name: 'reboot-me', zone: 'local-c' });
    await local.rebootNode(web.id, budget());
    expect((await node(local, web.id)).state).toBe('rebooting');
    const back = await eventually('running after reboot', async () => {
      const current = await node(local, web.id);
      return current.state === 'running' ? current : undefined;
    });
    expect(back.extra['pid']).not.toBe(web.extra['pid']);
  });

  test('destroy kills the process and the node stays terminated', async () => {
    const web = await running({ name: 'destroy-me', zone: 'local-a' });
    await local.destroyNode(web.id, budget());
    expect((await node(local, web.id)).state).toBe('terminated');
    await local.destroyNode(web.id, budget()); // idempotent
    const error = await local.startNode(web.id, budget()).catch((caught: unknown) => caught);
    expect(isTerminal(error)).toBe(true);
    await eventually('process gone', async () => {
      try {
        process.kill(web.extra['pid'] as number, 0);
        return false;
      } catch {
        return true;
      }
    });
  });

  test('listNodes filters by zone, group, state and id', async () => {
    const all = await local.listNodes({}, budget());
    expect(all.length).toBeGreaterThan(3);
    const inA = await local.listNodes({ zone: 'local-a' }, budget());
    expect(inA.length).toBeGreaterThan(0);
    expect(inA.length).toBeLessThan(all.length);
    expect(inA.every((n) => n.zone === 'local-a')).toBe(true);
    expect((await local.listNodes({ group: 'web' }, budget())).map((n) => n.name)).toEqual(['web-1']);
    expect((await local.listNodes({ states: ['terminated'] }, budget())).map((n) => n.name)).toEqual(['destroy-me']);
    expect(await local.listNodes({ ids: [all[0]!.id] }, budget())).toHaveLength(1);
    expect(await local.listNodes({ ids: ['no-such-node'] }, budget())).toEqual([]);
  });
});

describe('bad input', () => {
  test('unknown region, zone, size or node is invalid input with a clear message', async () => {
    await expect(local.createNode({ name: 'x', region: 'mars' }, budget())).rejects.toMatchObject({
      kind: 'invalid-input',
      message: expect.stringContaining('unknown region "mars"'),
    });
    await expect(local.createNode({ name: 'x', region: 'local', zone: 'local-z' }, budget())).rejects.toMatchObject({
      kind: 'invalid-input',
      message: expect.stringContaining('unknown zone "local-z"'),
    });
    await expect(local.createNode({ name: 'x', region: 'local', size: 'huge' }, budget())).rejects.toMatchObject({
      kind: 'invalid-input',
      message: expect.stringContaining('unknown size "huge"'),
    });
    for (const call of [
      () => local.rebootNode('ghost', budget()),
      () => local.startNode('ghost', budget()),
      () => local.stopNode('ghost', budget()),
      () => local.destroyNode('ghost', budget()),
    ]) {
      await expect(call()).rejects.toMatchObject({ kind: 'invalid-input', message: expect.stringContaining('"ghost"') });
    }
    await expect(local.listNodes({ zone: 'local-z' }, budget())).rejects.toMatchObject({ kind: 'invalid-input' });
    await expect(local.zoneStatus({ region: 'mars' }, budget())).rejects.toMatchObject({ kind: 'invalid-input' });
    expect(() => local.ex_injectZoneFault('local-z', 'power')).toThrow(/unknown zone/);
    expect(() => local.ex_injectZoneFault('local-a', 'flood' as never)).toThrow(/unknown fault/);
  });

  test('an aborted signal is a timeout', async () => {
    const controller = new AbortController();
    controller.abort();
    const error = await local.listNodes({}, { signal: controller.signal }).catch((caught: unknown) => caught);
    expect(isTimeout(error)).toBe(true);
  });
});

describe('zone faults on nodes', () => {
  test('unreachable: nodes hang but are listed running; they answer again once cleared', async () => {
    const web = await running({ name: 'frozen', zone: 'local-c' });
    local.ex_injectZoneFault('local-c', 'unreachable');
    try {
      expect(await probe(local, web, 500)).toEqual({ ok: false, failure: 'timeout' });
      expect((await node(local, web.id)).state).toBe('running');
      // The control plane still works: a node created there starts but cannot be reached.
      const late = await local.createNode({ name: 'late', region: 'local', zone: 'local-c' }, budget());
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect((await node(local, late.id)).state).toBe('pending');
    } finally {
      local.ex_clearZoneFault('local-c');
    }
    expect(await probe(local, web)).toEqual({ ok: true });
  });

  test('power: nodes stop and stay stopped; nothing starts in the zone until it is cleared', async () => {
    const web = await running({ name: 'powered', zone: 'local-b' });
    local.ex_injectZoneFault('local-b', 'power');
    await eventually('stopped by the power cut', async () => (await node(local, web.id)).state === 'stopped');
    await expect(local.startNode(web.id, budget())).rejects.toMatchObject({ kind: 'retryable' });
    await expect(local.createNode({ name: 'x', region: 'local', zone: 'local-b' }, budget())).rejects.toMatchObject({
      kind: 'retryable',
    });
    for (let index = 0; index < 4; index++) {
      expect((await local.createNode({ name: `dodge-${index}`, region: 'local' }, budget())).zone).not.toBe('local-b');
    }
    local.ex_clearZoneFault('local-b');
    expect((await node(local, web.id)).state).toBe('stopped');
    await local.startNode(web.id, budget());
    await eventually('running after power is back', async () => (await node(local, web.id)).state === 'running');
  });
});
