import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { cloudSqlReplicaBody } from '../../../adapters/gcp/cloudSqlReplicaBody.js';
import type { CloudSqlInstance } from '../../../adapters/gcp/CloudSqlInstance.js';
import { replicationReadings, type MonitoringTimeSeries } from '../../../adapters/gcp/CloudMonitoring.js';
import { GcpHttpError } from '../../../adapters/gcp/GcpHttpError.js';
import { GcpOperationWaiter } from '../../../adapters/gcp/GcpOperationWaiter.js';
import { googleErrorInfo } from '../../../adapters/gcp/googleErrorInfo.js';
import { operationErrorKind } from '../../../adapters/gcp/operationErrorKind.js';
import { toCloudSqlDatabase } from '../../../adapters/gcp/toCloudSqlDatabase.js';
import { toGceNode } from '../../../adapters/gcp/toGceNode.js';
import { toGcpProviderError } from '../../../adapters/gcp/toGcpProviderError.js';
import { cloudSqlUnreachables, computeUnreachables, relevantScopes, type ComputeAggregatedPage } from '../../../adapters/gcp/unreachableScopes.js';
import { GcpProvider } from '../../../adapters/gcp/GcpProvider.js';
import { StaticTokenAuth } from '../../../adapters/gcp/StaticTokenAuth.js';
import { VirtualClock } from '../../../src/core/clock/VirtualClock.js';
import { isPartialListing, type PartialListingError } from '../../../src/core/contract/PartialListingError.js';

/**
 * Requests and responses shaped after Google's API references (each fixture
 * names its source in `_source`), parsed through the adapter's mappers: the
 * adapter is held to documents nobody here wrote, not only to our emulator.
 */
function fixture<T>(name: string): T & { _source: string } {
  const parsed = JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as T & { _source: string };
  expect(parsed._source).toMatch(/^https:\/\/cloud\.google\.com\//);
  return parsed;
}

/**
 * A text published verbatim in Google's documentation (its sibling
 * `.source.md` names the page and section and says it is verbatim).
 */
function verbatim(name: string): string {
  const source = readFileSync(new URL(`./fixtures/${name.replace(/\.txt$/, '.source.md')}`, import.meta.url), 'utf8');
  expect(source).toMatch(/\*\*Source:\*\*[^\n]*\n\s+https:\/\/cloud\.google\.com\//);
  expect(source).toMatch(/\*\*Verbatim or adapted:\*\* verbatim/);
  return readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
}

/**
 * JSON from a body Google publishes elided (`...` lines, the object it sits
 * in left out): the `...` lines and the commas they strand go, the brackets
 * left open are closed, and the whole is wrapped in braces.
 */
function elidedJson(published: string): unknown {
  const kept = published
    .split('\n')
    .filter((line) => line.trim() !== '...')
    .join('\n');
  const open: string[] = [];
  let inString = false;
  for (let i = 0; i < kept.length; i += 1) {
    const char = kept[i]!;
    if (inString) {
      if (char === '\\') i += 1;
      else if (char === '"') inString = false;
    } else if (char === '"') inString = true;
    else if (char === '{' || char === '[') open.push(char === '{' ? '}' : ']');
    else if (char === '}' || char === ']') open.pop();
  }
  const closed = `{${kept}${open.reverse().join('')}}`;
  return JSON.parse(closed.replace(/,(\s*[}\]])/g, '$1'));
}

describe('published Google API shapes, through the gcp adapter\'s mappers', () => {
  it('Compute aggregatedList with unreachables: the zone and region it could not read, the rest mapped (PENDING_STOP is stopping)', () => {
    const page = fixture<ComputeAggregatedPage<Record<string, unknown>>>('compute-aggregated-list-unreachables.json');
    // Both the long and the short scope forms, and the UNREACHABLE scope warning; NO_RESULTS_ON_PAGE is no outage.
    expect(computeUnreachables(page, 'gcp', 'listNodes')).toEqual({ zones: ['us-central1-a'], regions: ['us-east7'] });
    const nodes = Object.values(page.items ?? {}).flatMap((scope) => scope.instances ?? []).map((instance) => toGceNode(instance, 'gcp', 8080));
    expect(nodes.map((node) => [node.id, node.state, node.group, node.endpoint])).toEqual([
      ['us-central1-b/web-b-1', 'running', 'web', '10.128.0.12:8080'],
      ['us-central1-b/web-b-2', 'stopping', 'web', '10.128.0.13:8080'],
    ]);
    // Only what the request covers counts: a listing of europe-west1 is complete.
    expect(relevantScopes(computeUnreachables(page, 'gcp', 'listNodes'), { region: 'europe-west1' }, undefined)).toEqual({ zones: [], regions: [] });
    expect(relevantScopes(computeUnreachables(page, 'gcp', 'listNodes'), { region: 'us-central1' }, undefined)).toEqual({ zones: ['us-central1-a'], regions: [] });
  });

  it('Compute aggregatedList whose page warning is UNREACHABLE: the scopes its data names are unreachable; naming none, the page cannot be trusted', () => {
    const page = fixture<ComputeAggregatedPage<Record<string, unknown>>>('compute-aggregated-list-page-warning.json');
    expect(computeUnreachables(page, 'gcp', 'listNodes')).toEqual({ zones: ['europe-west1-c'], regions: ['europe-west4'] });
    const unnamed = { ...page, warning: { code: 'UNREACHABLE', message: 'Some scopes of the request could not be reached.' } };
    expect(() => computeUnreachables(unnamed, 'gcp', 'listNodes')).toThrow(expect.objectContaining({ kind: 'retryable', code: 'UNREACHABLE', operation: 'listNodes' }));
    // Another field of the page naming the scope is enough.
    expect(computeUnreachables({ ...unnamed, unreachables: ['zones/europe-west1-c'] }, 'gcp', 'listNodes')).toEqual({ zones: ['europe-west1-c'], regions: [] });
  });

  it('a zonal instances.list whose page warning is UNREACHABLE, served to the real adapter and client library: a partial listing, not an empty zone', async () => {
    const { _source, ...page } = fixture<Record<string, unknown>>('compute-instances-list-unreachable.json');
    const paths: string[] = [];
    const server = createServer((request, response) => {
      paths.push(request.url ?? '');
      response.writeHead(200, { 'content-type': 'application/json; charset=UTF-8' }).end(JSON.stringify(page));
    });
    await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
    const provider = new GcpProvider({
      project: 'example-project',
      apiEndpoint: '127.0.0.1',
      port: (server.address() as AddressInfo).port,
      protocol: 'http',
      auth: new StaticTokenAuth('fixture-token', 'example-project'),
      replicationMetrics: 'none',
    });
    try {
      const error = await provider.listNodes({ zone: 'us-central1-a' }, { signal: AbortSignal.timeout(10_000) }).then(
        () => undefined,
        (rejected: unknown) => rejected,
      );
      expect(paths).toEqual([expect.stringMatching(/^\/compute\/v1\/projects\/example-project\/zones\/us-central1-a\/instances\?/)]);
      expect(isPartialListing(error)).toBe(true);
      expect(error as PartialListingError<unknown>).toMatchObject({ kind: 'retryable', listed: [], unreachable: { zones: ['us-central1-a'], regions: [] } });
    } finally {
      await provider.close();
      await new Promise((closed) => server.close(closed));
    }
  });

  it('Cloud SQL instances.list with a REGION_UNREACHABLE warning: the region, and the instances it did list', () => {
    const page = fixture<{ warnings: { code: string; region?: string; message?: string }[]; items: CloudSqlInstance[] }>('sql-instances-list-region-unreachable.json');
    expect(cloudSqlUnreachables(page.warnings, 'gcp', 'listDatabases')).toEqual({ zones: [], regions: ['europe-west9'] });
    const [replica] = page.items.map((item) => toCloudSqlDatabase(item, 'gcp', 'orders'));
    expect(replica).toMatchObject({ id: 'orders-be', role: 'replica', region: 'europe-west1', state: 'available', endpoint: '10.20.0.5:5432', replication: { upstream: 'orders' } });
    // A warning that names no region leaves nothing to trust.
    expect(() => cloudSqlUnreachables([{ code: 'REGION_UNREACHABLE', message: 'one or more regions' }], 'gcp', 'listDatabases')).toThrow(/did not say which/);
  });

  it('a replica of that instance copies edition and IP configuration: a private-IP-only Enterprise Plus primary gets the same', () => {
    const page = fixture<{ items: CloudSqlInstance[] }>('sql-instances-list-region-unreachable.json');
    const body = cloudSqlReplicaBody(page.items[0]!, { source: 'orders-be', id: 'orders-r9', region: 'europe-west1', zone: 'europe-west1-c' }, 'orders');
    expect(body).toMatchObject({
      name: 'orders-r9',
      masterInstanceName: 'orders-be',
      databaseVersion: 'POSTGRES_16',
      settings: {
        tier: 'db-perf-optimized-N-2',
        edition: 'ENTERPRISE_PLUS',
        ipConfiguration: { ipv4Enabled: false, privateNetwork: 'projects/example-project/global/networks/default' },
        locationPreference: { zone: 'europe-west1-c' },
      },
    });
  });

  it('a zonal operation DONE with ZONE_RESOURCE_POOL_EXHAUSTED is a retryable capacity error, not a refusal', () => {
    const operation = fixture<{ status: string; httpErrorStatusCode: number; error: { errors: { code: string }[] } }>('compute-operation-stockout.json');
    expect(operation.status).toBe('DONE');
    expect(operationErrorKind(operation.error.errors[0]!.code, operation.httpErrorStatusCode)).toBe('retryable');
  });

  it('the documented 403 for the concurrent operations quota is throttling, not a permission error', () => {
    const body = fixture<{ _status: number }>('compute-error-concurrent-operations-403.json');
    const error = toGcpProviderError(new GcpHttpError(googleErrorInfo(body._status, JSON.stringify(body))), { provider: 'gcp', operation: 'createNode' });
    // The ErrorInfo reason is the code: it says more than the legacy rateLimitExceeded beside it.
    expect(error).toMatchObject({ kind: 'throttled', status: 403, code: 'CONCURRENT_OPERATIONS_QUOTA_EXCEEDED' });
  });

  describe('AIP-193 error bodies (the reason in details[] ErrorInfo, beside error.status), through googleErrorInfo and toGcpProviderError', () => {
    const translate = (name: string) => {
      const body = fixture<{ _status: number }>(name);
      return toGcpProviderError(new GcpHttpError(googleErrorInfo(body._status, JSON.stringify(body))), { provider: 'gcp', operation: 'createNode' });
    };

    it('the ErrorInfo is read whole: reason, domain and metadata', () => {
      const body = fixture<{ _status: number }>('error-info-rate-limit-403.json');
      expect(googleErrorInfo(403, JSON.stringify(body))).toEqual({
        status: 403,
        grpcStatus: 'PERMISSION_DENIED',
        message: 'Request throttled: too many requests to compute.googleapis.com from project example-project.',
        errorInfo: {
          reason: 'RATE_LIMIT_EXCEEDED',
          domain: 'googleapis.com',
          metadata: {
            service: 'compute.googleapis.com',
            consumer: 'projects/example-project',
            quota_metric: 'compute.googleapis.com/read_requests',
            quota_limit: 'ReadRequestsPerMinutePerProject',
            quota_location: 'global',
          },
        },
      });
    });

    it('a 403 PERMISSION_DENIED whose ErrorInfo is RATE_LIMIT_EXCEEDED is throttling, not a permission error', () => {
      expect(translate('error-info-rate-limit-403.json')).toMatchObject({ kind: 'throttled', status: 403, code: 'RATE_LIMIT_EXCEEDED' });
    });

    it('a 429 RESOURCE_EXHAUSTED whose ErrorInfo is ZONE_RESOURCE_POOL_EXHAUSTED is a stockout (retryable elsewhere or later), not throttling', () => {
      const error = translate('compute-error-zone-pool-exhausted-429.json');
      expect(error).toMatchObject({ kind: 'retryable', status: 429, code: 'ZONE_RESOURCE_POOL_EXHAUSTED' });
      expect(error.message).toContain('does not have enough resources available');
    });

    it('a 429 RESOURCE_EXHAUSTED whose ErrorInfo is STOCKOUT (the ErrorInfo reference\'s example) is a stockout too', () => {
      expect(translate('error-info-stockout-429.json')).toMatchObject({ kind: 'retryable', status: 429, code: 'STOCKOUT' });
    });

    it('a 403 PERMISSION_DENIED whose ErrorInfo is QUOTA_EXCEEDED is a quota refusal with its own text, not a credentials problem', () => {
      const error = translate('error-info-quota-exceeded-403.json');
      expect(error).toMatchObject({ kind: 'terminal', status: 403, code: 'QUOTA_EXCEEDED' });
      expect(error.message).toContain("Quota 'CPUS' exceeded");
      expect(error.message).not.toContain('credentials');
    });

    it('without ErrorInfo the legacy reason decides, and without either the status', () => {
      const legacy = { error: { code: 403, message: 'Rate Limit Exceeded', errors: [{ reason: 'rateLimitExceeded', domain: 'usageLimits' }], status: 'PERMISSION_DENIED' } };
      expect(toGcpProviderError(new GcpHttpError(googleErrorInfo(403, JSON.stringify(legacy))), { provider: 'gcp', operation: 'listNodes' })).toMatchObject({
        kind: 'throttled',
        code: 'rateLimitExceeded',
      });
      // A rate quota some older API files as quotaExceeded is still a rate quota: its words say so.
      const rateAsQuota = {
        error: { code: 429, message: "Quota exceeded for quota metric 'Queries' and limit 'Queries per minute' of service 'sqladmin.googleapis.com'.", errors: [{ reason: 'quotaExceeded' }] },
      };
      expect(toGcpProviderError(new GcpHttpError(googleErrorInfo(429, JSON.stringify(rateAsQuota))), { provider: 'gcp', operation: 'listDatabases' })).toMatchObject({
        kind: 'throttled',
        code: 'quotaExceeded',
      });
      const statusOnly = { error: { code: 503, message: 'The service is currently unavailable.', status: 'UNAVAILABLE' } };
      expect(toGcpProviderError(new GcpHttpError(googleErrorInfo(503, JSON.stringify(statusOnly))), { provider: 'gcp', operation: 'listNodes' })).toMatchObject({
        kind: 'retryable',
        code: 'UNAVAILABLE',
      });
    });
  });

  it('timeSeries.list with a negative replica_lag: that replica is inactive (lag unknown), the other keeps its lag', () => {
    const page = fixture<{ timeSeries: MonitoringTimeSeries[] }>('monitoring-replica-lag-negative.json');
    const readings = replicationReadings(page.timeSeries, []);
    expect(readings.get('orders-b')).toMatchObject({ lagSeconds: null, inactive: true });
    expect(readings.get('orders-be')).toMatchObject({ lagSeconds: 4.2 });
    expect(readings.get('orders-be')?.inactive).toBeUndefined();
  });
  it('the concurrent-operations 403 as Google publishes it (Compute "Concurrent operation quotas") is throttling, not a permission error', () => {
    const body = elidedJson(verbatim('compute-operations-quota-403.txt'));
    expect(body).toMatchObject({ error: { code: 403, errors: [{ reason: 'rateLimitExceeded' }], details: [{ reason: 'CONCURRENT_OPERATIONS_QUOTA_EXCEEDED' }, {}] } });
    const error = toGcpProviderError(new GcpHttpError(googleErrorInfo(403, JSON.stringify(body))), { provider: 'gcp', operation: 'createNode' });
    expect(error).toMatchObject({ kind: 'throttled', status: 403, code: 'CONCURRENT_OPERATIONS_QUOTA_EXCEEDED' });
  });

  it('the stockout codes and messages Google documents ("Common error messages"), in a finished zonal operation, fail the launch as retryable capacity errors', async () => {
    const lines = verbatim('compute-resource-availability-errors.txt').trim().split('\n');
    const codes = lines.filter((line) => /^[A-Z_]+$/.test(line));
    const messages = lines.filter((line) => !codes.includes(line));
    expect(codes).toEqual(['ZONE_RESOURCE_POOL_EXHAUSTED', 'ZONE_RESOURCE_POOL_EXHAUSTED_WITH_DETAILS']);
    // The zonal Operation envelope (schema only in the reference); without an HTTP status, so the code alone decides.
    const { _source: _envelopeSource, httpErrorStatusCode: _status, httpErrorMessage: _message, error: _error, ...envelope } = fixture<Record<string, unknown>>('compute-operation-stockout.json');
    for (const [index, code] of codes.entries()) {
      const message = messages[index]!;
      const running = { ...envelope, status: 'RUNNING' as const, progress: 0 };
      const done = { ...envelope, status: 'DONE' as const, error: { errors: [{ code, message }] } };
      const waiter = new GcpOperationWaiter('gcp', new VirtualClock(0), 10_000, 1_000);
      const polled: string[] = [];
      const failure = waiter.compute(
        running,
        async (name) => {
          polled.push(name);
          return done;
        },
        new AbortController().signal,
        true,
        'createNode',
      );
      await expect(failure).rejects.toMatchObject({ kind: 'retryable', code, operation: 'createNode' });
      await expect(failure).rejects.toThrow(message);
      // The insert was accepted; only polling the zonal operation to its end shows the stockout.
      expect(polled).toEqual([envelope['name']]);
    }
  });
});
