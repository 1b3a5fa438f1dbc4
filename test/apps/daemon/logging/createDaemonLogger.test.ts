import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createDaemonLogger } from '../../../../src/apps/daemon/logging/createDaemonLogger.js';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter((l) => l !== ''));
      done();
    },
  });
  return { lines, destination };
}

describe('createDaemonLogger', () => {
  it('redacts tokens, keys, passwords and Authorization headers, in fields and in message text', () => {
    const { lines, destination } = capture();
    const logger = createDaemonLogger({ format: 'json', destination }, { daemon: 'd1' });
    logger.info({ token: 'tok-AAAA', config: { password: 'pw-BBBB', secretAccessKey: 'sk-CCCC' }, headers: { authorization: 'Bearer hdr-DDDD' } }, 'request');
    logger.warn('retrying with Authorization: Bearer msg-EEEE and token=q-FFFF, password: p-GGGG');
    const text = lines.join('\n');
    for (const secret of ['tok-AAAA', 'pw-BBBB', 'sk-CCCC', 'hdr-DDDD', 'msg-EEEE', 'q-FFFF', 'p-GGGG']) expect(text).not.toContain(secret);
    const [first, second] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(first).toMatchObject({ level: 'info', daemon: 'd1', msg: 'request', token: '[redacted]', config: { password: '[redacted]' }, headers: { authorization: '[redacted]' } });
    expect(second!.msg).toBe('retrying with Authorization: Bearer [redacted] and token=[redacted], password: [redacted]');
    expect(second!.level).toBe('warn');
    expect(String(first!.time)).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('drops lines below its level', () => {
    const { lines, destination } = capture();
    const logger = createDaemonLogger({ format: 'json', level: 'warn', destination });
    logger.info('quiet');
    logger.error('loud');
    expect(lines.map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(['loud']);
  });
});
