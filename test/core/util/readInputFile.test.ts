import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkOutputFile } from '../../../src/core/util/checkOutputFile.js';
import { isInputFileError, type InputFileError } from '../../../src/core/util/InputFileError.js';
import { checkInputPath, readInputFile } from '../../../src/core/util/readInputFile.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lifeboat-read-input-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function refusal(promise: Promise<unknown>): Promise<InputFileError> {
  try {
    await promise;
  } catch (error) {
    if (isInputFileError(error)) return error;
    throw error;
  }
  throw new Error('expected an InputFileError, nothing was thrown');
}

describe('readInputFile', () => {
  it.skipIf(!existsSync('/proc/self/status'))('stops one byte past the limit on a file that reports size 0 (/proc)', async () => {
    // /proc files are regular files of size 0 whatever they hold: only the bounded read catches them.
    const error = await refusal(readInputFile('/proc/self/status', { maxBytes: 16 }));
    expect(error.message).toBe('/proc/self/status: the file is more than 16 bytes, over the size limit of 16 bytes for this kind of file');
    expect(await readInputFile('/proc/self/status', { maxBytes: 64 * 1024 })).toMatch(/^Name:/);
  });

  it('names a directory only where a folder is allowed', async () => {
    expect(await checkInputPath(dir, { maxBytes: 10, allowDirectory: true })).toBe('directory');
    expect((await refusal(checkInputPath(dir, { maxBytes: 10 }))).message).toBe(`${dir}: cannot read the file: it is a directory, not a file (EISDIR)`);
  });

  it('gives the line of invalid UTF-8 and reads valid UTF-8 whole', async () => {
    const file = join(dir, 'text.txt');
    await writeFile(file, Buffer.concat([Buffer.from('one\ntwo ✓\nthree '), Buffer.from([0xf0, 0x28, 0x8c, 0x28])]));
    const error = await refusal(readInputFile(file, { maxBytes: 1024 }));
    expect(error.line).toBe(3);
    expect(error.reason).toBe('not valid UTF-8: byte 0xF0 at byte 7 of the line (save the file as UTF-8)');
    await writeFile(file, 'one\ntwo ✓ 🚒\n');
    expect(await readInputFile(file, { maxBytes: 1024 })).toBe('one\ntwo ✓ 🚒\n');
  });
});

describe('checkOutputFile', () => {
  it('accepts a new file in an existing folder and an existing file', async () => {
    await checkOutputFile(join(dir, 'new.json'));
    const existing = join(dir, 'existing.json');
    await writeFile(existing, '{}');
    await checkOutputFile(existing);
  });

  it('refuses a missing folder, a directory, and a path under a file', async () => {
    expect((await refusal(checkOutputFile(join(dir, 'missing/out.json')))).reason).toBe(`cannot write the file: its folder ${join(dir, 'missing')} does not exist`);
    expect((await refusal(checkOutputFile(dir))).reason).toBe('cannot write the file: it is a directory');
    const file = join(dir, 'plain.txt');
    await writeFile(file, '');
    expect((await refusal(checkOutputFile(join(file, 'out.json')))).reason).toBe('cannot write the file: a parent in the path is a file, not a folder');
  });
});
