/**
 * Typed errors with stable codes. Every error mlsd throws on purpose is an {@link MlsdError}
 * whose `code` callers can switch on and whose message says what to do about it.
 */

/** Stable error codes. New codes may be added; existing ones never change meaning. */
export type ErrorCode =
  | 'INVALID_ARGUMENT'
  | 'INVALID_DATA'
  | 'SCHEMA_MISMATCH'
  | 'QUARANTINE_LIMIT'
  | 'NOT_FITTED'
  | 'NOT_FOUND'
  | 'CORRUPT_FILE'
  | 'CHECKSUM_MISMATCH'
  | 'MANIFEST_INVALID'
  | 'BACKEND_UNAVAILABLE'
  | 'DIMENSION_MISMATCH'
  | 'UNSUPPORTED';

/** Base class of all mlsd errors. */
export class MlsdError extends Error {
  /** Stable machine-readable code. */
  readonly code: ErrorCode;
  /** Structured context (file, column, line, …) for logs and tests. */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(
    code: ErrorCode,
    message: string,
    details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.details = details;
  }
}

/** An argument or option has the wrong type or is out of range. */
export class InvalidArgumentError extends MlsdError {
  constructor(
    message: string,
    details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super('INVALID_ARGUMENT', message, details, options);
  }
}

/** Data values are unusable (NaN, unsorted where order is required, wrong length, …). */
export class InvalidDataError extends MlsdError {
  constructor(
    message: string,
    details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super('INVALID_DATA', message, details, options);
  }
}

/** A file or table does not have the columns a schema requires. */
export class SchemaMismatchError extends MlsdError {
  constructor(
    message: string,
    details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super('SCHEMA_MISMATCH', message, details, options);
  }
}

/** An estimator's fitted state was read before `fit` was called. */
export class NotFittedError extends MlsdError {
  constructor(estimator: string, attribute?: string) {
    super(
      'NOT_FITTED',
      `${estimator} is not fitted yet${attribute ? ` (asked for ${attribute})` : ''}: call fit() first.`,
      { estimator, ...(attribute ? { attribute } : {}) },
    );
  }
}

/** A named thing (file, id, column, backend) does not exist. */
export class NotFoundError extends MlsdError {
  constructor(
    message: string,
    details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super('NOT_FOUND', message, details, options);
  }
}

/** A file's bytes are not what its format requires (bad magic, truncated, garbled). */
export class CorruptFileError extends MlsdError {
  constructor(
    message: string,
    details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super('CORRUPT_FILE', message, details, options);
  }
}

/** Two vectors or arrays that must agree in size do not. */
export class DimensionMismatchError extends MlsdError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('DIMENSION_MISMATCH', message, details);
  }
}

/** True when `error` is an {@link MlsdError}, optionally with the given code. */
export function isMlsdError(error: unknown, code?: ErrorCode): error is MlsdError {
  return error instanceof MlsdError && (code === undefined || error.code === code);
}

/** More rows were quarantined than the caller allowed. */
export class QuarantineLimitError extends MlsdError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('QUARANTINE_LIMIT', message, details);
  }
}

/** A file's size or sha256 differs from what its artifact manifest records. */
export class ChecksumMismatchError extends MlsdError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('CHECKSUM_MISMATCH', message, details);
  }
}

/** An artifact's manifest.json is missing, unparsable, of another kind or version. */
export class ManifestInvalidError extends MlsdError {
  constructor(
    message: string,
    details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super('MANIFEST_INVALID', message, details, options);
  }
}

/** A requested TensorFlow.js backend cannot be loaded on this machine. */
export class BackendUnavailableError extends MlsdError {
  constructor(
    message: string,
    details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super('BACKEND_UNAVAILABLE', message, details, options);
  }
}

/** A file is in a format mlsd cannot read (an image type sharp lacks, an unknown extension). */
export class UnsupportedFormatError extends MlsdError {
  constructor(
    message: string,
    details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super('UNSUPPORTED', message, details, options);
  }
}
