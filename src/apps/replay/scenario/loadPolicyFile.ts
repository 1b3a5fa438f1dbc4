import { policyOverridesSchema, type PolicyOverrides } from '../../../core/controller/Policy.js';
import { describeValue } from './describeValue.js';
import { IssueList } from './IssueList.js';
import { ScenarioError } from './ScenarioError.js';
import { SourceDocument } from './SourceDocument.js';

/**
 * Reads a policy file for `lifeboat replay --policy FILE`: a YAML or JSON
 * mapping of controller policy keys (the same keys as a scenario's `policy`
 * section, durations written like `90s`).
 *
 * A file with nothing but comments overrides nothing: unlike a scenario, a
 * policy has no required key, so an empty one is a valid "no overrides".
 *
 * @param path - The file, as the user named it.
 * @returns The validated overrides, durations in seconds; frozen.
 * @throws {@link ScenarioError} listing every problem (unknown key, wrong
 * value) with its key path and line, or naming the file when it cannot be read.
 */
export async function loadPolicyFile(path: string): Promise<PolicyOverrides> {
  return readPolicy(await SourceDocument.load(path));
}

/**
 * Parses and validates policy text. Pure: `file` is only used in messages
 * and, through its extension, to choose between YAML and JSON.
 *
 * @throws {@link ScenarioError} listing every problem found.
 */
export function parsePolicy(text: string, file: string): PolicyOverrides {
  return readPolicy(SourceDocument.parse(text, file));
}

function readPolicy(source: SourceDocument): PolicyOverrides {
  if (source.value === undefined) return Object.freeze({});
  if (typeof source.value !== 'object' || source.value === null || Array.isArray(source.value)) {
    const line = source.lineOf([]);
    throw new ScenarioError(source.file, {
      path: '',
      ...(line !== undefined ? { line } : {}),
      message: `expected a mapping of policy keys (probeInterval: 2s, ...) at the top level, got ${describeValue(source.value)}`,
    });
  }
  const issues = new IssueList(source);
  const policy = issues.parse(policyOverridesSchema, source.value, []);
  issues.throwIfAny();
  return Object.freeze(policy!);
}
