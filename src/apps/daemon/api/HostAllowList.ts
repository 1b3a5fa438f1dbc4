import { isIP } from 'node:net';

/**
 * The names the API answers to, against DNS rebinding: a page on
 * `evil.example` whose name is re-pointed at the daemon's address makes the
 * browser send `Host: evil.example`, which is refused. IP literals are
 * always accepted (a browser that sends one went to that address itself, so
 * the page is same-origin with the daemon, not with an attacker's name), as
 * are `localhost`, the configured listen host, this machine's host name and
 * the names listed in `api.hosts`.
 */
export class HostAllowList {
  private readonly names: ReadonlySet<string>;

  constructor(names: Iterable<string>) {
    this.names = new Set([...names].map(normalize).filter((n) => n !== ''));
  }

  /**
   * Whether a request's `Host` header names this daemon. A request without
   * one (HTTP/1.0; Node refuses HTTP/1.1 without it) did not come from a
   * browser and is accepted.
   */
  allows(hostHeader: string | undefined): boolean {
    if (hostHeader === undefined) return true;
    const name = hostName(hostHeader);
    if (name === undefined) return false;
    return isIP(name) !== 0 || this.names.has(normalize(name));
  }
}

/** The host part of a `Host` header (`name`, `name:port`, `[v6]:port`), or undefined when malformed. */
function hostName(header: string): string | undefined {
  const v6 = /^\[([0-9a-fA-F:.]+)\](?::\d{1,5})?$/.exec(header);
  if (v6) return v6[1];
  const plain = /^([A-Za-z0-9._-]+)(?::\d{1,5})?$/.exec(header);
  return plain?.[1];
}

function normalize(name: string): string {
  return name.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
}
