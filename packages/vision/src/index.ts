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
export type { EmbedderArchitecture } from './embedding/build-network.js';
export { buildEmbedderNetwork } from './embedding/build-network.js';
export type { TrainingRecipe } from './embedding/fashion-mnist-recipe.js';
export { FASHION_MNIST_RECIPE } from './embedding/fashion-mnist-recipe.js';
export type {
  BatchPredictor,
  ImageEmbedder,
  TfjsEmbedderOptions,
} from './embedding/image-embedder.js';
export { normalizeRows, TfjsImageEmbedder } from './embedding/image-embedder.js';
export type { LoadEmbedderOptions, SaveEmbedderOptions } from './embedding/load-embedder.js';
export { EMBEDDER_KIND, loadImageEmbedder, saveImageEmbedder } from './embedding/load-embedder.js';
export type { ModelFolder } from './embedding/model-folder-io.js';
export { folderSaveHandler, MODEL_JSON, readModelFolder } from './embedding/model-folder-io.js';
export { sameConv2d } from './embedding/same-conv2d.js';
export type {
  EpochReport,
  TrainEmbedderOptions,
  TrainedEmbedder,
} from './embedding/train-embedder.js';
export { trainImageEmbedder } from './embedding/train-embedder.js';
export { DEFAULT_EMBEDDER_DIR, fashionMnistPng } from './fashion-mnist-images.js';
export type { DecodedFolder, SkippedImage } from './image-folder.js';
export { decodeImageFolder, IMAGE_EXTENSIONS, listImageFiles } from './image-folder.js';
export type { ImageSpec, ImageSpecInput } from './image-spec.js';
export { FASHION_MNIST_SPEC, ImageSpecSchema, imageSize, parseImageSpec } from './image-spec.js';
export { decodeSimplePng } from './png-fast-path.js';
export type {
  EvaluateSearchOptions,
  EvaluationQueries,
  SearchEvaluation,
} from './search/evaluate-search.js';
export { evaluateImageSearch } from './search/evaluate-search.js';
export type {
  BuildImageSearchOptions,
  ImageHit,
  ImageMetadata,
  ImageQueryOptions,
} from './search/image-search.js';
export { ImageSearch } from './search/image-search.js';
