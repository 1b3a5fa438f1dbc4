import { createHash } from 'node:crypto';

/** A stable private IPv4 address for a resource id, so listings stay byte-for-byte deterministic. */
export function fakeAddress(id: string): string {
  const digest = createHash('sha256').update(id).digest();
  return `10.${digest[0]! % 256}.${digest[1]! % 256}.${(digest[2]! % 254) + 1}`;
}

/** A stable hex string for a resource id (reservation ids, operation ids). */
export function fakeHex(id: string, length: number): string {
  return createHash('sha256').update(id).digest('hex').slice(0, length);
}
