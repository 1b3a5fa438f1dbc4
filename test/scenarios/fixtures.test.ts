/**
 * The shipped scenario fixtures (`scenarios/`): every file parses with the
 * public loader, is named after its scenario, and together they exercise
 * every event kind and every expectation kind (with the variants the spec
 * offers) at least once.
 */
import { readdirSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../../src/apps/replay/scenario/loadScenario.js';
import type { Expectation, Scenario, ScenarioEvent } from '../../src/apps/replay/scenario/Scenario.js';

const SCENARIO_DIR = resolve(fileURLToPath(new URL('../../scenarios', import.meta.url)));
const FILES = readdirSync(SCENARIO_DIR)
  .filter((file) => ['.yaml', '.yml', '.json'].includes(extname(file)))
  .sort();

describe('scenario fixtures', () => {
  it('the folder is not empty', () => {
    expect(FILES.length).toBeGreaterThan(0);
  });

  describe.each(FILES)('%s', (file) => {
    it('parses, and its name matches the file name', async () => {
      const scenario = await loadScenarioFile(join(SCENARIO_DIR, file));
      expect(scenario.name).toBe(basename(file, extname(file)));
      expect(scenario.expect.length).toBeGreaterThan(0);
    });
  });

  describe('coverage across the folder', () => {
    let scenarios: Scenario[] = [];
    let events: ScenarioEvent[] = [];
    let expectations: Expectation[] = [];

    beforeAll(async () => {
      scenarios = await Promise.all(FILES.map((file) => loadScenarioFile(join(SCENARIO_DIR, file))));
      events = scenarios.flatMap((scenario) => [...scenario.events]);
      expectations = scenarios.flatMap((scenario) => [...scenario.expect]);
    });

    const eventCases: [string, (event: ScenarioEvent) => boolean][] = [
      ['impair unreachable', (e) => e.kind === 'impair' && e.mode === 'unreachable'],
      ['impair degraded', (e) => e.kind === 'impair' && e.mode === 'degraded'],
      ['impair power', (e) => e.kind === 'impair' && e.mode === 'power'],
      ['impair storage', (e) => e.kind === 'impair' && e.mode === 'storage'],
      ['impairRegion', (e) => e.kind === 'impairRegion'],
      ['recover by zone', (e) => e.kind === 'recover' && e.zone !== undefined],
      ['recover by region', (e) => e.kind === 'recover' && e.region !== undefined],
      ['apiFault error', (e) => e.kind === 'apiFault' && e.fault === 'error'],
      ['apiFault throttle', (e) => e.kind === 'apiFault' && e.fault === 'throttle'],
      ['apiFault hang', (e) => e.kind === 'apiFault' && e.fault === 'hang'],
      ['providerStatus', (e) => e.kind === 'providerStatus'],
      ['replication with lag', (e) => e.kind === 'replication' && e.lagSeconds !== undefined],
      ['replication broken', (e) => e.kind === 'replication' && e.broken === true],
      ['nodeFailure with zone', (e) => e.kind === 'nodeFailure' && e.zone !== undefined],
      ['nodeFailure without zone', (e) => e.kind === 'nodeFailure' && e.zone === undefined],
      ['observerPartition', (e) => e.kind === 'observerPartition'],
      ['flap', (e) => e.kind === 'flap'],
    ];
    it.each(eventCases)('some fixture uses the event %s', (_label, matches) => {
      expect(events.some(matches)).toBe(true);
    });

    const expectationCases: [string, (x: Expectation) => boolean][] = [
      ['failover to a region', (x) => x.kind === 'failover' && x.to?.region !== undefined],
      ['failover to a zone', (x) => x.kind === 'failover' && x.to?.zone !== undefined],
      ['failover to a replica', (x) => x.kind === 'failover' && x.to?.replica !== undefined],
      ['failover with within', (x) => x.kind === 'failover' && x.withinSeconds !== undefined],
      ['noFailover for a database', (x) => x.kind === 'noFailover' && x.database !== undefined],
      ['noFailover for every database', (x) => x.kind === 'noFailover' && x.database === undefined],
      ['never', (x) => x.kind === 'never'],
      ['never in a zone', (x) => x.kind === 'never' && x.zone !== undefined],
      ['never in a region', (x) => x.kind === 'never' && x.region !== undefined],
      ['capacity with min', (x) => x.kind === 'capacity' && x.min !== undefined],
      ['capacity without min', (x) => x.kind === 'capacity' && x.min === undefined],
      ['maxDataLoss', (x) => x.kind === 'maxDataLoss'],
      ['maxFailovers for a database', (x) => x.kind === 'maxFailovers' && x.database !== undefined],
      ['maxFailovers for every database', (x) => x.kind === 'maxFailovers' && x.database === undefined],
      ['maxCalls of one operation', (x) => x.kind === 'maxCalls' && x.operation !== undefined],
      ['maxCalls of any mutating operation', (x) => x.kind === 'maxCalls' && x.operation === undefined],
      ['maxCalls per window', (x) => x.kind === 'maxCalls' && x.perSeconds !== undefined],
    ];
    it.each(expectationCases)('some fixture uses the expectation %s', (_label, matches) => {
      expect(expectations.some(matches)).toBe(true);
    });

    it('every real outage has a source and a description, and synthetic ones are prefixed', () => {
      for (const scenario of scenarios) {
        if (scenario.name.startsWith('synthetic-')) continue;
        expect(scenario.source, scenario.name).toMatch(/^https:\/\//);
        expect(scenario.description, scenario.name).toBeTruthy();
      }
    });

    it('the 2011 speed benchmark replays a full day', () => {
      const benchmark = scenarios.find((scenario) => scenario.name === 'aws-us-east-1-2011-04-21');
      expect(benchmark?.durationSeconds).toBe(24 * 3600);
    });
  });
});
