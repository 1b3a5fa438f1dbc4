import { describe, expect, test } from 'vitest';
import { toLocalProviderError } from '../../../adapters/local/toLocalProviderError.js';
import { ProviderError } from '../../../src/core/contract/errors.js';

function pgError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

function kindOf(error: unknown, signal?: AbortSignal): string {
  return toLocalProviderError(error, 'local', 'op', signal).kind;
}

describe('toLocalProviderError', () => {
  test('connection failures are retryable, throttling is throttled', () => {
    expect(kindOf(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBe('retryable');
    expect(kindOf(new Error('Connection terminated unexpectedly'))).toBe('retryable');
    expect(kindOf(pgError('57P03', 'the database system is starting up'))).toBe('retryable');
    expect(kindOf(pgError('53300', 'sorry, too many clients already'))).toBe('throttled');
  });

  test('authentication, wrong state and our own SQL bugs are terminal', () => {
    expect(kindOf(pgError('28P01', 'password authentication failed for user "postgres"'))).toBe('terminal');
    expect(kindOf(pgError('55000', 'recovery is not in progress'))).toBe('terminal');
    expect(kindOf(pgError('25006', 'cannot execute INSERT in a read-only transaction'))).toBe('terminal');
    expect(kindOf(pgError('42601', 'syntax error'))).toBe('terminal');
  });

  test('an abort or a timeout is a timeout, whatever the error says', () => {
    const controller = new AbortController();
    controller.abort();
    expect(kindOf(new Error('Connection terminated unexpectedly'), controller.signal)).toBe('timeout');
    expect(kindOf(Object.assign(new Error('aborted'), { name: 'AbortError' }))).toBe('timeout');
    expect(kindOf(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' }))).toBe('timeout');
  });

  test('provider errors pass through; the SQLSTATE is kept as the code', () => {
    const original = new ProviderError('invalid-input', 'unknown zone');
    expect(toLocalProviderError(original, 'local', 'op')).toBe(original);
    const translated = toLocalProviderError(pgError('28P01', 'password authentication failed'), 'local', 'listDatabases');
    expect(translated).toMatchObject({ code: '28P01', provider: 'local', operation: 'listDatabases' });
    expect(translated.message).toContain('password authentication failed');
  });
});
