#!/usr/bin/env node
// Records, on a scratch Google Cloud project, the behaviours only a real account can settle (see the
// "Real-account checklist" in adapters/gcp/README.md). Not run in CI. It creates one small VM and two Cloud SQL
// instances (a primary and a read replica), and deletes them at the end unless --keep is given.
//
//   GOOGLE_CLOUD_PROJECT=my-scratch-project node adapters/gcp/realAccountCheck.mjs --region europe-west1 > gcp-real.json
//
// Options: --region R (default europe-west1), --engine POSTGRES_16|MYSQL_8_0 (default POSTGRES_16),
// --minutes N of metric sampling after the primary is stopped (default 15), --keep.
// Credentials: Application Default Credentials (gcloud auth application-default login). Nothing secret is printed.
import { GoogleAuth } from 'google-auth-library';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 && args[at + 1] !== undefined ? args[at + 1] : fallback;
};
const project = process.env.GOOGLE_CLOUD_PROJECT;
if (!project) {
  console.error('Set GOOGLE_CLOUD_PROJECT to a scratch project: this script creates and deletes instances there.');
  process.exit(2);
}
const region = option('region', 'europe-west1');
const engine = option('engine', 'POSTGRES_16');
const minutes = Number(option('minutes', '15'));
const keep = args.includes('--keep');
const zone = `${region}-b`;
const stamp = Date.now().toString(36);
const primary = `lifeboat-check-${stamp}`;
const replica = `${primary}-r`;
const vm = `lifeboat-check-${stamp}-vm`;

const auth = new GoogleAuth({ scopes: ['https://www.googleapis.com/auth/cloud-platform'] });
const client = await auth.getClient();
const report = { project, region, engine, startedAt: new Date().toISOString(), listings: [], refusals: {}, operations: {}, metrics: [] };

/** One REST call; never throws for an HTTP error: the status and the body's reason are what we record. */
async function call(method, url, body) {
  const response = await client.request({ url, method, data: body, validateStatus: () => true, retry: false });
  const error = response.data?.error;
  return { status: response.status, reason: error?.errors?.[0]?.reason, grpcStatus: error?.status, message: error?.message, data: response.data };
}
const sql = (path) => `https://sqladmin.googleapis.com/v1/projects/${project}/${path}`;
const compute = (path) => `https://compute.googleapis.com/compute/v1/projects/${project}/${path}`;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls a Cloud SQL operation to its end; records its duration by type. */
async function sqlOperation(started, label) {
  let op = started.data;
  for (let i = 0; i < 240 && op?.status !== 'DONE'; i++) {
    await sleep(10_000);
    op = (await call('GET', sql(`operations/${op.name}`))).data;
  }
  report.operations[label] = { status: op?.status, error: op?.error, insertTime: op?.insertTime, endTime: op?.endTime };
  return op;
}

/** Polls a zonal Compute operation to its end; records it. */
async function zoneOperation(started, label) {
  let op = started.data;
  for (let i = 0; i < 60 && op?.status !== 'DONE'; i++) op = (await call('POST', compute(`zones/${zone}/operations/${op.name}/wait`))).data;
  report.operations[label] = { status: op?.status, error: op?.error, httpErrorStatusCode: op?.httpErrorStatusCode, insertTime: op?.insertTime, endTime: op?.endTime };
  return op;
}

/** Both listings the adapter makes, with what they say about unreachable scopes. */
async function recordListings(when) {
  const sqlList = await call('GET', sql('instances?maxResults=500'));
  const vms = await call('GET', compute('aggregated/instances?maxResults=500&returnPartialSuccess=true'));
  const scopeWarnings = Object.entries(vms.data?.items ?? {})
    .filter(([, scoped]) => scoped.warning !== undefined && scoped.warning.code !== 'NO_RESULTS_ON_PAGE')
    .map(([scope, scoped]) => ({ scope, code: scoped.warning.code }));
  report.listings.push({ when, at: new Date().toISOString(), sqlWarnings: sqlList.data?.warnings ?? [], computeUnreachables: vms.data?.unreachables ?? [], computeScopeWarnings: scopeWarnings });
}

/** Every replication metric sample of the replica in the last ten minutes, with when we first saw it. */
async function recordMetrics() {
  const end = new Date();
  const start = new Date(end.getTime() - 10 * 60_000);
  for (const metric of ['replica_lag', 'network_lag', 'state']) {
    const filter = `metric.type = "cloudsql.googleapis.com/database/replication/${metric}" AND resource.labels.database_id = "${project}:${replica}"`;
    const query = new URLSearchParams({ filter, 'interval.startTime': start.toISOString(), 'interval.endTime': end.toISOString() });
    const answer = await call('GET', `https://monitoring.googleapis.com/v3/projects/${project}/timeSeries?${query}`);
    for (const series of answer.data?.timeSeries ?? []) {
      for (const point of series.points ?? []) {
        report.metrics.push({ metric, labels: series.metric?.labels, sampledAt: point.interval?.endTime, seenAt: end.toISOString(), value: point.value });
      }
    }
  }
}

try {
  await recordListings('start');
  const tier = 'db-custom-1-3840';
  const settings = { tier, edition: 'ENTERPRISE', ipConfiguration: { ipv4Enabled: true }, locationPreference: { zone } };
  await sqlOperation(await call('POST', sql('instances'), { name: primary, region, databaseVersion: engine, settings }), 'createPrimary');
  // A replica left without an edition: what does the service do with the primary's custom tier?
  report.refusals.replicaWithoutEdition = await call('POST', sql('instances'), { name: `${replica}-noedition`, masterInstanceName: primary, region, databaseVersion: engine, settings: { tier } });
  const creating = await call('POST', sql('instances'), { name: replica, masterInstanceName: primary, region, databaseVersion: engine, settings });
  report.refusals.promoteReplicaWhileCreating = await call('POST', sql(`instances/${replica}/promoteReplica`));
  await sqlOperation(creating, 'createReplica');
  report.refusals.promoteReplicaOnPrimary = await call('POST', sql(`instances/${primary}/promoteReplica`));
  report.refusals.activationNeverOnReplica = await call('PATCH', sql(`instances/${replica}`), { settings: { activationPolicy: 'NEVER' } });
  report.refusals.deletePrimaryWithReplica = await call('DELETE', sql(`instances/${primary}`));

  // The VM: create, then stop at once (while it is still being created), then delete.
  const insert = await call('POST', compute(`zones/${zone}/instances`), {
    name: vm,
    machineType: `zones/${zone}/machineTypes/e2-micro`,
    disks: [{ boot: true, autoDelete: true, initializeParams: { sourceImage: 'projects/debian-cloud/global/images/family/debian-12' } }],
    networkInterfaces: [{ network: 'global/networks/default' }],
  });
  report.refusals.stopVmWhileCreating = await call('POST', compute(`zones/${zone}/instances/${vm}/stop`));
  if (insert.data?.name) await zoneOperation(insert, 'insertVm');
  const stop = await call('POST', compute(`zones/${zone}/instances/${vm}/stop`));
  if (stop.data?.name) await zoneOperation(stop, 'stopVm');

  // The primary becomes unreachable for its replica: stop it (its zone cannot be taken down from a user's account).
  report.refusals.stopPrimaryWithReplica = await call('PATCH', sql(`instances/${primary}`), { settings: { activationPolicy: 'NEVER' } });
  await recordMetrics();
  for (let i = 0; i < minutes; i++) {
    await sleep(60_000);
    await recordMetrics();
    await recordListings(`primary stopped +${i + 1}m`);
  }
  await sqlOperation(await call('POST', sql(`instances/${replica}/promoteReplica`)), 'promoteReplica');
} catch (error) {
  report.failure = error instanceof Error ? error.message : String(error);
} finally {
  if (!keep) {
    for (const name of [replica, `${replica}-noedition`, primary]) report.operations[`delete ${name}`] = (await call('DELETE', sql(`instances/${name}`))).status;
    report.operations['delete vm'] = (await call('DELETE', compute(`zones/${zone}/instances/${vm}`))).status;
  }
  report.endedAt = new Date().toISOString();
  // Bodies of answers can be long; keep what the checklist compares.
  for (const value of Object.values(report.refusals)) delete value.data;
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
}
