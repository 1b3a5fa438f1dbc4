import { describe, expect, test } from 'vitest';
import { HostAllowList } from '../../../../src/apps/daemon/api/HostAllowList.js';
import { isLoopbackAddress, resolveListenAddress } from '../../../../src/apps/daemon/api/resolveListenAddress.js';

describe('listen addresses', () => {
  test('loopback is decided on addresses, not on how a name is spelled', () => {
    for (const a of ['127.0.0.1', '127.255.1.2', '::1', '[::1]', '::ffff:127.0.0.1', '0:0:0:0:0:0:0:1']) expect(isLoopbackAddress(a), a).toBe(true);
    for (const a of ['127.0.0.1.lan.example', 'localhost', '0.0.0.0', '::', '10.0.0.1', '::ffff:10.0.0.1', '1270.0.0.1']) expect(isLoopbackAddress(a), a).toBe(false);
  });

  test('every address a name resolves to is checked', async () => {
    expect(await resolveListenAddress('localhost', true, async () => ['127.0.0.1', '::1'])).toEqual({ host: 'localhost', addresses: ['127.0.0.1', '::1'], loopback: true });
    await expect(resolveListenAddress('localhost', true, async () => ['127.0.0.1', '10.0.0.8'])).rejects.toThrow(/resolves to 10\.0\.0\.8, which is not loopback/);
    expect(await resolveListenAddress('api.lan', false, async () => ['10.0.0.8'])).toEqual({ host: 'api.lan', addresses: ['10.0.0.8'], loopback: false });
    expect(await resolveListenAddress('[::1]', true)).toEqual({ host: '[::1]', addresses: ['::1'], loopback: true });
  });
});

describe('Host header allow list', () => {
  const hosts = new HostAllowList(['localhost', 'Lifeboat.Internal']);
  test('accepts the names served and IP literals, refuses other names', () => {
    for (const h of ['localhost', 'localhost:7400', 'lifeboat.internal:443', 'LIFEBOAT.INTERNAL.', '10.0.0.5:7400', '[::1]:7400', '127.0.0.1', undefined]) expect(hosts.allows(h), String(h)).toBe(true);
    for (const h of ['evil.example', 'evil.example:7400', 'localhost.evil.example', '127.0.0.1.nip.io', '', 'a b', 'localhost:port']) expect(hosts.allows(h), h).toBe(false);
  });
});
