import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { configJsonSchema } from '../../../src/apps/cli/daemonCommands.js';
import { parseDaemonConfig } from '../../../src/apps/daemon/config/loadDaemonConfig.js';
import { STARTER_CONFIG } from '../../../src/apps/daemon/config/starterConfig.js';
import { isScenarioError } from '../../../src/apps/replay/scenario/ScenarioError.js';

async function problems(text: string, file = 'lifeboat.yaml'): Promise<string[]> {
  try {
    await parseDaemonConfig(text, file);
  } catch (error) {
    if (!isScenarioError(error)) throw error;
    return error.message.split('\n');
  }
  return [];
}

const BASE = `providers:
  - type: aws
    regions: [us-east-1]
protect:
  regions: [{ provider: aws, region: us-east-1 }]
journal: j.json
audit: a.jsonl
`;

describe('daemon config', () => {
  test('the starter config is valid and protects the simulated local topology', async () => {
    const config = await parseDaemonConfig(STARTER_CONFIG, '/etc/lifeboat/lifeboat.yaml');
    expect(config.providerIds).toEqual(['local']);
    expect(config.groups).toEqual([{ id: 'web', provider: 'local', region: 'local', minHealthy: 6 }]);
    expect(config.databases).toEqual([{ cluster: 'orders' }]);
    expect(config.journal).toBe('/etc/lifeboat/lifeboat-state/journal.json');
    expect(config.api).toEqual({ listen: '127.0.0.1:7400', tokenEnv: 'LIFEBOAT_API_TOKEN' });
    expect(config.policy).toEqual({ blipTolerance: 3, maxDataLoss: 30 });
  });

  test('an etcd section enables leader election, with defaults', async () => {
    const config = await parseDaemonConfig(`${BASE}etcd: { endpoints: ["http://127.0.0.1:2379"] }\n`, 'lifeboat.yaml');
    expect(config.etcd).toEqual({ endpoints: ['http://127.0.0.1:2379'], prefix: '/lifeboat', ttlSeconds: 10 });
    const custom = await parseDaemonConfig(`${BASE}etcd: { endpoints: ["http://10.0.0.5:2379"], prefix: /prod, ttl: 30s }\n`, 'lifeboat.yaml');
    expect(custom.etcd).toEqual({ endpoints: ['http://10.0.0.5:2379'], prefix: '/prod', ttlSeconds: 30 });
    expect(await problems(`${BASE}etcd: { endpoints: ["https://10.0.0.5:2379"], ttl: 1.5s }\n`)).toEqual([
      'lifeboat.yaml:8: etcd.endpoints[0]: expected an http:// URL (TLS to etcd is not supported yet), got https://10.0.0.5:2379',
      'lifeboat.yaml:8: etcd.ttl: expected a whole number of seconds, at least 2 (etcd leases have whole seconds; the leader stops acting at ttl/2), got 1.5s',
    ]);
  });

  test('every problem is reported with file, line and key path', async () => {
    const text = `providers:
  - type: aws
    regions: [us-east-1]
    secretAccessKey: AKIA-not-here
  - type: sym
protect:
  regions: [{ provider: azure, region: eastus }]
policy:
  probeIntervl: 2s
  maxDataLoss: soon
api: { listen: "0.0.0.0" }
journal: j.json
audit: a.jsonl
`;
    expect(await problems(text)).toEqual([
      'lifeboat.yaml:4: providers[0].secretAccessKey: unknown key',
      expect.stringMatching(/^lifeboat\.yaml:5: providers\[1\]\.type: .*sim/),
      'lifeboat.yaml:9: policy.probeIntervl: unknown key (did you mean probeInterval?)',
      expect.stringMatching(/^lifeboat\.yaml:10: policy\.maxDataLoss: expected a duration/),
      'lifeboat.yaml:11: api.listen: expected host:port with a port up to 65535, e.g. 127.0.0.1:8080',
    ]);
  });

  test('api: token roles, TLS files relative to the config, extra host names, requireTls', async () => {
    const config = await parseDaemonConfig(
      `${BASE}api: { listen: "0.0.0.0:7400", tokenEnv: OP_TOKEN, readTokenEnv: RD_TOKEN, hosts: [lifeboat.internal], tls: { cert: tls/api.crt, key: /etc/lifeboat/api.key }, requireTls: true }\n`,
      '/etc/lifeboat/lifeboat.yaml',
    );
    expect(config.api).toEqual({
      listen: '0.0.0.0:7400',
      tokenEnv: 'OP_TOKEN',
      readTokenEnv: 'RD_TOKEN',
      hosts: ['lifeboat.internal'],
      tls: { cert: '/etc/lifeboat/tls/api.crt', key: '/etc/lifeboat/api.key' },
      requireTls: true,
    });
    expect(await problems(`${BASE}api:\n  listen: "10.0.0.5:7400"\n  readToken: short\n  requireTls: true\n  hosts: ["a/b"]\n  tls: { cert: c.pem }\n`)).toEqual([
      expect.stringMatching(/^lifeboat\.yaml:10: api\.readToken: .*16/),
      'lifeboat.yaml:12: api.hosts[0]: expected a host name such as lifeboat.internal',
      expect.stringMatching(/^lifeboat\.yaml:13: api\.tls\.key: /),
    ]);
    expect(await problems(`${BASE}api:\n  listen: "10.0.0.5:7400"\n  tokenEnv: T\n  requireTls: true\n`)).toEqual([
      'lifeboat.yaml:11: api.requireTls: the API would serve plain HTTP on 10.0.0.5, which is not loopback: give api.tls (cert and key) or listen on 127.0.0.1',
    ]);
    expect(await problems(`${BASE}api: { readToken: "0123456789abcdef", readTokenEnv: T }\n`)).toEqual(['lifeboat.yaml:8: api: give readToken or readTokenEnv, not both']);
  });

  test('api.healthChecks: the token switch and the picture age, strict like the rest', async () => {
    const config = await parseDaemonConfig(`${BASE}api: { healthChecks: { withoutToken: true, maxPictureAge: 1m } }\n`, 'lifeboat.yaml');
    expect(config.api.healthChecks).toEqual({ withoutToken: true, maxPictureAgeSeconds: 60 });
    expect((await parseDaemonConfig(BASE, 'lifeboat.yaml')).api.healthChecks).toBeUndefined();
    const wrong = await problems(`${BASE}api: { healthChecks: { withoutTokens: true, maxPictureAge: soon } }\n`);
    expect(wrong.join('\n')).toMatch(/api\.healthChecks.*withoutTokens/);
    expect(wrong.join('\n')).toMatch(/api\.healthChecks\.maxPictureAge.*expected a duration/);
  });

  test('mode (shadow mode) at the top or in policy, the approval keys, and a contradiction refused', async () => {
    expect((await parseDaemonConfig(`${BASE}mode: observe\n`, 'lifeboat.yaml')).policy).toEqual({ mode: 'observe' });
    expect((await parseDaemonConfig(`${BASE}policy: { mode: observe, approveFailovers: true, approvalTimeout: 3m, onApprovalTimeout: abandon }\n`, 'lifeboat.yaml')).policy).toEqual({
      mode: 'observe',
      approveFailovers: true,
      approvalTimeout: 180,
      onApprovalTimeout: 'abandon',
    });
    expect(await problems(`${BASE}mode: observe\npolicy: { mode: act }\n`)).toEqual(['lifeboat.yaml:8: mode: mode is observe but policy.mode is act: give one of them']);
    expect(await problems(`${BASE}mode: shadow\n`)).toEqual(['lifeboat.yaml:8: mode: expected one of act, observe, got "shadow"']);
    expect((await problems(`${BASE}policy: { onApprovalTimeout: wait }\n`)).join('\n')).toMatch(/policy\.onApprovalTimeout/);
  });

  test('cross-references: unknown providers and unwatched group regions', async () => {
    const text = `${BASE}  # groups
`.replace('journal:', `  groups: [{ id: web, provider: aws, region: eu-west-1, minHealthy: 2 }]
  databases: [{ cluster: orders, provider: gcp }]
journal:`);
    expect(await problems(text)).toEqual([
      'lifeboat.yaml:6: protect.groups[0].region: region eu-west-1 of aws is not in protect.regions, so the group would never be observed',
      'lifeboat.yaml:7: protect.databases[0].provider: unknown provider gcp (configured: aws)',
    ]);
  });

  test('inline sim topologies are validated with paths inside the provider entry', async () => {
    const text = BASE.replace(
      '  - type: aws\n    regions: [us-east-1]\n',
      '  - type: sim\n    topology:\n      providers:\n        - id: aws\n          regions: [{ id: us-east-1, zones: [a] }]\n      groups:\n        - { id: web, provider: aws, region: us-east-1, nodes: { b: 1 } }\n',
    );
    const found = await problems(text);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^lifeboat\.yaml:8: providers\[0\]\.topology\.groups\[0\]\.nodes\.b: unknown zone/);
  });

  test('credentials are only ever names of environment variables', async () => {
    const text = BASE.replace('    regions: [us-east-1]\n', '    regions: [us-east-1]\n    credentials: { accessKeyIdEnv: "AKIA123/secret", secretAccessKeyEnv: AWS_SECRET_ACCESS_KEY }\n');
    expect(await problems(text)).toEqual([
      'lifeboat.yaml:4: providers[0].credentials.accessKeyIdEnv: expected the name of an environment variable (letters, digits, underscores)',
    ]);
  });

  test('the published JSON Schema is generated from the zod schema (regenerate: lifeboat config schema > schema/lifeboat.config.schema.json)', () => {
    const published = JSON.parse(readFileSync(new URL('../../../schema/lifeboat.config.schema.json', import.meta.url), 'utf8')) as unknown;
    expect(published).toEqual(configJsonSchema());
    expect((published as { required: string[] }).required).toEqual(['providers', 'protect', 'journal', 'audit']);
  });
});

describe('config files', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  test('a sim world file is read relative to the config, and its errors are reported', async () => {
    dir = mkdtempSync(join(tmpdir(), 'lifeboat-config-'));
    writeFileSync(join(dir, 'world.yaml'), 'name: w\nduration: 1m\ntopology:\n  providers: []\nevents: []\n');
    const text = BASE.replace('  - type: aws\n    regions: [us-east-1]\n', '  - type: sim\n    world: world.yaml\n');
    const found = await problems(text, join(dir, 'lifeboat.yaml'));
    expect(found[0]).toBe(`${join(dir, 'lifeboat.yaml')}:3: providers[0].world: the world file is not valid:`);
    expect(found[1]).toMatch(/world\.yaml:4: topology\.providers: expected a non-empty list/);
  });
});
