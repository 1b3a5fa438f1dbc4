import { describe, expect, test } from 'vitest';
import { isApiSetupError } from '../../../../src/apps/daemon/api/ApiSetupError.js';
import { bearerToken, readApiTokens, roleFor } from '../../../../src/apps/daemon/api/ApiTokens.js';

const OPERATE = 'operate-0123456789abcdef';
const READ = 'read-0123456789abcdef';

describe('API tokens', () => {
  test('come from the config or the environment; an unset or empty variable means none', () => {
    expect(readApiTokens({ token: OPERATE }, {})).toEqual({ operate: OPERATE });
    expect(readApiTokens({ tokenEnv: 'OP', readTokenEnv: 'RD' }, { OP: OPERATE, RD: READ })).toEqual({ operate: OPERATE, read: READ });
    expect(readApiTokens({ tokenEnv: 'OP', readTokenEnv: 'RD' }, { OP: '' })).toEqual({});
  });

  test('need 16 characters wherever they come from, and one token per role; errors never show the value', () => {
    const failure = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        expect(isApiSetupError(error)).toBe(true);
        return (error as Error).message;
      }
      throw new Error('expected a refusal');
    };
    expect(failure(() => readApiTokens({ readTokenEnv: 'RD' }, { RD: 'secret-15-chars' }))).toBe(
      'the read token from the environment variable RD (api.readTokenEnv) has 15 character(s); an API token needs at least 16 (for example: openssl rand -hex 32)',
    );
    expect(failure(() => readApiTokens({ token: 'short' }, {}))).not.toContain('short ');
    expect(failure(() => readApiTokens({ tokenEnv: 'OP', readToken: OPERATE }, { OP: OPERATE }))).toBe('the read and operate tokens are the same: give each role its own token');
  });

  test('the Bearer scheme is case-insensitive; the role is found by comparing both tokens', () => {
    expect(bearerToken(`bearer ${READ}`)).toBe(READ);
    expect(bearerToken(`BEARER  ${READ} `)).toBe(READ);
    expect(bearerToken(`Basic ${READ}`)).toBeUndefined();
    expect(bearerToken('Bearer')).toBeUndefined();
    const tokens = { operate: OPERATE, read: READ };
    expect(roleFor(`Bearer ${OPERATE}`, tokens)).toBe('operate');
    expect(roleFor(`bearer ${READ}`, tokens)).toBe('read');
    expect(roleFor(`Bearer ${READ}x`, tokens)).toBeUndefined();
    expect(roleFor(undefined, tokens)).toBeUndefined();
  });
});
