import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const ADAPTER_DIR = new URL('../../../adapters/aws/', import.meta.url);

/** IAM service prefix of each SDK package the adapter imports commands from. */
const SERVICE_OF_PACKAGE: Record<string, string> = {
  '@aws-sdk/client-ec2': 'ec2',
  '@aws-sdk/client-rds': 'rds',
  '@aws-sdk/client-cloudwatch': 'cloudwatch',
  '@aws-sdk/client-route-53': 'route53',
};

/**
 * ARC zonal shift goes through the adapter's own client (`ZonalShiftClient.ts`):
 * its methods are named after the API actions, so a call `.startZonalShift(`
 * sends `arc-zonal-shift:StartZonalShift`.
 */
const ZONAL_SHIFT_METHODS = /\.(startZonalShift|updateZonalShift|cancelZonalShift|listZonalShifts|getManagedResource)\(/g;

/**
 * Actions the policy must grant although no command of that name is sent:
 * AWS authorizes them as part of another call.
 */
const IMPLIED: Record<string, string> = {
  'ec2:CreateTags': 'RunInstances with TagSpecifications',
  'rds:AddTagsToResource': 'CreateDBInstanceReadReplica with Tags',
};

/** `service:Action` for every SDK command the adapter's source sends. */
function actionsInSource(): Set<string> {
  const actions = new Set<string>();
  for (const file of readdirSync(ADAPTER_DIR).filter((name) => name.endsWith('.ts'))) {
    const source = readFileSync(new URL(file, ADAPTER_DIR), 'utf8');
    const serviceOfCommand = new Map<string, string>();
    for (const match of source.matchAll(/import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*'([^']+)'/g)) {
      const service = SERVICE_OF_PACKAGE[match[2]!];
      if (!service) continue;
      for (const name of match[1]!.split(',').map((part) => part.trim())) {
        if (/^[A-Z][A-Za-z]*Command$/.test(name)) serviceOfCommand.set(name, service);
      }
    }
    for (const match of source.matchAll(/new\s+([A-Z][A-Za-z]*Command)\s*\(/g)) {
      const service = serviceOfCommand.get(match[1]!);
      if (service) actions.add(`${service}:${match[1]!.replace(/Command$/, '')}`);
    }
    // The client's own file defines the methods; every other file calls them.
    if (file === 'ZonalShiftClient.ts') continue;
    for (const match of source.matchAll(ZONAL_SHIFT_METHODS)) {
      actions.add(`arc-zonal-shift:${match[1]![0]!.toUpperCase()}${match[1]!.slice(1)}`);
    }
  }
  return actions;
}

/** Every action granted by the JSON IAM policy documents in the adapter's README. */
function actionsInReadme(): Set<string> {
  const readme = readFileSync(new URL('README.md', ADAPTER_DIR), 'utf8');
  const actions = new Set<string>();
  for (const block of readme.matchAll(/```json\n([\s\S]*?)```/g)) {
    const document = JSON.parse(block[1]!) as { Statement?: { Effect: string; Action: string | string[] }[] };
    for (const statement of document.Statement ?? []) {
      if (statement.Effect !== 'Allow') continue;
      for (const action of [statement.Action].flat()) actions.add(action);
    }
  }
  return actions;
}

describe('the least-privilege IAM policy in adapters/aws/README.md', () => {
  it('grants exactly the API actions the adapter sends, plus the ones AWS authorizes inside them', () => {
    const sent = actionsInSource();
    // The scan itself must find the calls it is meant to check.
    expect(sent).toContain('ec2:DescribeInstances');
    expect(sent).toContain('rds:PromoteReadReplica');
    expect(sent).toContain('cloudwatch:GetMetricData');
    expect(sent).toContain('route53:ChangeResourceRecordSets');
    expect(sent).toContain('arc-zonal-shift:StartZonalShift');
    const granted = actionsInReadme();
    const expected = new Set([...sent, ...Object.keys(IMPLIED)]);
    expect([...granted].filter((action) => !expected.has(action)).sort()).toEqual([]);
    expect([...expected].filter((action) => !granted.has(action)).sort()).toEqual([]);
  });
});
