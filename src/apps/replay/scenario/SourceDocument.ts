import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type Document } from 'yaml';
import { findJsonSyntaxError } from './findJsonSyntaxError.js';
import { formatPath, type PathSegment } from './formatPath.js';
import { ScenarioError, type ScenarioIssue } from './ScenarioError.js';

/** Syntax of a file, from its extension. */
export type SourceFormat = 'yaml' | 'json';

const FORMATS: Readonly<Record<string, SourceFormat>> = { '.yaml': 'yaml', '.yml': 'yaml', '.json': 'json' };

/** Node error codes users hit, in their words. */
const READ_ERRORS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  EISDIR: 'it is a directory, not a file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
};

/**
 * A YAML or JSON file, parsed once, that can say on which line any path of
 * its value was written. JSON goes through the YAML parser too (after a
 * strict JSON syntax check), so both formats get lines and duplicate-key
 * detection from one code path.
 */
export class SourceDocument {
  private constructor(
    /** The file as the user named it. */
    readonly file: string,
    readonly format: SourceFormat,
    /** Plain data (objects, arrays, scalars); `undefined` when the file holds only comments or blank lines. */
    readonly value: unknown,
    private readonly doc: Document.Parsed | undefined,
    private readonly lines: LineCounter,
  ) {}

  /**
   * Reads and parses a file.
   *
   * @throws {@link ScenarioError} when the extension is not supported, the
   * file cannot be read, or it is not well-formed YAML/JSON.
   */
  static async load(path: string): Promise<SourceDocument> {
    formatOf(path);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const reason = (code !== undefined ? READ_ERRORS[code] : undefined) ?? (error as Error).message;
      throw new ScenarioError(path, { path: '', message: `cannot read the file: ${reason}${code ? ` (${code})` : ''}` }, { cause: error });
    }
    return SourceDocument.parse(text, path);
  }

  /**
   * Parses text that was read from `file` (used for messages and, through its
   * extension, to choose the syntax). Pure.
   *
   * @throws {@link ScenarioError} when the extension is not supported or the
   * text is not well-formed.
   */
  static parse(text: string, file: string): SourceDocument {
    const format = formatOf(file);
    const lines = new LineCounter();
    const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;

    if (format === 'json') {
      if (body.trim() === '') return new SourceDocument(file, format, undefined, undefined, lines);
      const syntax = findJsonSyntaxError(body);
      if (syntax) {
        throw new ScenarioError(file, { path: '', line: lineAtOffset(body, syntax.offset), message: `malformed JSON: ${syntax.message}` });
      }
    }

    const doc = parseDocument(body, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
    const source = new SourceDocument(file, format, undefined, doc, lines);
    const issues: ScenarioIssue[] = doc.errors.map((error) => source.parseErrorIssue(error.code, error.message, error.pos[0]));
    if (issues.length === 0) issues.push(...source.structureIssues());
    if (issues.length > 0) throw new ScenarioError(file, issues);
    if (isEmpty(doc.contents)) return source;

    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (error) {
      throw new ScenarioError(file, { path: '', message: `malformed YAML: ${(error as Error).message}` }, { cause: error });
    }
    return new SourceDocument(file, format, value, doc, lines);
  }

  /**
   * 1-based line where `path` was written: the key's line for a mapping
   * entry (so an unknown key points at itself), the item's first line for a
   * list item. A path that does not exist (a missing key) gets the line of
   * its deepest existing ancestor.
   */
  lineOf(path: readonly PathSegment[]): number | undefined {
    if (!this.doc) return undefined;
    let node: unknown = this.doc.contents;
    let line = this.lineOfNode(node);
    for (const segment of path) {
      if (isAlias(node)) node = node.resolve(this.doc);
      if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment));
        if (!pair) break;
        line = this.lineOfNode(pair.key) ?? line;
        node = pair.value;
      } else if (isSeq(node) && typeof segment === 'number') {
        node = node.items[segment];
        if (node === undefined) break;
        line = this.lineOfNode(node) ?? line;
      } else {
        break;
      }
    }
    return line;
  }

  private lineOfNode(node: unknown): number | undefined {
    const range = (node as { range?: readonly number[] | null } | null | undefined)?.range;
    return range ? this.lines.linePos(range[0]!).line : undefined;
  }

  private parseErrorIssue(code: string, message: string, offset: number): ScenarioIssue {
    const line = this.lines.linePos(offset).line;
    if (code === 'DUPLICATE_KEY') {
      const path = this.pathAt(offset);
      return { path: formatPath(path), line, message: 'duplicate key (each key may appear only once in a mapping)' };
    }
    if (code === 'MULTIPLE_DOCS') {
      return { path: '', line, message: 'a second YAML document ("---"): a file holds exactly one document' };
    }
    return { path: '', line, message: `malformed ${this.format === 'json' ? 'JSON' : 'YAML'}: ${message}` };
  }

  /**
   * Problems the YAML parser accepts but that have no place in a scenario:
   * keys that are not plain scalars (`? [a, b]`) would be stringified, and
   * an alias without its anchor would only fail later, without a line.
   */
  private structureIssues(): ScenarioIssue[] {
    const doc = this.doc;
    if (!doc) return [];
    const issues: ScenarioIssue[] = [];
    visit(doc, {
      Pair: (_key, pair) => {
        if (!isScalar(pair.key) || pair.key.value === null || typeof pair.key.value === 'object') {
          const at = this.lineOfNode(pair.key) ?? this.lineOfNode(pair.value);
          issues.push({ path: '', ...(at !== undefined ? { line: at } : {}), message: 'mapping keys must be plain strings' });
        }
      },
      Alias: (_key, alias) => {
        if (alias.resolve(doc) === undefined) {
          const at = this.lineOfNode(alias);
          issues.push({
            path: '',
            ...(at !== undefined ? { line: at } : {}),
            message: `unknown alias *${alias.source} (its anchor &${alias.source} must come before it)`,
          });
        }
      },
    });
    return issues;
  }

  /** Path of the deepest node whose text contains `offset`. */
  private pathAt(offset: number): PathSegment[] {
    const path: PathSegment[] = [];
    const contains = (node: unknown) => {
      const range = (node as { range?: readonly number[] | null } | null | undefined)?.range;
      return !!range && offset >= range[0]! && offset < Math.max(range[2]!, range[0]! + 1);
    };
    let node: unknown = this.doc?.contents;
    for (;;) {
      if (isMap(node)) {
        const pair = node.items.find((p) => contains(p.key) || contains(p.value));
        if (!pair || !isScalar(pair.key)) return path;
        path.push(String(pair.key.value));
        if (contains(pair.key)) return path;
        node = pair.value;
      } else if (isSeq(node)) {
        const index = node.items.findIndex((item) => contains(item));
        if (index < 0) return path;
        path.push(index);
        node = node.items[index];
      } else {
        return path;
      }
    }
  }
}

/** Nothing but comments, blank lines or a lone `---`: the parser then gives no node or an empty null scalar. */
function isEmpty(contents: unknown): boolean {
  if (contents === null || contents === undefined) return true;
  if (!isScalar(contents) || contents.value !== null) return false;
  const range = contents.range;
  return !range || range[0] === range[1];
}

/** The syntax for `file`, from its extension. */
function formatOf(file: string): SourceFormat {
  const ext = extname(file).toLowerCase();
  const format = FORMATS[ext];
  if (!format) {
    const what = ext === '' ? 'no extension' : `extension "${ext}"`;
    throw new ScenarioError(file, { path: '', message: `unsupported file type (${what}): expected a .yaml, .yml or .json file` });
  }
  return format;
}

function lineAtOffset(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}
