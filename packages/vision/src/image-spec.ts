import { parseOptions } from '@mlsd/core';
import { z } from 'zod';

/**
 * What a model expects as input: size, channels, their order and layout, how to fit an image
 * of another shape, and how pixels are normalised. Stored with a model and with every index
 * built from it, so preprocessing at query time matches indexing exactly.
 */
export const ImageSpecSchema = z
  .object({
    /** Input width in pixels. */
    width: z.number().int().positive().max(4096),
    /** Input height in pixels. */
    height: z.number().int().positive().max(4096),
    /** 1 = grayscale, 3 = colour. */
    channels: z.union([z.literal(1), z.literal(3)]),
    /**
     * 'contain': the whole image, letterboxed on `background`; 'cover': fill and crop the
     * overflow (centre), as ImageNet and CLIP preprocessing do. Fashion-MNIST-like models use
     * 'contain'.
     */
    fit: z.enum(['contain', 'cover']).default('contain'),
    /** Resampling kernel of the resize (CLIP was trained on bicubic resizes: 'cubic'). */
    kernel: z.enum(['lanczos3', 'cubic', 'linear', 'nearest']).default('lanczos3'),
    /** Letterbox and alpha-flattening colour, as a grey level 0–255 (before `invert`). */
    background: z.number().min(0).max(255).default(255),
    /**
     * Invert intensities (255 − v) after resizing: product photos are dark objects on white,
     * Fashion-MNIST is light objects on black.
     */
    invert: z.boolean().default(false),
    /** Per-channel mean and std applied to v / 255: x = (v/255 − mean) / std (in `rgb` order). */
    mean: z.array(z.number()).min(1).max(3).default([0]),
    std: z.array(z.number().positive()).min(1).max(3).default([1]),
    /** Order of the colour channels the model reads: 'bgr' for Caffe-style models. */
    channelOrder: z.enum(['rgb', 'bgr']).default('rgb'),
    /**
     * Tensor layout: 'nhwc' (TensorFlow, TF.js: channels last) or 'nchw' (PyTorch exports,
     * most ONNX models: channels first).
     */
    layout: z.enum(['nhwc', 'nchw']).default('nhwc'),
    /** Name of the preprocessing preset the mean and std came from, for people (informational). */
    preset: z.string().min(1).optional(),
  })
  .strict();

/** A parsed {@link ImageSpecSchema} (defaults filled in). */
export type ImageSpec = z.output<typeof ImageSpecSchema>;
/** What a caller may pass (defaults optional). */
export type ImageSpecInput = z.input<typeof ImageSpecSchema>;

/** Validates an image spec, filling in defaults. */
export function parseImageSpec(input: ImageSpecInput): ImageSpec {
  return parseOptions(ImageSpecSchema, input, 'image spec');
}

/** Fashion-MNIST's input: 28 × 28 grayscale, light object on black, values in [0, 1]. */
export const FASHION_MNIST_SPEC: ImageSpec = parseImageSpec({
  width: 28,
  height: 28,
  channels: 1,
  fit: 'contain',
  background: 255,
  invert: true,
});

/** Values per image: width × height × channels. */
export function imageSize(spec: ImageSpec): number {
  return spec.width * spec.height * spec.channels;
}

/** The spec as a short line for people: `224×224×3 nchw bgr, imagenet`. */
export function describeImageSpec(spec: ImageSpec): string {
  const extras = [
    spec.layout,
    ...(spec.channelOrder === 'bgr' ? ['bgr'] : []),
    spec.fit,
    spec.preset ?? `mean ${spec.mean.join('/')} std ${spec.std.join('/')}`,
  ];
  return `${spec.width}×${spec.height}×${spec.channels} ${extras.join(', ')}`;
}
