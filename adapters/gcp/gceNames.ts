import { createHash, randomBytes } from 'node:crypto';

/**
 * GCE instance names are unique per zone only, so a contract node id is
 * `<zone>/<instance name>`: unique across the project, and every operation
 * finds its zone without a lookup.
 */
export function formatNodeId(zone: string, name: string): string {
  return `${zone}/${name}`;
}

/** The zone and name in a node id, or `undefined` when it is not one. */
export function parseNodeId(id: string): { zone: string; name: string } | undefined {
  const match = /^([a-z][a-z0-9-]*)\/([a-z](?:[-a-z0-9]{0,61}[a-z0-9])?)$/.exec(id);
  return match === null ? undefined : { zone: match[1]!, name: match[2]! };
}

/** The region of a GCE zone: zone names are `<region>-<suffix>` (`us-central1-a`). */
export function regionOfZone(zone: string): string {
  const cut = zone.lastIndexOf('-');
  return cut > 0 ? zone.slice(0, cut) : zone;
}

/** The last path segment of a resource URL (`.../zones/us-central1-a` -> `us-central1-a`). */
export function lastSegment(url: string | null | undefined): string {
  if (url === null || url === undefined) return '';
  return url.slice(url.lastIndexOf('/') + 1);
}

/**
 * The instance name for a create request. Requests may repeat names (a
 * group's nodes all share one), GCE names may not, so a suffix is added:
 * derived from the client token, so that a retried create collides with the
 * first (GCE answers 409 and the adapter returns the existing instance), or
 * random without a token. The rest is the request's name made legal
 * (`[a-z]([-a-z0-9]*[a-z0-9])?`, at most 63 characters).
 */
export function instanceNameFor(name: string, clientToken?: string): string {
  const base =
    name
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^[^a-z]+/, '')
      .replace(/-{2,}/g, '-')
      .slice(0, 54)
      .replace(/-+$/, '') || 'node';
  const suffix = clientToken === undefined ? randomBytes(4).toString('hex') : createHash('sha256').update(clientToken).digest('hex').slice(0, 8);
  return `${base}-${suffix}`;
}

/**
 * GCE's `requestId` must be a UUID; a client token is any string, so it is
 * hashed into one (same token, same UUID, so GCE deduplicates the retry).
 */
export function requestIdFor(clientToken: string): string {
  const hex = createHash('sha256').update(`lifeboat:${clientToken}`).digest('hex');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** GCE label values: lowercase letters, digits, `_` and `-`, at most 63 characters. */
export function isLabelValue(value: string): boolean {
  return /^[a-z0-9_-]{0,63}$/.test(value);
}
