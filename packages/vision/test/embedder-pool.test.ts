import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMlsdError } from '@mlsd/core';
import { initBackend } from '@mlsd/tf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildEmbedderNetwork,
  EmbedderBusyError,
  EmbedderPool,
  ImageSearch,
  type LoadEmbedderOptions,
  loadImageEmbedder,
  parseImageSpec,
  saveImageEmbedder,
} from '../src/index.js';
import { GATE_MODULE, type GateOptions, gateEmbedder } from './fixtures/gate-embedder.js';

let work: string;
const pools: EmbedderPool[] = [];

beforeAll(async () => {
  await initBackend({ quiet: true });
  work = await mkdtemp(join(tmpdir(), 'mlsd-pool-'));
});

afterAll(async () => {
  await Promise.all(pools.map((pool) => pool.close()));
});

/** A pool of `gate` embedders (see the fixture) that waits for `gateFile`. */
async function gatePool(name: string, options: { workers?: number; queue?: number } = {}) {
  const gate: GateOptions = { gateFile: join(work, `${name}.open`), crashOn: -1 };
  const pool = await EmbedderPool.start(
    { path: work, options: { kind: 'gate', ...gate } as LoadEmbedderOptions },
    { ...options, modules: [GATE_MODULE] },
  );
  pools.push(pool);
  return { pool, open: () => writeFile(gate.gateFile, '') };
}

/** Resolves after the event loop has turned `n` times (timers, I/O and immediates ran). */
async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setTimeout(resolve, 1));
}

function tracked<T>(promise: Promise<T>): { promise: Promise<T>; settled: () => boolean } {
  let done = false;
  promise.then(
    () => {
      done = true;
    },
    () => {
      done = true;
    },
  );
  return { promise, settled: () => done };
}

describe('EmbedderPool', () => {
  it('gives the vectors of the same TF.js model loaded in this thread, and saves it', async () => {
    const spec = parseImageSpec({ width: 12, height: 12, channels: 1 });
    const model = buildEmbedderNetwork(spec, { filters: [4, 8], hidden: 16, dim: 8 }, 3);
    const dir = join(work, 'tfjs-embedder');
    await saveImageEmbedder(dir, { model, spec });
    const local = await loadImageEmbedder(dir);
    const pool = await EmbedderPool.start({ path: dir }, { workers: 2 });
    pools.push(pool);
    expect(pool.workers).toBe(2);
    expect(pool.info).toEqual(local.info);
    expect(pool.dim).toBe(local.dim);
    const pixels = Float32Array.from({ length: 5 * 144 }, (_, i) => ((i * 37) % 101) / 100);
    const seen: number[] = [];
    const [pooled, again] = await Promise.all([
      pool.embed(pixels, 5, { batchSize: 2, onBatch: (done) => seen.push(done) }),
      pool.embed(pixels.subarray(0, 144), 1),
    ]);
    const expected = await local.embed(pixels, 5);
    expect(seen).toEqual([2, 4, 5]);
    for (let i = 0; i < expected.length; i++) expect(pooled[i]).toBeCloseTo(expected[i]!, 5);
    for (let i = 0; i < 8; i++) expect(again[i]).toBeCloseTo(expected[i]!, 5);
    const saved = join(work, 'saved-from-pool');
    await pool.saveTo(saved);
    expect((await loadImageEmbedder(saved)).info.version).toBe(local.info.version);
  }, 60_000);

  it('runs ONNX Runtime in a worker with the fixture’s reference outputs', async () => {
    const fixtures = fileURLToPath(new URL('./fixtures/onnx/', import.meta.url));
    const reference = JSON.parse(readFileSync(join(fixtures, 'reference.json'), 'utf8')) as {
      inputs: number[];
    };
    const options = { mean: [0, 0, 0], std: [1, 1, 1] };
    const path = join(fixtures, 'tiny-cnn.onnx');
    const pool = await EmbedderPool.start({ path, options });
    pools.push(pool);
    const local = await loadImageEmbedder(path, options);
    const inputs = Float32Array.from(reference.inputs);
    const pooled = await pool.embed(inputs, 3);
    const expected = await local.embed(inputs, 3);
    for (let i = 0; i < expected.length; i++) expect(pooled[i]).toBeCloseTo(expected[i]!, 5);
  }, 60_000);

  it('keeps this thread free while an embed holds its worker, then answers in order', async () => {
    const { pool, open } = await gatePool('order');
    const first = tracked(pool.embed(Float32Array.of(1, 0, 0, 0), 1));
    const second = tracked(pool.embed(Float32Array.of(0, 2, 0, 0), 1));
    // With the forward pass in this thread, these timers could not fire before the gate opens.
    await turns(20);
    expect(first.settled()).toBe(false);
    expect(second.settled()).toBe(false);
    expect(pool.load).toEqual({ running: 1, waiting: 1 });
    await open();
    expect(Array.from(await first.promise)).toEqual([1, 0, 0, 0]);
    expect(Array.from(await second.promise)).toEqual([0, 1, 0, 0]);
    expect(pool.load).toEqual({ running: 0, waiting: 0 });
  }, 60_000);

  it('refuses a call at once when every worker is busy and the queue is full', async () => {
    const { pool, open } = await gatePool('busy', { workers: 1, queue: 1 });
    const running = pool.embed(Float32Array.of(1, 1, 0, 0), 1);
    const waiting = pool.embed(Float32Array.of(0, 0, 1, 1), 1);
    const refused = pool.embed(Float32Array.of(1, 0, 1, 0), 1);
    await expect(refused).rejects.toBeInstanceOf(EmbedderBusyError);
    await expect(refused).rejects.toThrow(/busy and 1 call already wait/);
    await open();
    expect((await running).length).toBe(4);
    expect((await waiting).length).toBe(4);
    // Room again: the next call runs.
    expect((await pool.embed(Float32Array.of(0, 0, 0, 3), 1))[3]).toBe(1);
  }, 60_000);

  it('fails the call of a worker that dies, and serves the next from a replacement', async () => {
    const { pool, open } = await gatePool('crash', { workers: 1 });
    await open();
    const crash = pool.embed(Float32Array.of(-1, 0, 0, 0), 1);
    await expect(crash).rejects.toThrow(/embedding worker failed: exited with code 3/);
    await expect(crash).rejects.toSatisfy((error) => isMlsdError(error, 'BACKEND_UNAVAILABLE'));
    expect(Array.from(await pool.embed(Float32Array.of(0, 0, 5, 0), 1))).toEqual([0, 0, 1, 0]);
  }, 60_000);

  it('ImageSearch.open with embedderPool serves queries from workers; close stops them', async () => {
    const gateFile = join(work, 'search.open');
    await writeFile(gateFile, '');
    const search = await ImageSearch.create(gateEmbedder({ gateFile }));
    await search.addEmbeddings(['x', 'y'], Float32Array.of(1, 0, 0, 0, 0, 1, 0, 0));
    const dir = join(work, 'gate-index');
    await search.save(dir);
    expect(await readdir(join(dir, 'embedder'))).toEqual(['gate.json']);
    const opened = await ImageSearch.load(dir, {
      embedderPool: { workers: 1, modules: [GATE_MODULE] },
    });
    expect(opened.embedder).toBeInstanceOf(EmbedderPool);
    const hits = await opened.query(Float32Array.of(0, 3, 0, 0.1), 1);
    expect(hits[0]?.id).toBe('y');
    const pool = opened.embedder as EmbedderPool;
    await pool.close();
    await expect(opened.query(Float32Array.of(1, 0, 0, 0), 1)).rejects.toThrow(/pool is closed/);
  }, 60_000);
});
