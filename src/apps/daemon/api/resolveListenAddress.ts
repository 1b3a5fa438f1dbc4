import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { ApiSetupError } from './ApiSetupError.js';

/** Resolves a host name to every address it stands for (the system resolver, like `listen` itself). */
export type HostResolver = (host: string) => Promise<readonly string[]>;

const systemResolver: HostResolver = async (host) => (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);

/** True for IP addresses on the loopback interface: 127.0.0.0/8, ::1 and IPv4-mapped 127.x. */
export function isLoopbackAddress(address: string): boolean {
  const a = address.toLowerCase().replace(/^\[|\]$/g, '');
  if (isIP(a) === 4) return a.startsWith('127.');
  if (isIP(a) !== 6) return false;
  if (a === '::1' || a === '0:0:0:0:0:0:0:1') return true;
  const mapped = /^(?:0{0,4}:){0,5}:?ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a)?.[1];
  return mapped !== undefined && mapped.startsWith('127.');
}

/** The listen address, resolved. */
export interface ListenAddress {
  /** The host as configured (`localhost`, `10.0.0.5`, `[::1]`, `lifeboat.internal`). */
  readonly host: string;
  /** Every address it resolved to, in resolver order; the API binds the first. */
  readonly addresses: readonly string[];
  /** Whether every one of them is a loopback address. */
  readonly loopback: boolean;
}

/**
 * Resolves `host` and checks every resulting address, rather than the
 * spelling of the name (`127.0.0.1.lan.example` is not loopback just because
 * it starts with `127.`).
 *
 * @throws {@link ApiSetupError} when the name does not resolve, or when
 * `mustBeLoopback` and any resulting address is not loopback.
 */
export async function resolveListenAddress(host: string, mustBeLoopback: boolean, resolver: HostResolver = systemResolver): Promise<ListenAddress> {
  const bare = host.replace(/^\[|\]$/g, '');
  let addresses: readonly string[];
  if (isIP(bare) !== 0) addresses = [bare];
  else {
    try {
      addresses = await resolver(bare);
    } catch (error) {
      throw new ApiSetupError(`cannot resolve the listen host ${host}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    if (addresses.length === 0) throw new ApiSetupError(`the listen host ${host} resolves to no address`);
  }
  const outside = addresses.filter((a) => !isLoopbackAddress(a));
  if (mustBeLoopback && outside.length > 0) {
    throw new ApiSetupError(
      `refusing to listen on ${host} without an API token: it resolves to ${outside.join(', ')}, which is not loopback (set api.tokenEnv, or listen on 127.0.0.1)`,
    );
  }
  return { host, addresses, loopback: outside.length === 0 };
}
