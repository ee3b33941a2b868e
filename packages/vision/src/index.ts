/**
 * @mlsd/vision: images in, model inputs and embeddings out.
 * @packageDocumentation
 */

export type { AugmentOptions } from './augment.js';
export { augmentBatch } from './augment.js';
export type {
  ContactSheetOptions,
  SheetImage,
  SheetResult,
  SheetRow,
} from './contact-sheet.js';
export { renderContactSheet, writeContactSheet } from './contact-sheet.js';
export { decodeImage, normalizePixels, SUPPORTED_IMAGE_FORMATS } from './decode-image.js';
export type { DecodedFolder, SkippedImage } from './image-folder.js';
export { decodeImageFolder, IMAGE_EXTENSIONS, listImageFiles } from './image-folder.js';
export type { ImageSpec, ImageSpecInput } from './image-spec.js';
export { FASHION_MNIST_SPEC, ImageSpecSchema, imageSize, parseImageSpec } from './image-spec.js';
