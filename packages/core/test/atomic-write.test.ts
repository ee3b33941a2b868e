import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileAtomic, writeJsonAtomic } from '../src/atomic-write.js';
import { InvalidArgumentError } from '../src/errors.js';

let root: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'mlsd-atomic-'));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('writeFileAtomic', () => {
  it('writes strings and bytes, creating parent folders', async () => {
    const textPath = join(root, 'a', 'b', 'note.txt');
    await writeFileAtomic(textPath, 'héllo\n');
    expect(await readFile(textPath, 'utf8')).toBe('héllo\n');

    const bytesPath = join(root, 'bytes.bin');
    await writeFileAtomic(bytesPath, new Uint8Array([0, 1, 2, 255]));
    expect([...(await readFile(bytesPath))]).toEqual([0, 1, 2, 255]);
    expect((await readdir(root)).sort()).toEqual(['a', 'bytes.bin']);
  });

  it('replaces an existing file completely', async () => {
    const path = join(root, 'f.txt');
    await writeFile(path, 'a much longer old content that must not survive');
    await writeFileAtomic(path, 'new');
    expect(await readFile(path, 'utf8')).toBe('new');
    expect(await readdir(root)).toEqual(['f.txt']);
  });

  it('fails without leftovers when the parent "folder" is a file', async () => {
    const blocker = join(root, 'blocker');
    await writeFile(blocker, 'i am a file');
    await expect(writeFileAtomic(join(blocker, 'x.json'), '{}')).rejects.toThrow();
    expect(await readdir(root)).toEqual(['blocker']);
    expect(await readFile(blocker, 'utf8')).toBe('i am a file');
  });

  it('removes its temp file when the final rename fails and leaves the target alone', async () => {
    // A non-empty folder at the target path makes rename() fail after the temp file is written.
    const target = join(root, 'target');
    await mkdir(target);
    await writeFile(join(target, 'keep.txt'), 'keep');
    await expect(writeFileAtomic(target, 'data')).rejects.toThrow();
    expect(await readdir(root)).toEqual(['target']);
    expect(await readFile(join(target, 'keep.txt'), 'utf8')).toBe('keep');
  });

  it('leaves one complete version after concurrent writes to the same path', async () => {
    const path = join(root, 'race.txt');
    const versions = Array.from({ length: 8 }, (_, i) => `${i}`.repeat(10_000));
    await Promise.all(versions.map((v) => writeFileAtomic(path, v)));
    expect(versions).toContain(await readFile(path, 'utf8'));
    expect(await readdir(root)).toEqual(['race.txt']);
  });
});

describe('writeJsonAtomic', () => {
  it('writes indented JSON with a trailing newline', async () => {
    const path = join(root, 'v.json');
    await writeJsonAtomic(path, { a: 1, b: [true, null] });
    expect(await readFile(path, 'utf8')).toBe(
      '{\n  "a": 1,\n  "b": [\n    true,\n    null\n  ]\n}\n',
    );
    await writeJsonAtomic(path, { a: 1 }, { indent: 0 });
    expect(await readFile(path, 'utf8')).toBe('{"a":1}\n');
  });

  it('rejects values JSON cannot represent without touching the existing file', async () => {
    const path = join(root, 'v.json');
    await writeFile(path, '{"old":true}\n');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await expect(writeJsonAtomic(path, cyclic)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(writeJsonAtomic(path, { n: 1n })).rejects.toThrow(/BigInt/);
    await expect(writeJsonAtomic(path, undefined)).rejects.toThrow(/undefined/);
    await expect(writeJsonAtomic(path, {}, { indent: -1 })).rejects.toThrow(/indent/);
    expect(await readFile(path, 'utf8')).toBe('{"old":true}\n');
    expect(await readdir(root)).toEqual(['v.json']);
  });
});
