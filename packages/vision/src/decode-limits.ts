import { InvalidArgumentError, InvalidDataError, parseOptions } from '@mlsd/core';
import { z } from 'zod';

/**
 * Default largest image decoded, in pixels: 40 megapixels. A model sees at most a few hundred
 * thousand pixels (224 × 224 is 0.05 MP), decode time and memory grow with the pixel count,
 * and sharp's own default (268 MP) lets one 16,383² PNG hold a decode thread for ~10 s. Every
 * camera up to 40 MP fits; raise it with `maxPixels` (`--max-pixels`) for larger photos.
 */
export const DEFAULT_MAX_PIXELS = 40_000_000;
/** Default largest image file read, bytes (256 MiB): larger files are refused before reading. */
export const DEFAULT_MAX_BYTES = 256 * 2 ** 20;
/** Default longest decode, seconds (sharp's `timeout`): a slow decode is stopped and reported. */
export const DEFAULT_DECODE_TIMEOUT_SECONDS = 10;

/** Limits applied to every decode; stored with an index so the service applies the same ones. */
export const DecodeLimitsSchema = z
  .object({
    /** Largest image accepted, in pixels (width × height from the header). */
    maxPixels: z.number().int().positive().default(DEFAULT_MAX_PIXELS),
    /** Largest image file read from disk, bytes. */
    maxBytes: z.number().int().positive().default(DEFAULT_MAX_BYTES),
    /** Longest one decode may take, seconds; a slower one is stopped. */
    timeoutSeconds: z.number().int().positive().max(3600).default(DEFAULT_DECODE_TIMEOUT_SECONDS),
  })
  .strict();

/** Parsed {@link DecodeLimitsSchema}. */
export type DecodeLimits = z.output<typeof DecodeLimitsSchema>;
/** What a caller may pass to {@link parseDecodeLimits}. */
export type DecodeLimitsInput = z.input<typeof DecodeLimitsSchema>;

/** Validates decode limits, filling in the defaults. */
export function parseDecodeLimits(input: DecodeLimitsInput = {}): DecodeLimits {
  return parseOptions(DecodeLimitsSchema, input, 'decode limits');
}

/** The decode limits among a larger options object (to pass them on). */
export function pickDecodeLimits(options: DecodeLimitsInput): DecodeLimitsInput {
  return {
    maxPixels: options.maxPixels,
    maxBytes: options.maxBytes,
    timeoutSeconds: options.timeoutSeconds,
  };
}

/** An image whose header declares more pixels than the decode limit allows. */
export class ImageTooLargeError extends InvalidDataError {}

/** A decode stopped because it took longer than the decode timeout. */
export class DecodeTimeoutError extends InvalidDataError {}

/** Options of {@link DecodeGate}. */
export interface DecodeGateOptions {
  /** Large images decoded at the same time; default 2 (libuv's pool has 4 threads). */
  concurrency?: number;
  /** An image of at least this many pixels waits for a slot; default 4 megapixels. */
  heavyPixels?: number;
}

/**
 * Bounds how many large images decode at once. sharp decodes on libuv's thread pool (4 threads
 * by default); four slow decodes would occupy all of it and every other query would wait
 * behind them. Large images queue here for `concurrency` slots, so small ones (a typical query)
 * always find a free thread.
 */
export class DecodeGate {
  readonly concurrency: number;
  readonly heavyPixels: number;
  #running = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(options: DecodeGateOptions = {}) {
    this.concurrency = options.concurrency ?? 2;
    this.heavyPixels = options.heavyPixels ?? 4_000_000;
    if (!Number.isInteger(this.concurrency) || this.concurrency < 1) {
      throw new InvalidArgumentError(
        `DecodeGate: concurrency must be a positive integer, got ${this.concurrency}.`,
      );
    }
  }

  /** Large decodes running now. */
  get running(): number {
    return this.#running;
  }

  /** Large decodes waiting for a slot. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /** Runs `decode` at once for a small image, or when a slot is free for a large one. */
  async run<T>(pixels: number, decode: () => Promise<T>): Promise<T> {
    if (pixels < this.heavyPixels) return decode();
    if (this.#running >= this.concurrency) {
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    } else {
      this.#running++;
    }
    try {
      return await decode();
    } finally {
      // Hand the slot straight to the next waiter (the count stays), or free it.
      const next = this.#waiting.shift();
      if (next === undefined) this.#running--;
      else next();
    }
  }
}

/** The gate every decode shares unless told otherwise. */
export const DEFAULT_DECODE_GATE = new DecodeGate();
