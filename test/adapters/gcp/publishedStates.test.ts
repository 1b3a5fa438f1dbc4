import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toCloudSqlState } from '../../../adapters/gcp/cloudSqlStateTable.js';
import { toGceNodeState, toGceZoneStatus } from '../../../adapters/gcp/gceStatusTable.js';

/**
 * The GCE status table against Google's own definition of Compute Engine's
 * API, not against our emulator: every `Instance.Status` it defines maps to a
 * contract state, so none reads `unknown` (an unmapped GCE status once
 * crashed libcloud's driver, apache/libcloud#1296). The definition is the
 * one installed with the client library, `google/cloud/compute/v1/compute.proto`
 * of `@google-cloud/compute`, which Google's client-library references render
 * (e.g. the `Instance.Types.Status` page of Google.Cloud.Compute.V1: "Stopped:
 * The instance has stopped successfully.").
 */

/** The values of `enum <name>` inside `message <message>` of a proto file. */
function protoEnum(proto: string, message: string, name: string): string[] {
  const start = proto.indexOf(`\nmessage ${message} {`);
  expect(start, `message ${message}`).toBeGreaterThanOrEqual(0);
  const enumStart = proto.indexOf(`enum ${name} {`, start);
  const enumEnd = proto.indexOf('}', enumStart);
  expect(enumStart, `enum ${message}.${name}`).toBeGreaterThan(start);
  return [...proto.slice(enumStart, enumEnd).matchAll(/^\s*([A-Z][A-Z0-9_]*)\s*=\s*\d+;/gm)].map((match) => match[1]!);
}

function computeProto(): string {
  const packageJson = createRequire(import.meta.url).resolve('@google-cloud/compute/package.json');
  return readFileSync(join(dirname(packageJson), 'build/protos/google/cloud/compute/v1/compute.proto'), 'utf8');
}

/** The enum names of a published Markdown enum table (`| \`NAME\` | description |` rows), its sidecar checked for a Google source and `verbatim`. */
function publishedEnumTable(name: string): string[] {
  const source = readFileSync(new URL(`./fixtures/${name.replace(/\.txt$/, '.source.md')}`, import.meta.url), 'utf8');
  expect(source).toMatch(/\*\*Source:\*\*[^\n]*\n\s+https:\/\/cloud\.google\.com\//);
  expect(source).toMatch(/\*\*Verbatim or adapted:\*\* verbatim/);
  const table = readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
  return [...table.matchAll(/^\| `([A-Z][A-Z0-9_]*)` \|/gm)].map((match) => match[1]!);
}

describe('the GCE and Cloud SQL state tables against Google\'s published API definitions', () => {
  it('every Compute Engine Instance.Status maps to a node state (STOPPED, "The instance has stopped successfully", is stopped)', () => {
    const statuses = protoEnum(computeProto(), 'Instance', 'Status').filter((status) => status !== 'UNDEFINED_STATUS');
    expect(statuses).toEqual(expect.arrayContaining(['PROVISIONING', 'RUNNING', 'STOPPED', 'TERMINATED']));
    expect(statuses.filter((status) => toGceNodeState(status) === 'unknown')).toEqual([]);
    expect(toGceNodeState('STOPPED')).toBe('stopped');
  });

  it('every Cloud SQL SqlInstanceState of the published enum maps to a database state', () => {
    const states = publishedEnumTable('sql-instance-states.txt').filter((state) => state !== 'SQL_INSTANCE_STATE_UNSPECIFIED');
    expect(states).toEqual(['RUNNABLE', 'SUSPENDED', 'PENDING_DELETE', 'PENDING_CREATE', 'MAINTENANCE', 'FAILED', 'ONLINE_MAINTENANCE', 'REPAIRING']);
    expect(states.filter((state) => toCloudSqlState(state, 'ALWAYS') === 'unknown')).toEqual([]);
    // "The instance is running, or has been stopped by owner": RUNNABLE is stopped when the owner stopped it (activation policy NEVER).
    expect([toCloudSqlState('RUNNABLE', 'ALWAYS'), toCloudSqlState('RUNNABLE', 'NEVER')]).toEqual(['available', 'stopped']);
  });
  it('every Compute Engine Zone.Status maps to a zone status', () => {
    const statuses = protoEnum(computeProto(), 'Zone', 'Status').filter((status) => status !== 'UNDEFINED_STATUS');
    expect(statuses).toEqual(expect.arrayContaining(['UP', 'DOWN']));
    expect(statuses.filter((status) => toGceZoneStatus(status) === 'unknown')).toEqual([]);
  });
});
