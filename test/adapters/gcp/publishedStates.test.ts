import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toGceNodeState } from '../../../adapters/gcp/gceStatusTable.js';

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

describe('the GCE status table against Google\'s published Compute API definition', () => {
  it('every Compute Engine Instance.Status maps to a node state (STOPPED, "The instance has stopped successfully", is stopped)', () => {
    const statuses = protoEnum(computeProto(), 'Instance', 'Status').filter((status) => status !== 'UNDEFINED_STATUS');
    expect(statuses).toEqual(expect.arrayContaining(['PROVISIONING', 'RUNNING', 'STOPPED', 'TERMINATED']));
    expect(statuses.filter((status) => toGceNodeState(status) === 'unknown')).toEqual([]);
    expect(toGceNodeState('STOPPED')).toBe('stopped');
  });

});
