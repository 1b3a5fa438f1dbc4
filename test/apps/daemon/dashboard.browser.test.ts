import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
// Page functions are passed as strings: this project compiles without the DOM library.
import { afterEach, describe, expect, test } from 'vitest';
import { requiredServer } from '../../support/requiredServer.js';
import { spawnCli, stop, waitFor, type CliProcess } from './daemonProcess.js';
import { failoverWorld, fastDaemonConfig } from './failoverWorld.js';
import type { DaemonStatus } from '../../../src/apps/daemon/DaemonStatus.js';

/** Debian's chromium (`.ci/run` installs it), found on PATH. Under CI its absence fails the run. */
const CHROMIUM = requiredServer('Chromium', 'chromium', "install Debian's chromium (apt-get install -y chromium)");
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const WORLD = failoverWorld({ name: 'dashboard-test', impairAt: '5s', latency: 'promoteReplica: 500ms, repointReplica: 500ms', webGroup: true });
/** The API wants a read token; the page gets it from its URL fragment. */
const READ_TOKEN = 'dashboard-read-token-0123456789';
const CONFIG = fastDaemonConfig({ id: 'dashboard-test', provider: 'world: world.yaml', webGroup: true }).replace('api: { listen: "127.0.0.1:0" }', `api: { listen: "127.0.0.1:0", readToken: ${READ_TOKEN} }`);

/** Width and height from a PNG's IHDR chunk; throws when the bytes are not a PNG. */
function pngSize(bytes: Buffer): { width: number; height: number } {
  if (bytes.subarray(0, 8).toString('hex') !== '89504e470d0a1a0a' || bytes.subarray(12, 16).toString('ascii') !== 'IHDR') throw new Error('not a PNG');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/** The page's `document`, as far as the waits below use it (they run in the browser; this project has no DOM types). */
declare const document: {
  querySelector(selector: string): { textContent: string | null; classList: { contains(name: string): boolean } } | null;
  querySelectorAll(selector: string): { length: number };
  cookie: string;
};
declare const localStorage: unknown;
declare const sessionStorage: unknown;
declare const location: { href: string };

describe.skipIf(CHROMIUM.skip())(`dashboard in a real browser (${CHROMIUM.path ?? 'chromium'})`, () => {
  let daemon: CliProcess | undefined;
  let context: BrowserContext | undefined;
  const dirs: string[] = [];
  afterEach(async () => {
    await context?.close().catch(() => undefined);
    context = undefined;
    await stop(daemon);
    daemon = undefined;
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  test('shows the zones and the database primary, and follows a failover', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lifeboat-dash-'));
    const profile = mkdtempSync(join(tmpdir(), 'lifeboat-chromium-'));
    dirs.push(dir, profile);
    writeFileSync(join(dir, 'world.yaml'), WORLD);
    writeFileSync(join(dir, 'lifeboat.yaml'), CONFIG);
    daemon = spawnCli(['daemon', '--config', join(dir, 'lifeboat.yaml')]);
    const api = await waitFor('daemon API', 10_000, () => /listening on (http:\S+?)(?:;|\s|$)/.exec(daemon!.output())?.[1]);

    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM.path, headless: true, args: FLAGS, viewport: { width: 1100, height: 800 } });
    const page = context.pages()[0] ?? (await context.newPage());
    // Without the token the page says what it needs.
    await page.goto(`${api}/`);
    await page.waitForFunction(() => /a read token is needed/.test(document.querySelector('#paused')?.textContent ?? ''), undefined, { timeout: 10_000 });
    await page.goto(`${api}/#token=${READ_TOKEN}`);
    await page.reload();

    // The page runs under the API's CSP (no eval), so the waits below are functions, not strings.
    // Before the outage: three healthy zones and the original primary.
    await page.waitForFunction(() => document.querySelectorAll('#zones .zone').length === 3, undefined, { timeout: 10_000 });
    const zones = await page.$$eval('#zones .zone', (els) => els.map((e) => ({ zone: e.getAttribute('data-zone'), cls: e.className })));
    expect(zones.map((z) => z.zone).sort()).toEqual(['local-a', 'local-b', 'local-c']);
    const before = (await page.textContent('tr[data-db="orders"] .primary'))?.trim();
    expect(before).toBeTruthy();
    expect(before).not.toBe('orders-b');
    expect(await page.textContent('#who')).toBe('dashboard-test');
    expect(await page.textContent('tr[data-db="orders"] .primary-zone')).toBe('local-a');
    expect(await page.textContent('#leader')).toBe('single daemon (lock file)');

    // The outage: local-a turns impaired and the primary moves to orders-b, without a reload.
    await page.waitForFunction(() => document.querySelector('tr[data-db="orders"] .primary')?.textContent?.trim() === 'orders-b', undefined, { timeout: 20_000, polling: 200 });
    await page.waitForFunction(() => document.querySelector('#zones .zone[data-zone="local-a"]')?.classList.contains('impaired'), undefined, { timeout: 5000 });
    expect(await page.textContent('tr[data-db="orders"] .failovers')).toBe('1');
    await page.waitForFunction(() => document.querySelector('tr[data-db="orders"] .primary-zone')?.textContent === 'local-b', undefined, { timeout: 5000 });
    const timeline = await page.$$eval('#events tr', (rows) => rows.map((r) => r.textContent ?? ''));
    expect(timeline.join('\n')).toMatch(/failover\.completed/);
    // Each step once: its action event, not also its failover.step twin.
    const promotions = timeline.filter((t) => /promoteReplica orders-b: ok/.test(t));
    expect(promotions).toHaveLength(1);
    expect(promotions[0]).toMatch(/^\S+action/);

    const shot = join(dir, 'dashboard.png');
    await page.screenshot({ path: shot, fullPage: true });
    const bytes = readFileSync(shot);
    const size = pngSize(bytes);
    expect(size.width).toBeGreaterThanOrEqual(1000);
    expect(size.height).toBeGreaterThanOrEqual(400);
    expect(bytes.length).toBeGreaterThan(20_000);
    if (process.env['LIFEBOAT_KEEP_SCREENSHOT']) writeFileSync(process.env['LIFEBOAT_KEEP_SCREENSHOT'], bytes);
  }, 60_000);

  test('the controls: the operate token typed in the page (kept nowhere else) pauses one database, resumes it and switches it over', async () => {
    const OPERATE = 'dashboard-operate-token-0123456789';
    const dir = mkdtempSync(join(tmpdir(), 'lifeboat-dash-'));
    const profile = mkdtempSync(join(tmpdir(), 'lifeboat-chromium-'));
    dirs.push(dir, profile);
    writeFileSync(join(dir, 'world.yaml'), failoverWorld({ name: 'dashboard-controls', impairAt: '9m', latency: 'promoteReplica: 300ms, stopDatabase: 300ms, repointReplica: 300ms' }));
    writeFileSync(join(dir, 'lifeboat.yaml'), fastDaemonConfig({ id: 'dashboard-controls', provider: 'world: world.yaml', token: OPERATE }));
    daemon = spawnCli(['daemon', '--config', join(dir, 'lifeboat.yaml')]);
    const api = await waitFor('daemon API', 10_000, () => /listening on (http:\S+?)(?:;|\s|$)/.exec(daemon!.output())?.[1]);
    const status = async () => (await (await fetch(`${api}/status`)).json()) as DaemonStatus;

    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM.path, headless: true, args: FLAGS, viewport: { width: 1100, height: 800 } });
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(`${api}/`);
    await page.waitForFunction(() => document.querySelector('tr[data-db="orders"] .primary-zone')?.textContent === 'local-a', undefined, { timeout: 10_000 });

    // Without a token, or with a wrong one, nothing changes and the page says why.
    await page.selectOption('#target-db', 'orders');
    await page.click('#pause');
    expect(await page.textContent('#result')).toBe('type the operate token first');
    await page.fill('#operate-token', 'not-the-operate-token-0123456789');
    await page.click('#pause');
    await page.waitForFunction(() => /pause refused: missing or wrong bearer token/.test(document.querySelector('#result')?.textContent ?? ''), undefined, { timeout: 5000 });
    expect((await status()).pauses.databases).toEqual([]);

    await page.fill('#operate-token', OPERATE);
    await page.fill('#reason', 'index rebuild');
    await page.click('#pause');
    await page.waitForFunction(() => /index rebuild/.test(document.querySelector('tr[data-db="orders"] .paused')?.textContent ?? ''), undefined, { timeout: 5000 });
    expect((await status()).pauses.databases).toEqual([{ database: 'orders', by: 'operator@127.0.0.1', at: expect.any(String), reason: 'index rebuild' }]);
    // The token is in no storage, cookie or URL of the page.
    expect(await page.evaluate(() => JSON.stringify([localStorage, sessionStorage, document.cookie, location.href]))).not.toContain(OPERATE);

    await page.click('#resume');
    await page.waitForFunction(() => document.querySelector('tr[data-db="orders"] .paused')?.textContent === '', undefined, { timeout: 5000 });
    expect((await status()).pauses.databases).toEqual([]);

    await page.fill('#switch-to', 'orders-b');
    await page.click('#switchover');
    await page.waitForFunction(() => document.querySelector('tr[data-db="orders"] .primary')?.textContent === 'orders-b', undefined, { timeout: 20_000, polling: 200 });
    await page.waitForFunction(() => document.querySelector('tr[data-db="orders"] .primary-zone')?.textContent === 'local-b', undefined, { timeout: 5000 });
    expect((await status()).databases[0]).toMatchObject({ primary: 'orders-b', primaryZone: 'local-b' });
  }, 60_000);
});
