/** Cross-realm brand: works even when two copies of this package are loaded. */
const BRAND = Symbol.for('lifeboat.ScenarioError');

/** One problem found in a scenario or policy file. */
export interface ScenarioIssue {
  /** Path of the offending key (`events[3].impair.zone`); `''` for the whole file. */
  readonly path: string;
  /** 1-based line in the file, when it is known. */
  readonly line?: number;
  readonly message: string;
}

/**
 * A scenario or policy file that cannot be used: unreadable, malformed, or
 * invalid. It carries every problem found, not only the first, so a user
 * fixes a file in one pass. `path` and `line` are those of the first issue.
 *
 * The message has one line per issue, `file:line: path: message`, the shape
 * compilers use, so editors and terminals can jump to the place.
 */
export class ScenarioError extends Error {
  /** The file as it was named to the loader. */
  readonly file: string;
  readonly path: string;
  readonly line?: number;
  /** Every problem, once each, in the order given (the loaders give file order). Never empty. */
  readonly issues: readonly ScenarioIssue[];
  readonly [BRAND] = true;

  /**
   * @param file - The file as the user named it.
   * @param issues - One issue or several; an empty list is a programming error.
   */
  constructor(file: string, issues: ScenarioIssue | readonly ScenarioIssue[], options?: { cause?: unknown }) {
    const given = Array.isArray(issues) ? (issues as readonly ScenarioIssue[]) : [issues as ScenarioIssue];
    // A parser can report one fault several times; the user needs it once.
    const seen = new Set<string>();
    const list = given.filter((issue) => {
      const key = `${issue.line}\u0000${issue.path}\u0000${issue.message}`;
      return seen.has(key) ? false : (seen.add(key), true);
    });
    if (list.length === 0) throw new TypeError('ScenarioError needs at least one issue');
    super(list.map((issue) => formatScenarioIssue(file, issue)).join('\n'), options);
    this.name = 'ScenarioError';
    this.file = file;
    this.issues = Object.freeze(list);
    const first = list[0]!;
    this.path = first.path;
    if (first.line !== undefined) this.line = first.line;
  }
}

/** Formats one issue as `file:line: path: message` (line and path left out when absent). */
export function formatScenarioIssue(file: string, issue: ScenarioIssue): string {
  const where = issue.line === undefined ? file : `${file}:${issue.line}`;
  return issue.path === '' ? `${where}: ${issue.message}` : `${where}: ${issue.path}: ${issue.message}`;
}

/** True for any {@link ScenarioError}, from any copy of this package. */
export function isScenarioError(value: unknown): value is ScenarioError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}
