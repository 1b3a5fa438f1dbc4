import { extname } from 'node:path';
import { Alias, isAlias, isCollection, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Pair, type YAMLMap } from 'yaml';
import { isInputFileError } from '../../../core/util/InputFileError.js';
import { readInputFile } from '../../../core/util/readInputFile.js';
import { findJsonSyntaxError } from './findJsonSyntaxError.js';
import { formatPath, type PathSegment } from './formatPath.js';
import { INPUT_LIMITS } from './inputLimits.js';
import { ScenarioError, type ScenarioIssue } from './ScenarioError.js';

/** Syntax of a file, from its extension. */
export type SourceFormat = 'yaml' | 'json';

const FORMATS: Readonly<Record<string, SourceFormat>> = { '.yaml': 'yaml', '.yml': 'yaml', '.json': 'json' };

const NESTING_MESSAGE = `nesting too deep: more than ${INPUT_LIMITS.nestingDepth} levels of mappings and lists (the nesting depth limit)`;

/**
 * A YAML or JSON file, parsed once, that can say on which line any path of
 * its value was written. JSON goes through the YAML parser too (after a
 * strict JSON syntax check), so both formats get lines and duplicate-key
 * detection from one code path.
 *
 * YAML merge keys (`<<: *defaults`, YAML 1.1) are supported: authors use
 * them to share replica or group settings, and refusing them only made a
 * file that reads right fail with "missing key". In JSON, `"<<"` is an
 * ordinary key.
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
   * Reads and parses a file, through the checked read every input takes: a
   * regular file (never a FIFO or a device), at most
   * {@link INPUT_LIMITS}.sourceBytes, valid UTF-8.
   *
   * @throws {@link ScenarioError} when the extension is not supported, the
   * file cannot be read or is refused, or it is not well-formed YAML/JSON.
   */
  static async load(path: string): Promise<SourceDocument> {
    formatOf(path);
    let text: string;
    try {
      text = await readInputFile(path, { maxBytes: INPUT_LIMITS.sourceBytes });
    } catch (error) {
      if (!isInputFileError(error)) throw error;
      throw new ScenarioError(path, { path: '', ...(error.line !== undefined ? { line: error.line } : {}), message: error.reason }, { cause: error });
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
      const syntax = findJsonSyntaxError(body, INPUT_LIMITS.nestingDepth);
      if (syntax) {
        throw new ScenarioError(file, { path: '', line: lineAtOffset(body, syntax.offset), message: `malformed JSON: ${syntax.message}` });
      }
    }

    const doc = parseDocument(body, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, merge: true });
    const source = new SourceDocument(file, format, undefined, doc, lines);
    const issues: ScenarioIssue[] = doc.errors.map((error) => source.parseErrorIssue(error.code, error.message, error.pos[0]));
    if (issues.length === 0) issues.push(...source.nestingIssues());
    if (issues.length === 0) issues.push(...source.structureIssues());
    if (issues.length > 0) throw new ScenarioError(file, issues);
    if (isEmpty(doc.contents)) return source;

    return new SourceDocument(file, format, source.toValue(), doc, lines);
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
        const pair = this.pairOf(node, String(segment));
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

  /**
   * The entry for `key` in `map`: written there, or brought in by a merge
   * key (`<<: *defaults`, or a list of them, the first one winning), so a
   * problem in a merged value points at the line where it was written.
   */
  private pairOf(map: YAMLMap, key: string, seen = new Set<unknown>()): Pair | undefined {
    seen.add(map);
    const own = map.items.find((p) => isScalar(p.key) && String(p.key.value) === key);
    if (own) return own;
    // With `merge: true` the parser turns a plain `<<` key into the symbol `Symbol(<<)`.
    for (const merge of map.items.filter((p) => isScalar(p.key) && typeof p.key.value === 'symbol' && p.key.value.description === '<<')) {
      const sources = isSeq(merge.value) ? merge.value.items : [merge.value];
      for (const each of sources) {
        const target = isAlias(each) ? each.resolve(this.doc!) : each;
        if (!isMap(target) || seen.has(target)) continue;
        const found = this.pairOf(target, key, seen);
        if (found) return found;
      }
    }
    return undefined;
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
    if (code === 'RESOURCE_EXHAUSTION') {
      // The parser ran out of stack: only absurd nesting does that.
      return { path: '', line, message: NESTING_MESSAGE };
    }
    if (code === 'MULTIPLE_DOCS') {
      return { path: '', line, message: 'a second YAML document ("---"): a file holds exactly one document' };
    }
    return { path: '', line, message: `malformed ${this.format === 'json' ? 'JSON' : 'YAML'}: ${message}` };
  }

  /**
   * Plain data of the document. An alias bomb (aliases of aliases, each
   * doubling the size) is refused with the line of the alias at which
   * YAML's `maxAliasCount` ran out: each alias records its own failure.
   */
  private toValue(): unknown {
    const doc = this.doc!;
    let culprit: Alias | undefined;
    visit(doc, {
      Alias: (_key, alias) => {
        const toJSON = alias.toJSON.bind(alias);
        alias.toJSON = (arg, ctx) => {
          try {
            return toJSON(arg, ctx);
          } catch (error) {
            culprit ??= alias;
            throw error;
          }
        };
      },
    });
    try {
      return doc.toJS({ maxAliasCount: INPUT_LIMITS.aliasExpansions });
    } catch (error) {
      const line = culprit ? this.lineOfNode(culprit) : undefined;
      const message = culprit
        ? `alias *${culprit.source} expands too much: more than ${INPUT_LIMITS.aliasExpansions} alias expansions (the alias limit; an alias bomb?)`
        : `malformed YAML: ${(error as Error).message}`;
      throw new ScenarioError(this.file, { path: '', ...(line !== undefined ? { line } : {}), message }, { cause: error });
    }
  }

  /**
   * Nesting deeper than {@link INPUT_LIMITS}.nestingDepth, with the line
   * where it goes too deep. Walked without recursion, so depth that the
   * parser survived cannot overflow the stack here either.
   */
  private nestingIssues(): ScenarioIssue[] {
    const stack: { node: unknown; depth: number }[] = [{ node: this.doc?.contents, depth: 1 }];
    while (stack.length > 0) {
      const { node, depth } = stack.pop()!;
      if (!isCollection(node)) continue;
      if (depth > INPUT_LIMITS.nestingDepth) {
        const line = this.lineOfNode(node);
        return [{ path: '', ...(line !== undefined ? { line } : {}), message: NESTING_MESSAGE }];
      }
      for (const item of node.items) {
        if (isPair(item)) {
          stack.push({ node: item.key, depth: depth + 1 }, { node: item.value, depth: depth + 1 });
        } else {
          stack.push({ node: item, depth: depth + 1 });
        }
      }
    }
    return [];
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
