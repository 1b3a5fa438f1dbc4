import { describe, expect, it } from 'vitest';
import { formatScenarioIssue, isScenarioError, ScenarioError } from '../../../../src/apps/replay/scenario/ScenarioError.js';

describe('ScenarioError', () => {
  it('formats one issue as file:line: path: message', () => {
    const error = new ScenarioError('scenarios/foo.yaml', {
      path: 'events[3].zone',
      line: 12,
      message: 'unknown zone "us-east-1z" (declared zones: us-east-1a, us-east-1b)',
    });
    expect(error.message).toBe('scenarios/foo.yaml:12: events[3].zone: unknown zone "us-east-1z" (declared zones: us-east-1a, us-east-1b)');
    expect(error.file).toBe('scenarios/foo.yaml');
    expect(error.path).toBe('events[3].zone');
    expect(error.line).toBe(12);
    expect(error.name).toBe('ScenarioError');
    expect(error).toBeInstanceOf(Error);
  });

  it('leaves out the line and the path when they are unknown', () => {
    expect(formatScenarioIssue('a.yaml', { path: '', message: 'empty scenario' })).toBe('a.yaml: empty scenario');
    expect(formatScenarioIssue('a.json', { path: 'name', message: 'missing required key' })).toBe('a.json: name: missing required key');
    const error = new ScenarioError('a.yaml', { path: '', message: 'cannot read the file' });
    expect(error.line).toBeUndefined();
  });

  it('lists several issues one per line; path and line are the first one', () => {
    const error = new ScenarioError('s.yaml', [
      { path: 'name', line: 1, message: 'bad name' },
      { path: 'events[0].at', line: 20, message: 'bad at' },
    ]);
    expect(error.message).toBe('s.yaml:1: name: bad name\ns.yaml:20: events[0].at: bad at');
    expect(error.issues).toHaveLength(2);
    expect(error.path).toBe('name');
    expect(error.line).toBe(1);
  });

  it('refuses an empty list of issues', () => {
    expect(() => new ScenarioError('s.yaml', [])).toThrow(TypeError);
  });

  it('is recognised by its guard, even as a look-alike from another copy of the package', () => {
    expect(isScenarioError(new ScenarioError('s.yaml', { path: '', message: 'x' }))).toBe(true);
    expect(isScenarioError(new Error('x'))).toBe(false);
    expect(isScenarioError(null)).toBe(false);
    expect(isScenarioError({ [Symbol.for('lifeboat.ScenarioError')]: true })).toBe(true);
  });
});

describe('ScenarioError issues', () => {
  it('lists an issue reported twice only once', () => {
    const issue = { path: '', line: 1, message: 'malformed YAML: Unexpected token' };
    const error = new ScenarioError('s.yaml', [issue, { ...issue }, { ...issue, line: 2 }]);
    expect(error.issues).toHaveLength(2);
    expect(error.message).toBe('s.yaml:1: malformed YAML: Unexpected token\ns.yaml:2: malformed YAML: Unexpected token');
  });
});
