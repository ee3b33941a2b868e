import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BackendUnavailableError } from '@mlsd/core';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { importOnnxRuntime } from '../src/embedding/onnx-runtime.js';
import {
  decodeImage,
  ImageSearch,
  loadImageEmbedder,
  normalizeRows,
  OnnxImageEmbedder,
} from '../src/index.js';

const fixtures = fileURLToPath(new URL('./fixtures/onnx/', import.meta.url));
const reference = JSON.parse(readFileSync(join(fixtures, 'reference.json'), 'utf8')) as {
  inputs: number[];
  features: number[];
  logits: number[];
  nhwcFeatures: number[];
};
const inputs = Float32Array.from(reference.inputs);
const unitSpec = { mean: [0, 0, 0], std: [1, 1, 1] };

/** Rows scaled to unit length, as every embedder returns them. */
function unit(values: number[], dim: number): Float32Array {
  const rows = Float32Array.from(values);
  normalizeRows(rows, dim);
  return rows;
}

function expectClose(actual: Float32Array, expected: Float32Array, tolerance = 1e-5): void {
  expect(actual).toHaveLength(expected.length);
  let largest = 0;
  actual.forEach((v, i) => {
    largest = Math.max(largest, Math.abs(v - expected[i]!));
  });
  expect(largest).toBeLessThan(tolerance);
}

describe('OnnxImageEmbedder (fixture made by make-onnx-fixture.py, reference from NumPy)', () => {
  it('reads size and NCHW layout from the model and matches the reference outputs', async () => {
    const embedder = await loadImageEmbedder(join(fixtures, 'tiny-cnn.onnx'), unitSpec);
    expect(embedder).toBeInstanceOf(OnnxImageEmbedder);
    expect(embedder.spec).toMatchObject({ width: 16, height: 16, channels: 3, layout: 'nchw' });
    expect(embedder.dim).toBe(8);
    expectClose(await embedder.embed(inputs, 3), unit(reference.features, 8));
    const logits = await loadImageEmbedder(join(fixtures, 'tiny-cnn.onnx'), {
      ...unitSpec,
      output: 'logits',
    });
    expect(logits.dim).toBe(4);
    expectClose(await logits.embed(inputs, 3), unit(reference.logits, 4));
  });

  it('pools a feature-map output to the same vectors as the model’s own global pooling', async () => {
    const maps = await loadImageEmbedder(join(fixtures, 'tiny-cnn.onnx'), {
      ...unitSpec,
      output: 'feature_map',
    });
    expect(maps.dim).toBe(8);
    expectClose(await maps.embed(inputs, 3), unit(reference.features, 8));
    await expect(
      loadImageEmbedder(join(fixtures, 'tiny-cnn.onnx'), { ...unitSpec, output: 'logit' }),
    ).rejects.toThrow(/no output "logit" \(did you mean "logits"\?\)/);
  });

  it('runs an NHWC model whose batch is fixed at 1, one image per run', async () => {
    const embedder = await loadImageEmbedder(join(fixtures, 'tiny-cnn-nhwc.onnx'), unitSpec);
    expect(embedder.spec.layout).toBe('nhwc');
    // The same three images, channels last.
    const nhwc = new Float32Array(inputs.length);
    for (let n = 0; n < 3; n++) {
      for (let c = 0; c < 3; c++) {
        for (let p = 0; p < 256; p++) nhwc[n * 768 + p * 3 + c] = inputs[n * 768 + c * 256 + p]!;
      }
    }
    const rows = await embedder.embed(nhwc, 3);
    expectClose(rows.subarray(0, 8), unit(reference.nhwcFeatures, 8));
    expectClose(rows, unit(reference.features, 8));
  });

  it('decodes photos into the model’s layout: NCHW is the transpose of NHWC', async () => {
    const photo = await sharp({
      create: { width: 40, height: 30, channels: 3, background: { r: 200, g: 60, b: 10 } },
    })
      .composite([
        { input: Buffer.alloc(10 * 10 * 3, 255), raw: { width: 10, height: 10, channels: 3 } },
      ])
      .jpeg()
      .toBuffer();
    const base = { width: 16, height: 16, channels: 3 as const, preset: 'imagenet' };
    const planar = await decodeImage(photo, { ...(await specOf(base)), layout: 'nchw' });
    const interleaved = await decodeImage(photo, { ...(await specOf(base)), layout: 'nhwc' });
    for (let p = 0; p < 256; p += 17) {
      for (let c = 0; c < 3; c++) expect(planar[c * 256 + p]).toBe(interleaved[p * 3 + c]);
    }
    // BGR swaps the channel planes (each normalised with its own RGB mean/std).
    const bgr = await decodeImage(photo, {
      ...(await specOf(base)),
      layout: 'nchw',
      channelOrder: 'bgr',
    });
    expect(bgr.subarray(0, 256)).toEqual(planar.subarray(512, 768));
  });

  it('saves with an index and loads again by its recorded kind and version', async () => {
    const embedder = await loadImageEmbedder(join(fixtures, 'tiny-cnn.onnx'), {
      preset: 'inception',
    });
    const pixels = inputs.slice();
    const search = await ImageSearch.build({ embedder, ids: ['a', 'b', 'c'], pixels });
    const dir = join(await mkdtemp(join(tmpdir(), 'mlsd-onnx-')), 'index');
    await search.save(dir);
    const loaded = await ImageSearch.load(dir);
    expect(loaded.embedder.info).toEqual(embedder.info);
    expect(loaded.embedder.spec.preset).toBe('inception');
    expect((await loaded.query(pixels.subarray(768, 1536), 1))[0]!.id).toBe('b');
  });

  it('says how to install onnxruntime-node when it is absent', async () => {
    const missing = importOnnxRuntime(async () => {
      throw new Error("Cannot find package 'onnxruntime-node'");
    });
    await expect(missing).rejects.toThrow(BackendUnavailableError);
    await expect(missing).rejects.toThrow(/npm install onnxruntime-node/);
  });
});

async function specOf(input: {
  width: number;
  height: number;
  channels: 3;
  preset: string;
}): Promise<import('../src/image-spec.js').ImageSpec> {
  const { specFromPreset } = await import('../src/preprocessing-presets.js');
  return specFromPreset(input.preset, input);
}
