/**
 * @mlsd/vision: images in, model inputs and embeddings out; similar-image search over them.
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
export type { DecodeImageOptions } from './decode-image.js';
export { decodeImage, normalizePixels, SUPPORTED_IMAGE_FORMATS } from './decode-image.js';
export type { DecodeGateOptions, DecodeLimits, DecodeLimitsInput } from './decode-limits.js';
export {
  DEFAULT_DECODE_GATE,
  DEFAULT_DECODE_TIMEOUT_SECONDS,
  DEFAULT_MAX_BYTES,
  DEFAULT_MAX_PIXELS,
  DecodeGate,
  DecodeLimitsSchema,
  DecodeTimeoutError,
  ImageTooLargeError,
  parseDecodeLimits,
  pickDecodeLimits,
} from './decode-limits.js';
export type { EmbedderArchitecture } from './embedding/build-network.js';
export { buildEmbedderNetwork } from './embedding/build-network.js';
export type { EmbedderSource } from './embedding/embed-worker.js';
export type { EmbedderPoolOptions } from './embedding/embedder-pool.js';
export { EmbedderBusyError, EmbedderPool } from './embedding/embedder-pool.js';
export type {
  EmbedderLoadContext,
  EmbedderLoader,
  LoadEmbedderOptions,
} from './embedding/embedder-registry.js';
export {
  embedderKinds,
  loadImageEmbedder,
  registerEmbedderKind,
  reloadEmbedder,
  unregisterEmbedderKind,
} from './embedding/embedder-registry.js';
export { embedderVersion } from './embedding/embedder-version.js';
export type { TrainingRecipe } from './embedding/fashion-mnist-recipe.js';
export { FASHION_MNIST_RECIPE } from './embedding/fashion-mnist-recipe.js';
export type { EmbedderInfo, EmbedOptions, ImageEmbedder } from './embedding/image-embedder.js';
export { normalizeRows } from './embedding/image-embedder.js';
export type { LayersInferenceSummary } from './embedding/layers-inference-summary.js';
export type { SaveEmbedderOptions } from './embedding/load-embedder.js';
export {
  EMBEDDER_KIND,
  loadTfjsEmbedder,
  saveImageEmbedder,
  TFJS_EMBEDDER_LOADER,
} from './embedding/load-embedder.js';
export type { ModelInputOptions, ModelInputShape } from './embedding/model-input.js';
export { readInputShape, resolveModelSpec } from './embedding/model-input.js';
export { MODEL_JSON } from './embedding/model-json.js';
export type { NsfwjsModel } from './embedding/nsfwjs-models.js';
export { extractNsfwjsModel } from './embedding/nsfwjs-models.js';
export type { OnnxEmbedderOptions } from './embedding/onnx-embedder.js';
export { ONNX_MODEL_FILE, OnnxImageEmbedder } from './embedding/onnx-embedder.js';
export { ONNX_RUNTIME_PACKAGE } from './embedding/onnx-runtime.js';
export type { TrainedLastBlock } from './embedding/projection-head-embedder.js';
export {
  PROJECTION_HEAD_LOADER,
  ProjectionHeadEmbedder,
} from './embedding/projection-head-embedder.js';
export type { SaveEmbedderArtifactOptions } from './embedding/saved-embedder.js';
export { SAVED_EMBEDDER_KIND, saveEmbedder } from './embedding/saved-embedder.js';
export type {
  BatchPredictor,
  FeaturePooling,
  TfjsEmbedderOptions,
} from './embedding/tfjs-embedder.js';
export { TfjsImageEmbedder } from './embedding/tfjs-embedder.js';
export type {
  EpochReport,
  TrainEmbedderOptions,
  TrainedEmbedder,
} from './embedding/train-embedder.js';
export { trainImageEmbedder } from './embedding/train-embedder.js';
export { DEFAULT_EMBEDDER_DIR, fashionMnistPng } from './fashion-mnist-images.js';
export type {
  DecodedBatch,
  DecodedFolder,
  DecodeFolderOptions,
  FolderCounts,
  FolderListing,
  FolderReport,
  ListFolderOptions,
  SkipCode,
  SkippedImage,
} from './image-folder.js';
export {
  decodeImageBatches,
  decodeImageFolder,
  IMAGE_EXTENSIONS,
  listImageFiles,
  listImageFolder,
  skipCodeOf,
} from './image-folder.js';
export type { ImageSource, SourceContext, SourceImage } from './image-source.js';
export {
  datasetSource,
  parseImageSource,
  readImageSource,
  UPLOADS_FOLDER,
  uploadSource,
} from './image-source.js';
export type { ImageSpec, ImageSpecInput } from './image-spec.js';
export {
  describeImageSpec,
  FASHION_MNIST_SPEC,
  ImageSpecSchema,
  imageSize,
  parseImageSpec,
} from './image-spec.js';
export type { LayersModelHandle } from './model-handle.js';
export type { FolderAdded } from './pipelines/change-catalogue.js';
export { addImageFolder, removeImages } from './pipelines/change-catalogue.js';
export type { EvaluateFolderOptions, FolderEvaluation } from './pipelines/evaluate-folder.js';
export { evaluateImageFolder } from './pipelines/evaluate-folder.js';
export type {
  EvaluateFashionOptions,
  FashionCatalogue,
  FashionEvaluation,
  FashionTrainingMetrics,
  TrainFashionOptions,
} from './pipelines/fashion-mnist.js';
export {
  evaluateFashionMnist,
  fashionMnistCatalogue,
  fashionMnistQueries,
  trainFashionMnistEmbedder,
} from './pipelines/fashion-mnist.js';
export type {
  EmbeddedFolder,
  EmbedFolderOptions,
  IndexedFolder,
  IndexFolderOptions,
} from './pipelines/index-folder.js';
export { embedImageFolder, fileMetadata, indexImageFolder } from './pipelines/index-folder.js';
export type { ReindexOptions, ReindexReport } from './pipelines/reindex.js';
export { reindexCatalogue } from './pipelines/reindex.js';
export { decodeSimplePng } from './png-fast-path.js';
export type { PreprocessingPreset } from './preprocessing-presets.js';
export { PREPROCESSING_PRESETS, presetNames, specFromPreset } from './preprocessing-presets.js';
export { EmbedderMismatchError } from './search/embedder-mismatch-error.js';
export type {
  EvaluateSearchOptions,
  EvaluationQueries,
  SearchEvaluation,
} from './search/evaluate-search.js';
export { evaluateImageSearch } from './search/evaluate-search.js';
export { exactPrecisionAtK } from './search/exact-precision.js';
export type {
  BuildImageSearchOptions,
  ImageHit,
  ImageIndexSettings,
  ImageMetadata,
  ImageQueryOptions,
  ImageSearchSaveOptions,
  LoadImageSearchOptions,
} from './search/image-search.js';
export { IMAGE_SEARCH_KIND, ImageSearch } from './search/image-search.js';
export type { CatalogueChange, LiveCatalogueOptions } from './search/live-catalogue.js';
export {
  CatalogueClosedError,
  ImageExistsError,
  JOURNAL_FILE,
  LiveCatalogue,
} from './search/live-catalogue.js';
export type {
  DuplicateGroup,
  DuplicateMember,
  NearDuplicateOptions,
} from './search/near-duplicates.js';
export { findNearDuplicates } from './search/near-duplicates.js';
export type { BackboneSplit } from './transfer/backbone-split.js';
export { CutFeatures, splitBackbone } from './transfer/backbone-split.js';
export type {
  CachedFeatures,
  FeatureCacheOptions,
  FeatureEntry,
  FeatureSource,
} from './transfer/feature-cache.js';
export { cachedBackboneFeatures } from './transfer/feature-cache.js';
export type { BlockLayer, BlockStep, BlockWeight, LastBlock } from './transfer/last-block.js';
export { describeLastBlock } from './transfer/last-block.js';
export type { TrainedHead, TrainHeadOptions } from './transfer/train-projection-head.js';
export { trainProjectionHead } from './transfer/train-projection-head.js';
export type {
  TransferMetrics,
  TransferOptions,
  TransferResult,
} from './transfer/train-transfer.js';
export { splitByLabel, trainTransferEmbedder } from './transfer/train-transfer.js';
export { TrainableBlock } from './transfer/trainable-block.js';
