/** One step into a parsed file: a mapping key or a list index. */
export type PathSegment = string | number;

const PLAIN_KEY = /^[A-Za-z0-9_-]+$/;

/**
 * Formats a path the way users write it: `topology.groups[0].nodes.us-east-1a`.
 * Keys that would read ambiguously (dots, spaces, empty) are quoted:
 * `nodes["a.b"]`. The root is `''`.
 */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (PLAIN_KEY.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}
