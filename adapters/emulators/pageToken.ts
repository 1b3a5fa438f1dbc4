/**
 * Offset pagination shared by the emulators. Tokens are opaque to clients
 * (base64url of the offset and a tag naming the listing), and a token from
 * another listing is refused, as real services do. Tokens are checked before
 * the world is asked, so a bad token costs no world call.
 */
export interface Page<T> {
  readonly items: T[];
  readonly next: string | undefined;
}

/** The offset a token stands for (0 without one); `undefined` when the token is invalid. */
export function tokenOffset(token: string | null | undefined, tag: string): number | undefined {
  if (token === undefined || token === null || token === '') return 0;
  const match = /^(\d+):(.*)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  return match === null || match[2] !== tag ? undefined : Number(match[1]);
}

/** `size` items of `all` from `offset`, and the token for the rest. */
export function page<T>(all: readonly T[], size: number, offset: number, tag: string): Page<T> {
  const end = offset + size;
  return {
    items: all.slice(offset, end),
    next: end < all.length ? Buffer.from(`${end}:${tag}`, 'utf8').toString('base64url') : undefined,
  };
}
