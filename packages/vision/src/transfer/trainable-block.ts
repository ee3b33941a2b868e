import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CorruptFileError, writeFileAtomic } from '@mlsd/core';
import type { FeaturePooling } from '../embedding/tfjs-embedder.js';
import {
  blockOutputDim,
  createBlockTensors,
  disposeBlockTensors,
  readBlockLayers,
  runBlock,
} from './block-ops.js';
import type { BlockStep, LastBlock } from './last-block.js';

const BLOCK_JSON = 'block.json';
const BLOCK_BIN = 'block.bin';
const BLOCK_FORMAT = 1;

/** block.json: the block's layers, their weights' names and shapes, in block.bin's order. */
interface BlockFile {
  format: number;
  cutLayer: string;
  inputShape: number[];
  pooling: FeaturePooling;
  layers: {
    name: string;
    step: BlockStep;
    weights: { name: string; shape: number[]; trainable: boolean }[];
  }[];
}

/**
 * A backbone's last block ({@link LastBlock}) held as TensorFlow.js variables, trainable on any
 * backend (1 × 1 convolutions are matrix products, larger ones `sameConv2d`; batch norms keep
 * their moving statistics, as fine-tuning on small batches should). Its output, pooled when it
 * is still a feature map and scaled to unit length, is what the projection head reads: with the
 * pretrained weights it equals the frozen backbone's features.
 */
export class TrainableBlock {
  readonly cutLayer: string;
  readonly inputShape: readonly number[];
  /** Values per image at the cut (the product of `inputShape`). */
  readonly inputDim: number;
  /** Length of the block's (pooled) output. */
  readonly dim: number;
  readonly pooling: FeaturePooling;

  /** @param pooling - how a feature-map output becomes a vector, as the backbone pools. */
  constructor(block: LastBlock, pooling: FeaturePooling = 'avg') {
    this.cutLayer = block.cutLayer;
    this.inputShape = block.inputShape.slice();
    this.inputDim = block.inputShape.reduce((a, b) => a * b, 1);
    this.pooling = pooling;
    createBlockTensors(this, block, pooling);
    this.dim = blockOutputDim(this, this.inputDim);
  }

  /** Runs `count` rows of features at the cut through the block: `count × dim` unit rows. */
  run(features: Float32Array, count: number): Float32Array {
    return runBlock(this, features, count, this.inputDim, this.dim);
  }

  /** The block with its current weights, as plain data. */
  toLastBlock(): LastBlock {
    return {
      cutLayer: this.cutLayer,
      inputShape: this.inputShape.slice(),
      layers: readBlockLayers(this),
    };
  }

  /** The bytes `saveTo` writes (block.json, block.bin), also what versions the block. */
  serialize(): { json: string; bin: Uint8Array } {
    const block = this.toLastBlock();
    const file: BlockFile = {
      format: BLOCK_FORMAT,
      cutLayer: block.cutLayer,
      inputShape: block.inputShape,
      pooling: this.pooling,
      layers: block.layers.map((layer) => ({
        name: layer.name,
        step: layer.step,
        weights: layer.weights.map(({ name, shape, trainable }) => ({ name, shape, trainable })),
      })),
    };
    const values = block.layers.flatMap((layer) => layer.weights.map((w) => w.values));
    const bin = new Float32Array(values.reduce((sum, v) => sum + v.length, 0));
    let offset = 0;
    for (const v of values) {
      bin.set(v, offset);
      offset += v.length;
    }
    return { json: `${JSON.stringify(file)}\n`, bin: new Uint8Array(bin.buffer) };
  }

  /** Writes block.json and block.bin into `dir`. */
  async saveTo(dir: string): Promise<void> {
    await mkdir(dir, { recursive: true });
    const { json, bin } = this.serialize();
    // Weights first: a block.json naming weights that are not written yet fails the size check.
    await writeFileAtomic(join(dir, BLOCK_BIN), bin);
    await writeFileAtomic(join(dir, BLOCK_JSON), json);
  }

  /**
   * Reads a block `saveTo` wrote.
   * @throws CorruptFileError when the files are unreadable or disagree in size.
   */
  static async load(dir: string): Promise<TrainableBlock> {
    const jsonPath = join(dir, BLOCK_JSON);
    let file: BlockFile;
    let bytes: Buffer;
    try {
      file = JSON.parse(await readFile(jsonPath, 'utf8')) as BlockFile;
      bytes = await readFile(join(dir, BLOCK_BIN));
    } catch (error) {
      throw new CorruptFileError(
        `The trained last block in ${dir} cannot be read: ${(error as Error).message}`,
        { file: jsonPath },
      );
    }
    const sizes = file.layers.flatMap((layer) =>
      layer.weights.map((w) => w.shape.reduce((a, b) => a * b, 1)),
    );
    const total = sizes.reduce((a, b) => a + b, 0);
    if (file.format !== BLOCK_FORMAT || bytes.byteLength !== total * 4) {
      throw new CorruptFileError(
        `${jsonPath} (format ${file.format}) describes ${total * 4} weight bytes; ${BLOCK_BIN} has ${bytes.byteLength}.`,
        { file: jsonPath },
      );
    }
    const values = new Float32Array(total);
    new Uint8Array(values.buffer).set(bytes);
    let offset = 0;
    const layers = file.layers.map((layer) => ({
      name: layer.name,
      step: layer.step,
      weights: layer.weights.map((weight) => {
        const size = weight.shape.reduce((a, b) => a * b, 1);
        const part = values.subarray(offset, offset + size);
        offset += size;
        return { ...weight, values: part };
      }),
    }));
    return new TrainableBlock(
      { cutLayer: file.cutLayer, inputShape: file.inputShape, layers },
      file.pooling,
    );
  }

  dispose(): void {
    disposeBlockTensors(this);
  }
}
