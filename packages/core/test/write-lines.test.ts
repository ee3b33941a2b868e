import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeLinesAtomic } from '../src/index.js';

describe('writeLinesAtomic', () => {
  it('streams a header and one line per row, reporting progress', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mlsd-lines-'));
    const path = join(dir, 'nested', 'out.csv');
    const seen: number[] = [];
    await writeLinesAtomic(path, 50_000, (row) => `${row},${'x'.repeat(10)}`, {
      header: 'id,text',
      onProgress: (rows) => seen.push(rows),
    });
    const lines = (await readFile(path, 'utf8')).split('\n');
    expect(lines[0]).toBe('id,text');
    expect(lines[50_000]).toBe('49999,xxxxxxxxxx');
    expect(lines).toHaveLength(50_002);
    expect(seen.at(-1)).toBe(50_000);
    expect(seen.length).toBeGreaterThan(2);
  });

  it('leaves the old file and no temporary file behind when a line fails', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mlsd-lines-'));
    const path = join(dir, 'out.txt');
    await writeFile(path, 'old\n');
    await expect(
      writeLinesAtomic(path, 10, (row) => {
        if (row === 5) throw new Error('bad row 5');
        return String(row);
      }),
    ).rejects.toThrow('bad row 5');
    expect(await readFile(path, 'utf8')).toBe('old\n');
    expect(await readdir(dir)).toEqual(['out.txt']);
  });
});
