const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/** Where and why a text is not valid JSON. */
export interface JsonSyntaxError {
  /** 0-based offset into the text. */
  readonly offset: number;
  readonly message: string;
}

/**
 * Checks strict JSON syntax (RFC 8259) and reports the first error with its
 * offset.
 *
 * Two reasons not to rely on `JSON.parse` and the YAML parser alone: the YAML
 * parser accepts JSON's common mistakes (trailing commas, unquoted keys and
 * words, single quotes), which would make a `.json` file valid here and
 * invalid everywhere else; and `JSON.parse` does not give a position for
 * every error, which users need.
 *
 * @param maxDepth - Deepest nesting of objects and arrays accepted; deeper
 * is reported where it goes too deep.
 */
export function findJsonSyntaxError(text: string, maxDepth = Infinity): JsonSyntaxError | undefined {
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let depth = 0;
  const nesting = `nesting too deep: more than ${maxDepth} levels of objects and arrays (the nesting depth limit)`;

  class Failure {
    constructor(
      readonly offset: number,
      readonly message: string,
    ) {}
  }
  const fail = (message: string, offset = i): never => {
    throw new Failure(offset, message);
  };
  // A bare word (`yes`, `tru`) reads better whole than as its first letter.
  const found = (): string => {
    if (i >= text.length) return 'the end of the file';
    const bare = /^[A-Za-z0-9_.+-]+/.exec(text.slice(i, i + 40));
    return JSON.stringify(bare ? bare[0] : text[i]);
  };

  const skipSpace = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };

  const string = () => {
    const start = i;
    i++; // opening quote
    for (;;) {
      if (i >= text.length) fail('unterminated string', start);
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return;
      }
      if (c < 0x20) fail('control character in a string (write it as an escape such as \\n or \\t)');
      if (c === 0x5c) {
        const e = text[i + 1];
        if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) i += 6;
        else fail('invalid escape sequence in a string');
      } else {
        i++;
      }
    }
  };

  const number = () => {
    NUMBER.lastIndex = i;
    const match = NUMBER.exec(text);
    if (!match) fail('invalid number');
    i += match![0].length;
  };

  const word = (w: string) => {
    if (text.startsWith(w, i) && !/[A-Za-z0-9_]/.test(text[i + w.length] ?? '')) i += w.length;
    else fail(`expected a value, found ${found()}`);
  };

  const value = (): void => {
    skipSpace();
    const c = text[i];
    if (c === '{' || c === '[') {
      if (++depth > maxDepth) fail(nesting);
      if (c === '{') object();
      else array();
      depth--;
      return;
    }
    if (c === '"') return string();
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return number();
    if (c === 't') return word('true');
    if (c === 'f') return word('false');
    if (c === 'n') return word('null');
    if (c === "'") fail('strings must use double quotes');
    if (c === undefined) fail('expected a value, found the end of the file');
    fail(`expected a value, found ${found()}`);
  };

  const object = () => {
    i++;
    skipSpace();
    if (text[i] === '}') {
      i++;
      return;
    }
    for (;;) {
      skipSpace();
      if (text[i] === '}') fail('trailing comma before "}"');
      if (text[i] !== '"') fail(`expected a double-quoted key, found ${found()}`);
      string();
      skipSpace();
      if (text[i] !== ':') fail(`expected ":" after a key, found ${found()}`);
      i++;
      value();
      skipSpace();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === '}') {
        i++;
        return;
      }
      fail(`expected "," or "}" after a value, found ${found()}`);
    }
  };

  const array = () => {
    i++;
    skipSpace();
    if (text[i] === ']') {
      i++;
      return;
    }
    for (;;) {
      skipSpace();
      if (text[i] === ']') fail('trailing comma before "]"');
      value();
      skipSpace();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === ']') {
        i++;
        return;
      }
      fail(`expected "," or "]" after a value, found ${found()}`);
    }
  };

  try {
    value();
    skipSpace();
    if (i < text.length) fail(`unexpected ${found()} after the end of the JSON value`);
    return undefined;
  } catch (error) {
    if (error instanceof Failure) return { offset: Math.min(error.offset, text.length), message: error.message };
    // Only a stack overflow on absurd nesting gets here.
    if (error instanceof RangeError) return { offset: 0, message: 'nesting too deep' };
    throw error;
  }
}
