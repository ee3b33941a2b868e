import { createProgress, type Progress } from '@mlsd/core';
import {
  type ImageEmbedder,
  type LoadEmbedderOptions,
  loadImageEmbedder,
  type SkippedImage,
} from '@mlsd/vision';
import { type Command, InvalidArgumentError as UsageError } from 'commander';
import { parseNumber, parsePositiveInt } from '../options.js';

/** Flags every command that loads a pretrained model takes (`--model` and its preprocessing). */
export interface ModelFlags {
  model: string;
  preset?: string;
  output?: string;
  size?: { width: number; height: number };
  mean?: number[];
  std?: number[];
  layout?: 'nhwc' | 'nchw';
  channelOrder?: 'rgb' | 'bgr';
  pooling?: 'avg' | 'max' | 'flatten';
  batchSize?: number;
}

/** Flags of commands that decode image files. */
export interface DecodeFlags {
  maxPixels?: number;
  decodeTimeout?: number;
  followSymlinks?: boolean;
}

/** Adds `--model` and the flags that say how a pretrained model's input is prepared. */
export function modelFlags(command: Command, modelHelp: string, defaultModel?: string): Command {
  return command
    .option(
      '--model <folder|file.onnx>',
      `${modelHelp}: a TensorFlow.js model folder, an .onnx file, or an mlsd embedder`,
      defaultModel,
    )
    .option(
      '--preset <name>',
      'preprocessing of a pretrained model: imagenet, inception, clip, unit',
    )
    .option(
      '--output <name>',
      'layer, node or output whose values are the embedding (e.g. the pooled features before the classifier)',
    )
    .option('--size <WxH>', 'input size, for models whose input size is dynamic', parseSize)
    .option(
      '--mean <r,g,b>',
      'per-channel mean of v/255 (overrides the preset)',
      parseNumbers('--mean'),
    )
    .option(
      '--std <r,g,b>',
      'per-channel std of v/255 (overrides the preset)',
      parseNumbers('--std'),
    )
    .option(
      '--layout <nhwc|nchw>',
      'tensor layout (default: read from the model)',
      parseChoice('--layout', ['nhwc', 'nchw']),
    )
    .option(
      '--channel-order <rgb|bgr>',
      'colour channel order the model reads',
      parseChoice('--channel-order', ['rgb', 'bgr']),
    )
    .option(
      '--pooling <avg|max|flatten>',
      'how a feature-map output becomes a vector (default avg)',
      parseChoice('--pooling', ['avg', 'max', 'flatten']),
    )
    .option('--batch-size <n>', 'images per forward pass', parsePositiveInt('--batch-size'));
}

/** Adds the decode limits and the folder-scan flag. */
export function decodeFlags(command: Command): Command {
  return command
    .option(
      '--max-pixels <n>',
      'largest image decoded, in pixels (default 40,000,000)',
      parsePositiveInt('--max-pixels'),
    )
    .option(
      '--decode-timeout <s>',
      'longest decode of one image, seconds (default 10)',
      parsePositiveInt('--decode-timeout'),
    )
    .option(
      '--follow-symlinks',
      'read symbolic links to files (by default they are counted and skipped)',
    );
}

/** Loads the model `--model` names with the preprocessing flags. */
export function loadModel(flags: ModelFlags): Promise<ImageEmbedder> {
  const options: LoadEmbedderOptions = {
    preset: flags.preset,
    output: flags.output,
    size: flags.size,
    mean: flags.mean,
    std: flags.std,
    layout: flags.layout,
    channelOrder: flags.channelOrder,
    pooling: flags.pooling,
    batchSize: flags.batchSize,
  };
  return loadImageEmbedder(flags.model, options);
}

/** The decode options of the decode flags. */
export function decodeOptions(flags: DecodeFlags) {
  return {
    ...(flags.maxPixels === undefined ? {} : { maxPixels: flags.maxPixels }),
    ...(flags.decodeTimeout === undefined ? {} : { timeoutSeconds: flags.decodeTimeout }),
    ...(flags.followSymlinks ? { followSymlinks: true } : {}),
  };
}

/** A progress bar whose total is learnt from the first update (known only once a folder is listed). */
export function progressBar(
  label: string,
  unit: string,
): {
  update(done: number, total: number): void;
  finish(): void;
} {
  let bar: Progress | undefined;
  return {
    update(done, total) {
      bar ??= createProgress({ label, total, unit });
      bar.update(done);
    },
    finish() {
      bar?.finish();
    },
  };
}

/** One stderr line per skipped file, with its code and reason. */
export function reportSkips(skipped: readonly SkippedImage[]): void {
  for (const bad of skipped)
    process.stderr.write(`skipped ${bad.file} (${bad.code}): ${bad.reason}\n`);
}

/** Parses `--size 224x224`. */
export function parseSize(value: string): { width: number; height: number } {
  const match = /^(\d+)x(\d+)$/i.exec(value.trim());
  if (match === null || Number(match[1]) < 1 || Number(match[2]) < 1) {
    throw new UsageError(`--size must be WIDTHxHEIGHT, e.g. 224x224; got "${value}".`);
  }
  return { width: Number(match[1]), height: Number(match[2]) };
}

/** Parses `--mean 0.5,0.5,0.5`. */
function parseNumbers(flag: string) {
  const one = parseNumber(flag);
  return (value: string): number[] => value.split(',').map((part) => one(part.trim()));
}

/** Parses one of a few fixed values. */
function parseChoice<T extends string>(flag: string, choices: readonly T[]) {
  return (value: string): T => {
    if (!choices.includes(value as T)) {
      throw new UsageError(`${flag} must be one of ${choices.join(', ')}; got "${value}".`);
    }
    return value as T;
  };
}

/** Parses a non-negative integer flag value. */
export function parseNonNegativeInt(flag: string) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < 0) {
      throw new UsageError(`${flag} must be a non-negative integer, got "${value}".`);
    }
    return parsed;
  };
}
