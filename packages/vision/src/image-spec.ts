import { parseOptions } from '@mlsd/core';
import { z } from 'zod';

/**
 * What a model expects as input: size, channels, how to fit an image of another shape, and
 * how pixels are normalised. Stored with a model so preprocessing at query time matches
 * training exactly.
 */
export const ImageSpecSchema = z
  .object({
    /** Input width in pixels. */
    width: z.number().int().positive().max(4096),
    /** Input height in pixels. */
    height: z.number().int().positive().max(4096),
    /** 1 = grayscale, 3 = RGB. */
    channels: z.union([z.literal(1), z.literal(3)]),
    /**
     * 'contain': the whole image, letterboxed on `background`; 'cover': fill and crop the
     * overflow (centre). Fashion-MNIST-like models use 'contain'.
     */
    fit: z.enum(['contain', 'cover']).default('contain'),
    /** Letterbox and alpha-flattening colour, as a grey level 0–255 (before `invert`). */
    background: z.number().min(0).max(255).default(255),
    /**
     * Invert intensities (255 − v) after resizing: product photos are dark objects on white,
     * Fashion-MNIST is light objects on black.
     */
    invert: z.boolean().default(false),
    /** Per-channel mean and std applied to v / 255: x = (v/255 − mean) / std. */
    mean: z.array(z.number()).min(1).max(3).default([0]),
    std: z.array(z.number().positive()).min(1).max(3).default([1]),
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
