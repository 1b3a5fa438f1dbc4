import { WireError } from './WireError.js';

/**
 * The subset of Compute's list `filter` syntax the emulator understands:
 * equality terms `field = "value"` (optionally parenthesized), ANDed by
 * juxtaposition or `AND`. Anything else is refused with 400, so an adapter
 * relying on more would notice.
 */
export function gcpListFilter(filter: string | null): Map<string, string> {
  const terms = new Map<string, string>();
  if (filter === null || filter.trim() === '') return terms;
  const term = /\s*\(?\s*([A-Za-z][\w.-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s()"]+))\s*\)?\s*(?:AND\s+)?/y;
  let at = 0;
  while (at < filter.length) {
    term.lastIndex = at;
    const match = term.exec(filter);
    if (match === null || match[0] === '') {
      throw new WireError(400, 'invalid', `Invalid value for field 'filter': '${filter}'. The emulator supports only (field = "value") terms.`);
    }
    terms.set(match[1]!, (match[2] ?? match[3] ?? '').replace(/\\(.)/g, '$1'));
    at = term.lastIndex;
  }
  return terms;
}
