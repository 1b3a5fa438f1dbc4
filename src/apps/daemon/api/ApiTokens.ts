import { createHash, timingSafeEqual } from 'node:crypto';
import { ApiSetupError } from './ApiSetupError.js';

/**
 * What a bearer token lets its holder do. `read`: `GET`/`HEAD` of `/status`,
 * `/events` and `/metrics`. `operate`: everything `read` can, plus
 * `POST /pause`, `/resume` and `/switchover`.
 */
export type ApiRole = 'read' | 'operate';

/** Shortest token accepted from any source (inline or environment): guessing 16 random characters is out of reach. */
export const MIN_TOKEN_LENGTH = 16;

/**
 * The API's tokens. Without `operate` the mutating endpoints are disabled
 * (403); without `read` the read endpoints are open to whoever can reach the
 * API (an `operate` token works on them too).
 */
export interface ApiTokens {
  readonly read?: string;
  readonly operate?: string;
}

/** Compares a presented bearer token with a configured one in constant time (equal-length digests, so neither length nor content leaks). */
export function tokenMatches(presented: string, expected: string): boolean {
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** The token of an `Authorization: Bearer <token>` header; the scheme is case-insensitive (RFC 9110 §11.1). */
export function bearerToken(header: string | undefined): string | undefined {
  return /^bearer +([^\s]+) *$/i.exec(header ?? '')?.[1];
}

/**
 * The role an `Authorization` header grants, or undefined. Both tokens are
 * always compared, so the time taken does not tell which one (if any) matched.
 */
export function roleFor(header: string | undefined, tokens: ApiTokens): ApiRole | undefined {
  const presented = bearerToken(header);
  if (presented === undefined) return undefined;
  const operate = tokens.operate !== undefined && tokenMatches(presented, tokens.operate);
  const read = tokens.read !== undefined && tokenMatches(presented, tokens.read);
  return operate ? 'operate' : read ? 'read' : undefined;
}

/** Whether `role` may do what `needed` allows. */
export function grants(role: ApiRole | undefined, needed: ApiRole): boolean {
  return role === 'operate' || role === needed;
}

/** Where each token is configured: inline, or the name of an environment variable. */
export interface ApiTokenSources {
  readonly token?: string;
  readonly tokenEnv?: string;
  readonly readToken?: string;
  readonly readTokenEnv?: string;
}

/**
 * Reads the tokens from the config and the environment. An unset or empty
 * variable means no token of that role.
 *
 * @throws {@link ApiSetupError} when a token is shorter than
 * {@link MIN_TOKEN_LENGTH} (wherever it came from) or both roles have the
 * same token; messages name the key or variable, never the value.
 */
export function readApiTokens(sources: ApiTokenSources, env: NodeJS.ProcessEnv): ApiTokens {
  const pick = (role: ApiRole, inline: string | undefined, envName: string | undefined, key: string): string | undefined => {
    const value = envName !== undefined ? env[envName] || undefined : inline;
    if (value !== undefined && value.length < MIN_TOKEN_LENGTH) {
      const where = envName !== undefined ? `the environment variable ${envName} (api.${key}Env)` : `api.${key}`;
      throw new ApiSetupError(`the ${role} token from ${where} has ${value.length} character(s); an API token needs at least ${MIN_TOKEN_LENGTH} (for example: openssl rand -hex 32)`);
    }
    return value;
  };
  const operate = pick('operate', sources.token, sources.tokenEnv, 'token');
  const read = pick('read', sources.readToken, sources.readTokenEnv, 'readToken');
  if (operate !== undefined && read !== undefined && tokenMatches(operate, read)) {
    throw new ApiSetupError('the read and operate tokens are the same: give each role its own token');
  }
  return { ...(operate !== undefined ? { operate } : {}), ...(read !== undefined ? { read } : {}) };
}
