import { InvalidArgumentError } from '@mlsd/core';
import { type ImageSpec, type ImageSpecInput, parseImageSpec } from '../image-spec.js';
import { presetNames, specFromPreset } from '../preprocessing-presets.js';

/**
 * How a pretrained model's input is prepared, as a user states it (`--preset`, `--size`...).
 * Anything the model's own input shape fixes (size, channels, layout) is read from the model.
 */
export interface ModelInputOptions {
  /** A complete input spec; wins over everything below. */
  spec?: ImageSpecInput | undefined;
  /** Preprocessing preset: `imagenet`, `inception`, `clip` or `unit`. */
  preset?: string | undefined;
  /** Per-channel mean of v / 255 (RGB order); overrides the preset's. */
  mean?: number[] | undefined;
  /** Per-channel std of v / 255 (RGB order); overrides the preset's. */
  std?: number[] | undefined;
  /** Input width and height, required when the model's are dynamic. */
  size?: { width: number; height: number } | undefined;
  /** Tensor layout; default what the model's input shape shows. */
  layout?: ImageSpec['layout'] | undefined;
  /** Channel order; default 'rgb'. */
  channelOrder?: ImageSpec['channelOrder'] | undefined;
  /** Fit; default the preset's. */
  fit?: ImageSpec['fit'] | undefined;
}

/** What a model's input shape says (undefined where it is dynamic). */
export interface ModelInputShape {
  width: number | undefined;
  height: number | undefined;
  channels: number | undefined;
  layout: ImageSpec['layout'] | undefined;
}

/**
 * Reads a 4-d input shape ([batch, h, w, c] or [batch, c, h, w]) into width, height, channels
 * and layout. A dimension of 1 or 3 next to larger ones marks the channel axis.
 */
export function readInputShape(shape: readonly (number | string | null)[]): ModelInputShape {
  const dims = shape.map((d) => (typeof d === 'number' && d > 0 ? d : undefined));
  if (dims.length !== 4) {
    return { width: undefined, height: undefined, channels: undefined, layout: undefined };
  }
  const [, a, b, c] = dims;
  const isChannels = (v: number | undefined) => v === 1 || v === 3;
  if (isChannels(a) && !isChannels(c)) {
    return { channels: a, height: b, width: c, layout: 'nchw' };
  }
  return { height: a, width: b, channels: c, layout: 'nhwc' };
}

/**
 * Combines what the model's input shape fixes with the user's options into one spec.
 * @throws InvalidArgumentError when the size is dynamic and not given, when a given size or
 *   layout contradicts the model's, or when no preprocessing (preset or mean/std) is named.
 */
export function resolveModelSpec(
  shape: ModelInputShape,
  options: ModelInputOptions,
  model: string,
): ImageSpec {
  if (options.spec !== undefined) return parseImageSpec(options.spec);
  const width = options.size?.width ?? shape.width;
  const height = options.size?.height ?? shape.height;
  if (width === undefined || height === undefined) {
    throw new InvalidArgumentError(
      `${model} takes images of any size; give the size it was trained at, e.g. --size 224x224.`,
      { model },
    );
  }
  for (const [axis, given, fixed] of [
    ['width', options.size?.width, shape.width],
    ['height', options.size?.height, shape.height],
  ] as const) {
    if (given !== undefined && fixed !== undefined && given !== fixed) {
      throw new InvalidArgumentError(
        `${model} takes inputs of ${axis} ${fixed}, but --size asks for ${given}; leave --size out or use ${shape.width}x${shape.height}.`,
        { model, axis, given, fixed },
      );
    }
  }
  const channels = shape.channels ?? 3;
  if (channels !== 1 && channels !== 3) {
    throw new InvalidArgumentError(
      `${model} takes ${channels} channels per pixel; only 1 (grey) or 3 (colour) are supported.`,
      { model, channels },
    );
  }
  if (
    options.layout !== undefined &&
    shape.layout !== undefined &&
    options.layout !== shape.layout
  ) {
    throw new InvalidArgumentError(
      `${model}'s input shape is ${shape.layout.toUpperCase()}, not ${options.layout.toUpperCase()}.`,
      { model },
    );
  }
  const overrides: Partial<ImageSpecInput> = {
    layout: options.layout ?? shape.layout ?? 'nhwc',
    ...(options.channelOrder === undefined ? {} : { channelOrder: options.channelOrder }),
    ...(options.fit === undefined ? {} : { fit: options.fit }),
    ...(options.mean === undefined ? {} : { mean: options.mean }),
    ...(options.std === undefined ? {} : { std: options.std }),
  };
  if (options.preset === undefined) {
    if (options.mean === undefined || options.std === undefined) {
      throw new InvalidArgumentError(
        `${model} needs its preprocessing: give --preset (${presetNames().join(', ')}) or an explicit --mean and --std, as the model was trained.`,
        { model },
      );
    }
    return parseImageSpec({ width, height, channels, fit: 'cover', background: 0, ...overrides });
  }
  return specFromPreset(options.preset, { width, height, channels }, overrides);
}
