/**
 * @mlsd/core: the shared foundation of mlsd.
 * @packageDocumentation
 */

export type { LoadedArtifact, Manifest, ManifestFile, WriteArtifactOptions } from './artifacts.js';
export {
  ManifestSchema,
  readArtifact,
  sealArtifactManifest,
  writeArtifact,
} from './artifacts.js';
export { writeFileAtomic, writeJsonAtomic } from './atomic-write.js';
export { CategoryColumn } from './category-column.js';
export type { ErrorCode } from './errors.js';
export {
  BackendUnavailableError,
  ChecksumMismatchError,
  CorruptFileError,
  DimensionMismatchError,
  InvalidArgumentError,
  InvalidDataError,
  isMlsdError,
  ManifestInvalidError,
  MlsdError,
  NotFittedError,
  NotFoundError,
  QuarantineLimitError,
  SchemaMismatchError,
  UnsupportedFormatError,
} from './errors.js';
export type { EncodedTypedArray, Estimator, EstimatorJSON } from './estimator.js';
export { BaseEstimator, decodeTypedArray, encodeTypedArray } from './estimator.js';
export { fallbackCounts } from './fallback.js';
export { logInfo, logWarn } from './log.js';
export type { Matrix } from './matrix.js';
export { assertFiniteMatrix, tableToMatrix, toMatrix } from './matrix.js';
export { describeWithNearest, findNearestName } from './nearest-name.js';
export { formatZodError, parseOptions } from './options.js';
export type { Progress, ProgressOptions } from './progress.js';
export { createProgress } from './progress.js';
export { Rng } from './rng.js';
export type { ChartOptions, ChartSeries } from './svg-chart.js';
export { barChart, lineChart } from './svg-chart.js';
export type { Column, NumericColumn, Row, RowMask } from './table.js';
export { isNumericColumn, Table } from './table.js';
export { TimeZone } from './time-zone.js';
export { AtomicLineWriter, writeLinesAtomic } from './write-lines.js';
