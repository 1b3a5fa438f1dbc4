import { createHash } from 'node:crypto';

/** Longest name this returns: well under the 255 bytes most file systems allow, leaving room for a prefix and suffix. */
const MAX_LENGTH = 120;

/**
 * Turns an id that came from outside (a database id, a cluster name) into
 * one path segment that is safe to use as (part of) a file name: letters,
 * digits, `_` and `-` are kept, every other byte (including `/`, `\`, `.`,
 * `%` and NUL) becomes `%XX`, so the result is never `.` or `..`, has no
 * separator, and different ids give different names. Ids whose encoding is
 * too long are cut and end with a digest of the whole id (still unique).
 */
export function fileNameFromId(id: string): string {
  const encoded = [...Buffer.from(id, 'utf8')]
    .map((byte) => (/[A-Za-z0-9_-]/.test(String.fromCharCode(byte)) ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`))
    .join('');
  if (encoded === '') return '%00';
  if (encoded.length <= MAX_LENGTH) return encoded;
  const digest = createHash('sha256').update(id).digest('hex').slice(0, 16);
  return `${encoded.slice(0, MAX_LENGTH - 17).replace(/%[0-9A-F]?$/, '')}~${digest}`;
}
