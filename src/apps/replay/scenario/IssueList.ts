import type { z } from 'zod';
import { describeValue } from './describeValue.js';
import { didYouMean } from './didYouMean.js';
import { formatPath, type PathSegment } from './formatPath.js';
import { ScenarioError, type ScenarioIssue } from './ScenarioError.js';
import type { SourceDocument } from './SourceDocument.js';

type ZodIssue = z.core.$ZodIssue;

/** Words for zod's `expected` types, as a scenario author thinks of them. */
const TYPE_NAMES: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
  record: 'a mapping',
};

/**
 * Collects every problem of one file with its path and line, so validation
 * goes on after the first one and the user sees them all at once.
 */
export class IssueList {
  private readonly issues: ScenarioIssue[] = [];

  constructor(private readonly source: SourceDocument) {}

  /** Number of problems so far. */
  get count(): number {
    return this.issues.length;
  }

  /** Line where `path` was written, for messages that point at a second place. */
  lineOf(path: readonly PathSegment[]): number | undefined {
    return this.source.lineOf(path);
  }

  /** Records one problem at `path`. */
  add(path: readonly PathSegment[], message: string): void {
    const line = this.source.lineOf(path);
    this.issues.push({ path: formatPath(path), ...(line !== undefined ? { line } : {}), message });
  }

  /**
   * Validates `value` (found at `path`) with `schema`; records every zod
   * issue in our words and returns `undefined` when there is any.
   */
  parse<S extends z.ZodType>(schema: S, value: unknown, path: readonly PathSegment[]): z.output<S> | undefined {
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    for (const issue of result.error.issues) this.addZodIssue(issue, schema, value, path);
    return undefined;
  }

  /** Throws a {@link ScenarioError} with every problem, in file order, when there is any. */
  throwIfAny(): void {
    if (this.issues.length === 0) return;
    // Stable: issues on the same line keep the order they were found in.
    const sorted = [...this.issues].sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
    throw new ScenarioError(this.source.file, sorted);
  }

  private addZodIssue(issue: ZodIssue, schema: z.ZodType, value: unknown, base: readonly PathSegment[]): void {
    const rel = issue.path.filter((s): s is PathSegment => typeof s !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      const known = objectKeysAt(schema, rel) ?? [];
      for (const key of issue.keys) this.add([...base, ...rel, key], unknownKeyMessage(key, known));
      return;
    }
    const { parent, actual } = lookup(value, rel);
    if (actual === undefined && rel.length > 0 && isPlainObject(parent) && !Object.hasOwn(parent, rel[rel.length - 1]!)) {
      this.add([...base, ...rel], 'missing required key');
      return;
    }
    this.add([...base, ...rel], describeZodIssue(issue, actual));
  }
}

/** The message for a key no schema knows, with the likely intended key when there is one. */
export function unknownKeyMessage(key: string, known: readonly string[]): string {
  const guess = didYouMean(key, known);
  if (guess !== undefined) return `unknown key (did you mean ${guess}?)`;
  return known.length > 0 ? `unknown key (expected one of: ${known.join(', ')})` : 'unknown key';
}

function describeZodIssue(issue: ZodIssue, actual: unknown): string {
  const got = `got ${describeValue(actual)}`;
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${TYPE_NAMES[issue.expected] ?? issue.expected}, ${got}`;
    case 'invalid_value': {
      const values = issue.values.map((v) => String(v));
      if (values.length === 1) return `expected ${values[0]}, ${got}`;
      const guess = typeof actual === 'string' ? didYouMean(actual, values) : undefined;
      return `expected one of ${values.join(', ')}, ${got}${guess !== undefined ? ` (did you mean ${guess}?)` : ''}`;
    }
    case 'too_small':
      if (issue.origin === 'array') return issue.minimum === 1 ? 'expected a non-empty list' : `expected at least ${issue.minimum} items`;
      if (issue.origin === 'string') return issue.minimum === 1 ? 'expected a non-empty string' : `expected at least ${issue.minimum} characters`;
      return `expected ${issue.inclusive ? 'at least' : 'more than'} ${issue.minimum}, ${got}`;
    case 'too_big':
      if (issue.origin === 'array') return `expected at most ${issue.maximum} items`;
      if (issue.origin === 'string') return `expected at most ${issue.maximum} characters`;
      return `expected ${issue.inclusive ? 'at most' : 'less than'} ${issue.maximum}, ${got}`;
    case 'invalid_union': {
      const expected = issue.errors
        .flat()
        .filter((e) => e.code === 'invalid_type' && e.path.length === 0)
        .map((e) => (e.code === 'invalid_type' ? (TYPE_NAMES[e.expected] ?? e.expected) : ''));
      return expected.length > 0 ? `expected ${[...new Set(expected)].join(' or ')}, ${got}` : issue.message;
    }
    default:
      // Custom and format issues carry messages written for this project.
      return issue.message;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function lookup(value: unknown, path: readonly PathSegment[]): { parent: unknown; actual: unknown } {
  let parent: unknown;
  let actual = value;
  for (const segment of path) {
    parent = actual;
    if (Array.isArray(actual) && typeof segment === 'number') actual = actual[segment];
    else if (isPlainObject(actual) && Object.hasOwn(actual, segment)) actual = actual[segment];
    else actual = undefined;
  }
  return { parent, actual };
}

/**
 * Keys of the object schema found at `path` inside `schema`, looking through
 * wrappers (optional, default, transforms), so an unknown key can be matched
 * against the keys that were meant. `undefined` when no object is there.
 */
function objectKeysAt(schema: z.ZodType, path: readonly PathSegment[]): string[] | undefined {
  let current: z.core.$ZodType | undefined = unwrap(schema);
  for (const segment of path) {
    if (!current) return undefined;
    const def: z.core.$ZodTypes['_zod']['def'] = (current as z.core.$ZodTypes)._zod.def;
    if (def.type === 'object') current = (def.shape as Record<string, z.core.$ZodType>)[String(segment)];
    else if (def.type === 'array') current = def.element;
    else if (def.type === 'record') current = def.valueType;
    else return undefined;
    current = current && unwrap(current);
  }
  if (!current) return undefined;
  const def = (current as z.core.$ZodTypes)._zod.def;
  return def.type === 'object' ? Object.keys(def.shape) : undefined;
}

function unwrap(schema: z.core.$ZodType): z.core.$ZodType {
  let current = schema;
  for (let guard = 0; guard < 20; guard++) {
    const def = (current as z.core.$ZodTypes)._zod.def;
    switch (def.type) {
      case 'optional':
      case 'default':
      case 'prefault':
      case 'nullable':
      case 'readonly':
      case 'catch':
      case 'nonoptional':
        current = def.innerType;
        break;
      case 'pipe':
        // A preprocess is a transform piped into the real schema; a
        // transform on a schema is the schema piped into the transform.
        current = (def.in as z.core.$ZodTypes)._zod.def.type === 'transform' ? def.out : def.in;
        break;
      default:
        return current;
    }
  }
  return current;
}
