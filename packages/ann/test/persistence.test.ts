import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExactIndex, HnswIndex, loadIndex } from '../src/index.js';
import { randomVectors, rowOf } from './random-vectors.js';

const dim = 16;
const data = randomVectors(300, dim, 'persist');
const ids = Array.from({ length: 300 }, (_, i) => `img-${i}`);
const metadata = ids.map((_, i) => ({ label: i % 10 }));
let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'mlsd-ann-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `expected ${code}`).toBeInstanceOf(Error);
  expect((error as { code?: string }).code).toBe(code);
  return error as Error;
}

describe.each([
  ['hnsw', () => new HnswIndex<{ label: number }>({ dim, space: 'cosine', M: 8, ef: 80 })],
  ['exact', () => new ExactIndex<{ label: number }>({ dim, space: 'cosine' })],
] as const)('%s index save/load', (type, create) => {
  it('round-trips vectors, ids, metadata and deletions', async () => {
    const index = create();
    index.addBatch(ids, data, metadata);
    index.delete('img-7');
    index.delete('img-299');
    const dir = join(root, `${type}-roundtrip`);
    await index.save(dir);

    const loaded = await loadIndex<{ label: number }>(dir, { dim, space: 'cosine' });
    expect(loaded).toBeInstanceOf(type === 'hnsw' ? HnswIndex : ExactIndex);
    expect(loaded.size).toBe(298);
    expect(loaded.space).toBe('cosine');
    expect(loaded.has('img-7')).toBe(false);
    expect(loaded.getMetadata('img-42')).toEqual({ label: 2 });
    const queries = randomVectors(5, dim, 'persist-q');
    expect(loaded.searchBatch(queries, 5).map((r) => r.ids)).toEqual(
      index.searchBatch(queries, 5).map((r) => r.ids),
    );
    const filtered = loaded.search(rowOf(data, 3, dim), 5, { filter: (_, m) => m?.label === 3 });
    expect(filtered.ids[0]).toBe('img-3');

    // The loaded index keeps working: re-adding reuses freed space.
    loaded.add('img-7', rowOf(data, 7, dim), { label: 7 });
    expect(loaded.search(rowOf(data, 7, dim), 1).ids).toEqual(['img-7']);
    expect(loaded.size).toBe(299);
    if (loaded instanceof HnswIndex) {
      expect(loaded.ef).toBe(80);
      expect(loaded.M).toBe(8);
    }
  });

  it('says what is wrong when the dimension, space or a checksum does not match', async () => {
    const index = create();
    index.addBatch(ids.slice(0, 20), data.subarray(0, 20 * dim));
    const dir = join(root, `${type}-checks`);
    await index.save(dir);
    const dimError = await rejectsWith(loadIndex(dir, { dim: 784 }), 'DIMENSION_MISMATCH');
    expect(dimError.message).toContain('16-dimensional');
    const spaceError = await rejectsWith(loadIndex(dir, { space: 'l2' }), 'MANIFEST_INVALID');
    expect(spaceError.message).toContain("'cosine'");

    const file = type === 'hnsw' ? 'index.hnsw' : 'vectors.f32';
    const bytes = await readFile(join(dir, file));
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0xff;
    await writeFile(join(dir, file), bytes);
    await rejectsWith(loadIndex(dir), 'CHECKSUM_MISMATCH');
  });
});

describe('loading something that is not an index', () => {
  it('refuses a missing folder and another kind of artifact', async () => {
    await rejectsWith(loadIndex(join(root, 'nope')), 'NOT_FOUND');
    const { writeArtifact } = await import('@mlsd/core');
    const other = join(root, 'model');
    await writeArtifact(other, { kind: 'fraud-model', formatVersion: 1 });
    await rejectsWith(loadIndex(other), 'MANIFEST_INVALID');
  });

  it('refuses a damaged id table', async () => {
    const { writeArtifact } = await import('@mlsd/core');
    const dir = join(root, 'bad-items');
    await writeArtifact(dir, {
      kind: 'ann-index',
      formatVersion: 1,
      params: { type: 'exact', dim: 2, space: 'l2', size: 1 },
      files: {
        'vectors.f32': new Uint8Array(8),
        'items.json': JSON.stringify({ labelCount: 1, labels: [0], ids: ['a', 'b'], metadata: [] }),
      },
    });
    const error = await rejectsWith(loadIndex(dir), 'CORRUPT_FILE');
    expect(error.message).toContain('differ in length');
  });

  it('refuses an index whose vectors and ids disagree in count', async () => {
    const { writeArtifact } = await import('@mlsd/core');
    const dir = join(root, 'bad-count');
    await writeArtifact(dir, {
      kind: 'ann-index',
      formatVersion: 1,
      params: { type: 'exact', dim: 2, space: 'l2', size: 1 },
      files: {
        'vectors.f32': new Uint8Array(16),
        'items.json': JSON.stringify({ labelCount: 1, labels: [0], ids: ['a'], metadata: [null] }),
      },
    });
    const error = await rejectsWith(loadIndex(dir), 'CORRUPT_FILE');
    expect(error.message).toContain('2 slots');
  });
});
