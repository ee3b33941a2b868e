import type { z } from 'zod';
import { InvalidArgumentError, NotFittedError } from './errors.js';
import { parseOptions } from './options.js';

/**
 * An estimator as JSON: what `toJSON()` returns and a static `fromJSON()` reads back.
 * `params` are the validated hyperparameters, `state` what `fit` learned (typed arrays
 * inside it are stored as {@link EncodedTypedArray}).
 */
export interface EstimatorJSON<P = unknown, S = unknown> {
  /** Class of the estimator, e.g. "StandardScaler". */
  kind: string;
  /** Format version of `state`; bumped when its layout changes. */
  version: number;
  params: P;
  state: S;
}

/** What every estimator offers, whatever it fits: the scikit-learn contract in TS idiom. */
export interface Estimator {
  /** True once `fit` has completed (or the estimator was read from JSON). */
  readonly isFitted: boolean;
  /** Hyperparameters and fitted state; throws {@link NotFittedError} before `fit`. */
  toJSON(): EstimatorJSON;
}

/** Names of the typed-array element types that {@link encodeTypedArray} stores. */
export type TypedArrayDType =
  | 'float64'
  | 'float32'
  | 'int32'
  | 'uint32'
  | 'int16'
  | 'uint16'
  | 'int8'
  | 'uint8';

/** A typed array that {@link encodeTypedArray} can store. */
export type EncodableTypedArray =
  | Float64Array
  | Float32Array
  | Int32Array
  | Uint32Array
  | Int16Array
  | Uint16Array
  | Int8Array
  | Uint8Array;

/** A typed array as JSON: its element type and its bytes, little-endian, in base64. */
export interface EncodedTypedArray {
  dtype: TypedArrayDType;
  /** base64 of the elements' bytes in little-endian order. */
  data: string;
}

/** `S` as it looks after {@link BaseEstimator.toJSON}: typed arrays become {@link EncodedTypedArray}. */
export type EncodedState<S> = S extends EncodableTypedArray
  ? EncodedTypedArray
  : S extends readonly (infer E)[]
    ? EncodedState<E>[]
    : S extends object
      ? { [K in keyof S]: EncodedState<S[K]> }
      : S;

type TypedArrayConstructor = new (buffer: ArrayBuffer) => EncodableTypedArray;

const CONSTRUCTORS: Readonly<Record<TypedArrayDType, TypedArrayConstructor>> = {
  float64: Float64Array,
  float32: Float32Array,
  int32: Int32Array,
  uint32: Uint32Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int8: Int8Array,
  uint8: Uint8Array,
};

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function dtypeOf(array: ArrayBufferView): TypedArrayDType | undefined {
  for (const [dtype, Constructor] of Object.entries(CONSTRUCTORS)) {
    if (array.constructor === Constructor) return dtype as TypedArrayDType;
  }
  return undefined;
}

/** Reverses the byte order of every element in place (big-endian hosts only). */
function swapBytes(bytes: Uint8Array, width: number): void {
  for (let i = 0; i < bytes.length; i += width) bytes.subarray(i, i + width).reverse();
}

/**
 * Stores a typed array as `{ dtype, data }` (base64 of its little-endian bytes), so it
 * survives `JSON.stringify` exactly: NaN, ±Infinity, -0 and float32 rounding included.
 */
export function encodeTypedArray(array: EncodableTypedArray): EncodedTypedArray {
  const dtype = dtypeOf(array);
  if (dtype === undefined) {
    throw new InvalidArgumentError(
      `encodeTypedArray: cannot store a ${array.constructor.name}; use one of ${Object.keys(CONSTRUCTORS).join(', ')}.`,
    );
  }
  let bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
  if (!HOST_LITTLE_ENDIAN && array.BYTES_PER_ELEMENT > 1) {
    bytes = bytes.slice();
    swapBytes(bytes, array.BYTES_PER_ELEMENT);
  }
  return {
    dtype,
    data: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64'),
  };
}

/**
 * Reads back what {@link encodeTypedArray} wrote, into a fresh typed array of the stored
 * type. Throws {@link InvalidArgumentError} for an unknown dtype, data that is not
 * base64, or a byte count that is not a whole number of elements.
 */
export function decodeTypedArray(encoded: EncodedTypedArray): EncodableTypedArray {
  const dtype: unknown =
    typeof encoded === 'object' && encoded !== null ? encoded.dtype : undefined;
  const Constructor =
    typeof dtype === 'string' && Object.hasOwn(CONSTRUCTORS, dtype)
      ? CONSTRUCTORS[dtype as TypedArrayDType]
      : undefined;
  if (Constructor === undefined || typeof encoded.data !== 'string') {
    throw new InvalidArgumentError(
      `decodeTypedArray: expected { dtype: ${Object.keys(CONSTRUCTORS).join(' | ')}, data: base64 string }, got ${JSON.stringify(encoded)?.slice(0, 80)}.`,
    );
  }
  // Buffer skips characters that are not base64 without a word; a garbled blob must not pass.
  if (encoded.data.length % 4 !== 0 || !BASE64.test(encoded.data)) {
    throw new InvalidArgumentError(
      `decodeTypedArray: the ${encoded.dtype} data is not valid base64 (${encoded.data.length} characters).`,
    );
  }
  const decoded = Buffer.from(encoded.data, 'base64');
  const width = (Constructor as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
  if (decoded.byteLength % width !== 0) {
    throw new InvalidArgumentError(
      `decodeTypedArray: ${decoded.byteLength} bytes is not a whole number of ${encoded.dtype} elements (${width} bytes each).`,
    );
  }
  // Copy into a fresh, aligned buffer: Node may hand back a slice of a shared pool.
  const bytes = new Uint8Array(decoded.byteLength);
  bytes.set(decoded);
  if (!HOST_LITTLE_ENDIAN && width > 1) swapBytes(bytes, width);
  return new Constructor(bytes.buffer);
}

function isEncodedTypedArray(value: object): value is EncodedTypedArray {
  const keys = Object.keys(value);
  return (
    keys.length === 2 &&
    Object.hasOwn(value, 'dtype') &&
    Object.hasOwn(value, 'data') &&
    typeof (value as { data: unknown }).data === 'string' &&
    Object.hasOwn(CONSTRUCTORS, String((value as { dtype: unknown }).dtype))
  );
}

function isPlainObject(value: object): boolean {
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/**
 * Deep copy of plain objects and arrays with every typed array encoded; other objects
 * (Date, class instances) are left for `JSON.stringify` to handle as it always does.
 */
function encodeDeep(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (ArrayBuffer.isView(value)) return encodeTypedArray(value as EncodableTypedArray);
  if (Array.isArray(value)) return value.map(encodeDeep);
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = encodeDeep(item);
  return out;
}

/** Inverse of {@link encodeDeep} on parsed JSON (or on `toJSON()` output that never left memory). */
function decodeDeep(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(decodeDeep);
  if (!isPlainObject(value)) return value;
  if (isEncodedTypedArray(value)) return decodeTypedArray(value);
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = decodeDeep(item);
  return out;
}

/** What {@link BaseEstimator.checkJSON} expects of a blob. */
export interface CheckJSONExpectations<P, S> {
  /** The estimator's `kind`. */
  kind: string;
  /** The format version this code reads. */
  version: number;
  /** Validates the params; without it they come back as `unknown` (the constructor validates anyway). */
  params?: z.ZodType<P>;
  /** Validates the decoded state (typed arrays already restored); strongly advised. */
  state?: z.ZodType<S>;
}

/**
 * Base class of every estimator, after scikit-learn: hyperparameters go to the
 * constructor and are validated there (no other work), `fit` learns and resolves to
 * `this`, fitted state is readable only after `fit`, and `toJSON` / a static `fromJSON`
 * round-trip through `JSON.stringify`.
 *
 * A subclass declares `readonly kind = 'Name'`, writes `async fit(...): Promise<this>`
 * that ends with `this.setFitted(state)`, reads state through `this.fitted`, and writes
 * `static fromJSON(json: unknown)` with {@link BaseEstimator.checkJSON}:
 *
 * @example
 * ```ts
 * const Options = z.object({ scale: z.number().positive().default(1) }).strict();
 * const State = z.object({ mean: z.instanceof(Float64Array) });
 *
 * class MeanCenterer extends BaseEstimator<z.output<typeof Options>, z.output<typeof State>> {
 *   readonly kind = 'MeanCenterer';
 *   constructor(options: z.input<typeof Options> = {}) { super(Options, options); }
 *   async fit(rows: Float64Array[]): Promise<this> { …; this.setFitted({ mean }); return this; }
 *   static fromJSON(json: unknown): MeanCenterer {
 *     const { params, state } = BaseEstimator.checkJSON(json, { kind: 'MeanCenterer', version: 1, params: Options, state: State });
 *     const model = new MeanCenterer(params);
 *     model.setFitted(state);
 *     return model;
 *   }
 * }
 * ```
 *
 * @typeParam P - validated hyperparameters (the schema's output type).
 * @typeParam S - fitted state; typed arrays in it are encoded by `toJSON`.
 */
export abstract class BaseEstimator<P extends object, S> implements Estimator {
  /** Validated hyperparameters, defaults filled in; frozen. */
  readonly params: Readonly<P>;
  /** Class of the estimator as stored in JSON, e.g. "StandardScaler". */
  abstract readonly kind: string;
  /** Version of the JSON layout of `state`; override and bump when it changes. */
  protected readonly formatVersion: number = 1;
  #state: S | undefined;
  #isFitted = false;

  /**
   * Validates `options` with `schema`; bad options throw {@link InvalidArgumentError}
   * naming the class ("StandardScaler options: …").
   */
  constructor(schema: z.ZodType<P>, options: unknown) {
    this.params = Object.freeze(parseOptions(schema, options, `${new.target.name} options`));
  }

  /** True once `fit` has completed (or the estimator was read from JSON). */
  get isFitted(): boolean {
    return this.#isFitted;
  }

  /** The fitted state; throws {@link NotFittedError} before `fit`. */
  protected get fitted(): S {
    if (!this.#isFitted) throw new NotFittedError(this.kind);
    return this.#state as S;
  }

  /** Records what `fit` learned; only `fit` (and `fromJSON`) should call it. */
  protected setFitted(state: S): void {
    this.#state = state;
    this.#isFitted = true;
  }

  /**
   * Hyperparameters and fitted state as JSON-safe data (typed arrays encoded as
   * {@link EncodedTypedArray}); throws {@link NotFittedError} before `fit`.
   */
  toJSON(): EstimatorJSON<Readonly<P>, EncodedState<S>> {
    const state = this.fitted;
    return {
      kind: this.kind,
      version: this.formatVersion,
      params: this.params,
      state: encodeDeep(state) as EncodedState<S>,
    };
  }

  /**
   * Checks a blob read back from JSON for `fromJSON`: it must be an object with `kind`
   * and `version` equal to the expected ones, `params` and `state`. Typed arrays in the
   * state are decoded; `params` and `state` are validated by the given schemas. Every
   * failure is an {@link InvalidArgumentError} saying what was expected and found.
   */
  protected static checkJSON<P = unknown, S = unknown>(
    json: unknown,
    expected: CheckJSONExpectations<P, S>,
  ): EstimatorJSON<P, S> {
    const { kind, version } = expected;
    if (typeof json !== 'object' || json === null || Array.isArray(json)) {
      throw new InvalidArgumentError(
        `${kind}.fromJSON: expected an object { kind, version, params, state }, got ${json === null ? 'null' : Array.isArray(json) ? 'an array' : typeof json}.`,
      );
    }
    const blob = json as Partial<Record<keyof EstimatorJSON, unknown>>;
    if (blob.kind !== kind) {
      throw new InvalidArgumentError(
        `${kind}.fromJSON: this JSON holds kind ${JSON.stringify(blob.kind)}, not "${kind}".`,
        { expected: kind, found: blob.kind },
      );
    }
    if (blob.version !== version) {
      throw new InvalidArgumentError(
        `${kind}.fromJSON: format version ${JSON.stringify(blob.version)} is not the version ${version} this code reads; refit, or load it with the mlsd version that wrote it.`,
        { expected: version, found: blob.version },
      );
    }
    if (!('params' in blob) || !('state' in blob)) {
      throw new InvalidArgumentError(`${kind}.fromJSON: the JSON lacks "params" or "state".`);
    }
    const params = expected.params
      ? parseOptions(expected.params, blob.params, `${kind}.fromJSON params`)
      : (blob.params as P);
    const decoded = decodeDeep(blob.state);
    const state = expected.state
      ? parseOptions(expected.state, decoded, `${kind}.fromJSON state`)
      : (decoded as S);
    return { kind, version, params, state };
  }
}
