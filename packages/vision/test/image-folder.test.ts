import { execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeImageFolder, listImageFolder } from '../src/image-folder.js';
import { parseImageSpec } from '../src/image-spec.js';

const spec = parseImageSpec({ width: 8, height: 8, channels: 1 });
let dir: string;
let outside: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mlsd-folder-'));
  outside = await mkdtemp(join(tmpdir(), 'mlsd-outside-'));
  const png = await sharp(Buffer.alloc(8 * 8, 100), { raw: { width: 8, height: 8, channels: 1 } })
    .png()
    .toBuffer();
  await writeFile(join(outside, 'secret.png'), png);
  await mkdir(join(dir, 'shoes'));
  await writeFile(join(dir, 'shoes', 'a.png'), png);
  // A backslash is an ordinary character in a POSIX file name.
  await writeFile(join(dir, 'shoes', 'b\\c.png'), png);
  await writeFile(join(dir, 'locked.png'), png);
  await chmod(join(dir, 'locked.png'), 0o000);
  // /proc/self/mem is a regular file whose read fails (EIO): unreadable even for root.
  await symlink('/proc/self/mem', join(dir, 'unreadable.png'));
  await symlink(join(outside, 'secret.png'), join(dir, 'link.png'));
  execFileSync('mkfifo', [join(dir, 'pipe.jpg')]);
  await mkdir(join(dir, 'folder.png'));
  await writeFile(join(dir, 'folder.png', 'inside.png'), png);
  await writeFile(join(dir, 'notes.txt'), 'not an image');
});

describe('issue 13 item 14: every file of `images index --dir` is accounted for', () => {
  it('counts symlinks, FIFOs and folders named like images, keeps backslashes, ignores other files', async () => {
    const listing = await listImageFolder(dir);
    expect(listing.files).toEqual(
      ['folder.png/inside.png', 'locked.png', 'shoes/a.png', 'shoes/b\\c.png'].sort(),
    );
    expect(listing.skipped.map((s) => [s.file, s.code])).toEqual([
      ['folder.png', 'NOT_A_FILE'],
      ['link.png', 'SYMLINK'],
      ['pipe.jpg', 'NOT_A_FILE'],
      ['unreadable.png', 'SYMLINK'],
    ]);
    expect(listing.skipped.find((s) => s.file === 'pipe.jpg')?.reason).toMatch(/FIFO/);
    expect(listing.ignored).toEqual(['notes.txt']);
  });

  it('skips an unreadable file with its reason instead of aborting, and the counts reconcile', async () => {
    // Following links: the link to a readable file is decoded, the one whose read fails is a
    // counted skip (before the fix: a raw EIO/EACCES ended the run).
    const result = await decodeImageFolder(dir, spec, { followSymlinks: true });
    const codes = Object.fromEntries(result.skipped.map((s) => [s.file, s.code]));
    expect(codes['unreadable.png']).toBe('UNREADABLE');
    expect(result.skipped.find((s) => s.file === 'unreadable.png')?.reason).toMatch(
      /cannot be read \(EIO\)/,
    );
    expect(result.ids).toContain('link.png');
    expect(result.ids).toContain('shoes/b\\c.png');
    // Root reads a mode-000 file; anyone else gets a counted EACCES skip.
    const root = process.getuid?.() === 0;
    expect(result.ids.includes('locked.png')).toBe(root);
    if (!root) expect(codes['locked.png']).toBe('UNREADABLE');
    const { found, decoded, skipped, ignored } = result.counts;
    expect(found).toBe(decoded + skipped);
    // Every entry: 6 image files and links + FIFO + folder named .png + the text file.
    expect(found + ignored).toBe(9);
    expect(ignored).toBe(1);
  });
});
