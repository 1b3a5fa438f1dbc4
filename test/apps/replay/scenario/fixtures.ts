import { expect } from 'vitest';
import { isScenarioError, type ScenarioError, type ScenarioIssue } from '../../../../src/apps/replay/scenario/ScenarioError.js';

/** The ScenarioError `fn` throws; fails the test when it throws nothing or something else. */
export function scenarioErrorOf(fn: () => unknown): ScenarioError {
  try {
    fn();
  } catch (error) {
    if (isScenarioError(error)) return error;
    throw error;
  }
  throw new Error('expected a ScenarioError, nothing was thrown');
}

/** Same as {@link scenarioErrorOf} for async loaders. */
export async function scenarioErrorOfAsync(fn: () => Promise<unknown>): Promise<ScenarioError> {
  try {
    await fn();
  } catch (error) {
    if (isScenarioError(error)) return error;
    throw error;
  }
  throw new Error('expected a ScenarioError, nothing was thrown');
}

/**
 * Asserts that `error` has an issue at `path` on `line` whose message
 * contains `message`, and that the error's message shows it as
 * `file:line: path: message`. Returns the issue.
 */
export function expectIssue(
  error: ScenarioError,
  expected: { readonly path: string; readonly line?: number; readonly message: string | RegExp },
): ScenarioIssue {
  const candidates = error.issues.filter((issue) => issue.path === expected.path);
  expect(candidates.map((i) => i.path), `no issue at "${expected.path}" in:\n${error.message}`).toContain(expected.path);
  const issue = candidates.find((i) => (typeof expected.message === 'string' ? i.message.includes(expected.message) : expected.message.test(i.message)));
  expect(issue, `no issue at "${expected.path}" matching ${String(expected.message)} in:\n${error.message}`).toBeDefined();
  expect(issue!.line).toBe(expected.line);
  const where = expected.line === undefined ? error.file : `${error.file}:${expected.line}`;
  const prefix = expected.path === '' ? `${where}: ` : `${where}: ${expected.path}: `;
  expect(error.message.split('\n')).toContain(`${prefix}${issue!.message}`);
  return issue!;
}

/**
 * A small valid scenario whose line numbers the error tests rely on. Line
 * numbers are in the comments; `events:` is the last line (19), so events
 * appended to it start on line 20.
 */
export const BASE = [
  'name: small', // 1
  'duration: 1h', // 2
  'topology:', // 3
  '  providers:', // 4
  '    - id: aws', // 5
  '      regions:', // 6
  '        - id: us-east-1', // 7
  '          zones: [us-east-1a, us-east-1b]', // 8
  '  groups:', // 9
  '    - id: web', // 10
  '      provider: aws', // 11
  '      region: us-east-1', // 12
  '      nodes: { us-east-1a: 2, us-east-1b: 2 }', // 13
  '  databases:', // 14
  '    - id: orders', // 15
  '      primary: { provider: aws, region: us-east-1, zone: us-east-1a }', // 16
  '      replicas:', // 17
  '        - { id: orders-b, provider: aws, region: us-east-1, zone: us-east-1b }', // 18
  'events:', // 19
].join('\n');

/** {@link BASE} with `lines` appended (the first appended line is line 20). */
export function withLines(...lines: string[]): string {
  return `${BASE}\n${lines.join('\n')}\n`;
}

/** {@link BASE} with line `n` (1-based) replaced by `replacement` (which may hold several lines). */
export function replacingLine(n: number, replacement: string, after = ''): string {
  const lines = BASE.split('\n');
  lines[n - 1] = replacement;
  return `${lines.join('\n')}\n${after}`;
}
