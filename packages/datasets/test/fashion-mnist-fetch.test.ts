import { copyFile, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CorruptFileError, NotFoundError } from '@mlsd/core';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  FASHION_MNIST_FILES,
  fetchFashionMnist,
  loadFashionMnist,
  locateFashionMnist,
  mlsdDataDir,
} from '../src/index.js';

let repoCopy: string;

beforeAll(() => {
  // The clone's datasets/fashion-mnist/, as the loader finds it from this package.
  repoCopy = locateFashionMnist();
});

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('fetchFashionMnist', () => {
  it('copies the four files into the data folder, where loadFashionMnist finds them', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'mlsd-data-'));
    vi.stubEnv('MLSD_DATA_DIR', dataDir);
    const fetched = await fetchFashionMnist({ from: repoCopy });
    expect(fetched).toEqual({ dir: join(dataDir, 'fashion-mnist'), source: repoCopy, copied: 4 });
    expect((await readdir(fetched.dir)).sort()).toEqual(
      FASHION_MNIST_FILES.map((file) => file.name).sort(),
    );
    const { test } = await loadFashionMnist({ dir: fetched.dir });
    expect(test.count).toBe(10_000);
    // Already there with the same content: nothing is written again.
    expect((await fetchFashionMnist({ from: repoCopy })).copied).toBe(0);
  });

  it('refuses a file whose content is not the official one, and writes nothing', async () => {
    const source = await mkdtemp(join(tmpdir(), 'mlsd-fm-source-'));
    for (const file of FASHION_MNIST_FILES) {
      await copyFile(join(repoCopy, file.name), join(source, file.name));
    }
    await writeFile(join(source, 't10k-labels-idx1-ubyte.gz'), gzipSync(Buffer.alloc(10_008)));
    const to = await mkdtemp(join(tmpdir(), 'mlsd-fm-to-'));
    const fetch = fetchFashionMnist({ from: source, to });
    await expect(fetch).rejects.toBeInstanceOf(CorruptFileError);
    await expect(fetch).rejects.toThrow(
      /t10k-labels-idx1-ubyte\.gz is not the official Fashion-MNIST t10k-labels-idx1-ubyte\.gz: it unpacks to 10008 bytes with sha256 [0-9a-f]{64}, expected 10008 bytes/,
    );
    expect(await readdir(to)).toEqual([]);
  });

  it('says where it looked and how to get the files when there is no source', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'mlsd-fm-empty-'));
    const fetch = fetchFashionMnist({ from: empty });
    await expect(fetch).rejects.toBeInstanceOf(NotFoundError);
    await expect(fetch).rejects.toThrow(
      /looked in .*mlsd-fm-empty-.*apt-get install dataset-fashion-mnist.*mlsd data fetch \[--from DIR\]/,
    );
  });
});

describe('where the data lives', () => {
  it('MLSD_DATA_DIR, else XDG_DATA_HOME/mlsd, else ~/.local/share/mlsd', () => {
    expect(mlsdDataDir({ MLSD_DATA_DIR: '/data/x', XDG_DATA_HOME: '/xdg' })).toBe('/data/x');
    expect(mlsdDataDir({ XDG_DATA_HOME: '/xdg' })).toBe('/xdg/mlsd');
    expect(mlsdDataDir({})).toMatch(/\/\.local\/share\/mlsd$/);
  });

  it('MLSD_FASHION_MNIST_DIR comes before the copy in a clone of the repository', async () => {
    const fetched = await fetchFashionMnist({
      from: repoCopy,
      to: await mkdtemp(join(tmpdir(), 'mlsd-fm-env-')),
    });
    expect(locateFashionMnist()).toBe(repoCopy);
    vi.stubEnv('MLSD_FASHION_MNIST_DIR', fetched.dir);
    expect(locateFashionMnist()).toBe(fetched.dir);
  });
});
