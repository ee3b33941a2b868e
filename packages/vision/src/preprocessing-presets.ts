import { describeWithNearest, InvalidArgumentError } from '@mlsd/core';
import { type ImageSpec, type ImageSpecInput, parseImageSpec } from './image-spec.js';

/** How a family of pretrained models expects its pixels: normalisation and resize. */
export interface PreprocessingPreset {
  /** Per-channel mean of v / 255, in RGB order. */
  mean: readonly number[];
  /** Per-channel standard deviation of v / 255, in RGB order. */
  std: readonly number[];
  /** How the image is fitted to the input (ImageNet-style models crop: 'cover'). */
  fit: ImageSpec['fit'];
  /** Resize kernel the model was trained with. */
  kernel: ImageSpec['kernel'];
  /** Where the numbers come from. */
  source: string;
}

/**
 * The presets `--preset` accepts. Each records the published normalisation of a model family;
 * the mean and std are copied into the spec, so an index keeps working if a preset changes.
 */
export const PREPROCESSING_PRESETS: Readonly<Record<string, PreprocessingPreset>> = {
  imagenet: {
    mean: [0.485, 0.456, 0.406],
    std: [0.229, 0.224, 0.225],
    fit: 'cover',
    kernel: 'lanczos3',
    source: 'torchvision ImageNet models (ResNet, EfficientNet, DINOv2 exports)',
  },
  inception: {
    // (v/255 − 0.5) / 0.5 maps [0, 255] to [−1, 1].
    mean: [0.5, 0.5, 0.5],
    std: [0.5, 0.5, 0.5],
    fit: 'cover',
    kernel: 'lanczos3',
    source: 'Keras/TF-Hub Inception and MobileNet preprocess_input: [−1, 1]',
  },
  clip: {
    mean: [0.48145466, 0.4578275, 0.40821073],
    std: [0.26862954, 0.26130258, 0.27577711],
    fit: 'cover',
    kernel: 'cubic',
    source: 'OpenAI CLIP image preprocessing (bicubic resize, centre crop)',
  },
  unit: {
    mean: [0, 0, 0],
    std: [1, 1, 1],
    fit: 'cover',
    kernel: 'lanczos3',
    source: 'v / 255: values in [0, 1] (nsfwjs, many TF.js models)',
  },
};

/** Names of {@link PREPROCESSING_PRESETS}. */
export function presetNames(): string[] {
  return Object.keys(PREPROCESSING_PRESETS);
}

/**
 * A full image spec from a preset and the model's input shape; explicit `overrides` (mean, std,
 * fit, layout, channel order...) win over the preset.
 * @throws InvalidArgumentError for an unknown preset, naming the known ones.
 */
export function specFromPreset(
  preset: string,
  shape: { width: number; height: number; channels: 1 | 3 },
  overrides: Partial<ImageSpecInput> = {},
): ImageSpec {
  const found = PREPROCESSING_PRESETS[preset];
  if (found === undefined) {
    throw new InvalidArgumentError(
      `Unknown preprocessing preset ${describeWithNearest(preset, presetNames())}; give one of ${presetNames().join(', ')}, or an explicit mean and std.`,
      { preset },
    );
  }
  const channels = shape.channels;
  const pick = (values: readonly number[]) => (channels === 1 ? [values[0]!] : [...values]);
  return parseImageSpec({
    ...shape,
    mean: pick(found.mean),
    std: pick(found.std),
    fit: found.fit,
    kernel: found.kernel,
    background: 0,
    preset,
    ...overrides,
  });
}
