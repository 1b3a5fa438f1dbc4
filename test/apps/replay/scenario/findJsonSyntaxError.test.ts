import { describe, expect, it } from 'vitest';
import { findJsonSyntaxError } from '../../../../src/apps/replay/scenario/findJsonSyntaxError.js';

describe('findJsonSyntaxError', () => {
  it('accepts what JSON.parse accepts', () => {
    for (const text of ['{}', '[]', '0', '-1.5e+3', '"a\\u00e9\\n\\/"', ' { "a": [true, false, null, {"b": ""}] } ', '\ufeff{"a":1}']) {
      expect(findJsonSyntaxError(text), text).toBeUndefined();
    }
  });

  it('rejects what the YAML parser would let through, with the offset', () => {
    expect(findJsonSyntaxError('{"a": 1,}')).toEqual({ offset: 8, message: 'trailing comma before "}"' });
    expect(findJsonSyntaxError('[1, 2,]')).toEqual({ offset: 6, message: 'trailing comma before "]"' });
    expect(findJsonSyntaxError('{a: 1}')).toEqual({ offset: 1, message: 'expected a double-quoted key, found "a"' });
    expect(findJsonSyntaxError("['a']")).toEqual({ offset: 1, message: 'strings must use double quotes' });
    expect(findJsonSyntaxError('{"a": yes}')).toEqual({ offset: 6, message: 'expected a value, found "yes"' });
    expect(findJsonSyntaxError('{"a": 01}')).toEqual({ offset: 7, message: 'expected "," or "}" after a value, found "1"' });
    expect(findJsonSyntaxError('{"a": "x\ty"}')?.message).toContain('control character');
    expect(findJsonSyntaxError('{"a": "\\x"}')?.message).toBe('invalid escape sequence in a string');
    expect(findJsonSyntaxError('{"a": "open')).toEqual({ offset: 6, message: 'unterminated string' });
    expect(findJsonSyntaxError('{} {}')).toEqual({ offset: 3, message: 'unexpected "{" after the end of the JSON value' });
    expect(findJsonSyntaxError('')).toEqual({ offset: 0, message: 'expected a value, found the end of the file' });
  });
});
