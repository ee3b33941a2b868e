/**
 * Stable error codes of the HTTP API. Every error response is
 * `{ error: { code, message } }` with one of these codes; new codes may be added, existing ones
 * never change meaning.
 */
export type ServiceErrorCode =
  | 'INVALID_JSON'
  | 'INVALID_TRANSACTION'
  | 'INVALID_LABEL'
  | 'DUPLICATE_TRANSACTION'
  | 'OUT_OF_ORDER'
  | 'UNKNOWN_TRANSACTION'
  | 'FRAUD_MODEL_NOT_LOADED'
  | 'INVALID_IMAGE'
  | 'INVALID_QUERY'
  | 'IMAGE_INDEX_NOT_LOADED'
  | 'UNKNOWN_IMAGE'
  | 'IMAGE_EXISTS'
  | 'IMAGE_TOO_LARGE'
  | 'EMBEDDER_MISMATCH'
  | 'INVALID_REQUEST'
  | 'PAYLOAD_TOO_LARGE'
  | 'REQUEST_TIMEOUT'
  | 'HEADERS_TOO_LARGE'
  | 'EXPECTATION_FAILED'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'UNAUTHORIZED'
  | 'RELOAD_FAILED'
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'NOT_READY'
  | 'SHUTTING_DOWN'
  | 'STATE_STORE_UNAVAILABLE'
  | 'INTERNAL';

/** The JSON body of every error response. */
export interface ErrorBody {
  error: { code: ServiceErrorCode; message: string };
}

/**
 * An error a route handler throws on purpose: the error handler answers it with `statusCode`
 * and `{ error: { code, message } }`.
 */
export class HttpError extends Error {
  /** HTTP status, 4xx or 5xx. */
  readonly statusCode: number;
  /** Stable code clients switch on. */
  readonly code: ServiceErrorCode;

  constructor(
    statusCode: number,
    code: ServiceErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'HttpError';
    this.statusCode = statusCode;
    this.code = code;
  }
}

/** Builds the JSON body of an error response. */
export function errorBody(code: ServiceErrorCode, message: string): ErrorBody {
  return { error: { code, message } };
}
