import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

// Simulates the disk failing while the temp file is being synced: the point after the new bytes
// exist on disk but before the rename, where a non-atomic writer would have already truncated
// the target.
const failure = vi.hoisted(() => ({ syncFails: false }));

vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  const open: typeof actual.open = async (...args) => {
    const handle = await actual.open(...args);
    if (failure.syncFails && args[1] === 'wx') {
      handle.sync = async () => {
        throw Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' });
      };
    }
    return handle;
  };
  return { ...actual, open };
});

const { writeFileAtomic } = await import('../src/atomic-write.js');

let root: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'mlsd-atomic-crash-'));
  failure.syncFails = false;
});

afterEach(async () => {
  failure.syncFails = false;
  await rm(root, { recursive: true, force: true });
});

describe('writeFileAtomic when the disk fails mid-write', () => {
  it('keeps the old target intact and removes the temp file', async () => {
    const path = join(root, 'model.json');
    await writeFile(path, '{"version":1}');
    failure.syncFails = true;
    await expect(writeFileAtomic(path, '{"version":2}')).rejects.toThrow(/EIO/);
    expect(await readFile(path, 'utf8')).toBe('{"version":1}');
    expect(await readdir(root)).toEqual(['model.json']);
  });

  it('writes normally once the disk recovers', async () => {
    const path = join(root, 'model.json');
    await writeFileAtomic(path, '{"version":2}');
    expect(await readFile(path, 'utf8')).toBe('{"version":2}');
  });
});
