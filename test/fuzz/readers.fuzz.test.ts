/**
 * Fuzzing the readers: CSV and JSON Lines (through readCsv / readJsonl), IDX (parseIdx) and the
 * PNG fast path (decodeSimplePng, and decodeImage behind it). Properties: a reader either
 * returns a result whose counts reconcile, the same whatever the chunking, or throws one of our
 * typed errors; it never throws anything else and never hangs.
 */
import { deflateSync, gzipSync } from 'node:zlib';
import { isMlsdError } from '@mlsd/core';
import { encodeIdx, parseIdx } from '@mlsd/datasets';
import { readCsv, readJsonl } from '@mlsd/ingest';
import { decodeImage, decodeSimplePng, FASHION_MNIST_SPEC } from '@mlsd/vision';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { budget, timeoutFor } from './fuzz-budget.js';

const schema = z.object({
  id: z.number().int().nonnegative(),
  amount: z.number().nonnegative(),
  note: z.string().optional(),
});
const columns = { id: 'int32' } as const;

/** Splits text at the given cut points (sorted, deduplicated, inside the text). */
function chunked(text: string, cuts: number[]): string[] {
  const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
  const out: string[] = [];
  let from = 0;
  for (const at of points) {
    out.push(text.slice(from, at));
    from = at;
  }
  out.push(text.slice(from));
  return out;
}

/** What a read produced, comparable across chunkings; or the typed error's code. */
async function outcome(read: () => Promise<Awaited<ReturnType<typeof readCsv>>>) {
  try {
    const result = await read();
    const { read: total, accepted, quarantined } = result.stats;
    expect(total).toBe(accepted + quarantined);
    expect(result.table.length).toBe(accepted);
    const lines = result.quarantine.map((row) => row.line);
    // Quarantined lines come in file order, each once.
    for (let i = 1; i < lines.length; i++) expect(lines[i]!).toBeGreaterThan(lines[i - 1]!);
    return {
      ids: Array.from(result.table.numeric('id')),
      quarantine: result.quarantine.map((row) => [row.line, row.reason]),
      stats: [total, accepted, quarantined, result.stats.blankLines],
    };
  } catch (error) {
    if (!isMlsdError(error)) throw error;
    return { error: error.code };
  }
}

/** Text made of the characters that matter to CSV, with some ordinary ones. */
const csvText = fc
  .array(
    fc.oneof(
      fc.constantFrom(',', '"', '""', '\n', '\r\n', '\r', ' ', '\uFEFF', 'é', '😀'),
      fc.integer({ min: 0, max: 99_999 }).map(String),
      fc.constantFrom('1.5', '-2', 'NaN', 'Infinity', '1e308', 'abc', '0x10', ''),
    ),
    { maxLength: 120 },
  )
  .map((parts) => parts.join(''));
const header = fc.constantFrom('id,amount,note\n', 'id,amount\n', 'amount,id,note,extra\n', '');

describe('readCsv on hostile text', () => {
  it(
    'reconciles its counts, gives the same answer for any chunking, and throws only typed errors',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          header,
          csvText,
          fc.array(fc.nat(), { maxLength: 6 }),
          async (head, body, cuts) => {
            const text = head + body;
            const options = { columns, maxRecordChars: 40 };
            const whole = await outcome(() => readCsv([text], schema, options));
            const parts = await outcome(() => readCsv(chunked(text, cuts), schema, options));
            expect(parts).toEqual(whole);
          },
        ),
        budget(1_000),
      );
    },
    timeoutFor(1_000, 20),
  );
});

/** JSON Lines: real JSON values, near-JSON garbage, and good rows. */
const jsonlLine = fc.oneof(
  fc.jsonValue().map((value) => JSON.stringify(value)),
  fc
    .record({ id: fc.integer({ min: -5, max: 1e6 }), amount: fc.double(), note: fc.string() })
    .map((row) => JSON.stringify(row)),
  fc.string({ maxLength: 60 }),
  fc.constantFrom('{"id": 1, "amount": 2', '{"__proto__": {"x": 1}, "id": 3, "amount": 1}', ''),
);

describe('readJsonl on hostile text', () => {
  it(
    'reconciles its counts, gives the same answer for any chunking, and throws only typed errors',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(jsonlLine, { maxLength: 30 }),
          fc.constantFrom('\n', '\r\n'),
          fc.array(fc.nat(), { maxLength: 6 }),
          async (lines, eol, cuts) => {
            const text = lines.join(eol);
            const options = { columns, maxRecordChars: 80 };
            const whole = await outcome(() => readJsonl([text], schema, options));
            const parts = await outcome(() => readJsonl(chunked(text, cuts), schema, options));
            expect(parts).toEqual(whole);
            expect(({} as Record<string, unknown>).x).toBeUndefined();
          },
        ),
        budget(1_000),
      );
    },
    timeoutFor(1_000, 20),
  );
});

/** Mutations of a byte string: flips, overwrites, truncation, insertion. */
function mutated(base: Uint8Array): fc.Arbitrary<Uint8Array> {
  const edit = fc.oneof(
    fc.record({
      kind: fc.constant('set' as const),
      at: fc.nat(),
      value: fc.integer({ min: 0, max: 255 }),
    }),
    fc.record({ kind: fc.constant('cut' as const), at: fc.nat(), value: fc.constant(0) }),
    fc.record({
      kind: fc.constant('insert' as const),
      at: fc.nat(),
      value: fc.integer({ min: 0, max: 255 }),
    }),
  );
  return fc.array(edit, { minLength: 1, maxLength: 4 }).map((edits) => {
    let bytes = Uint8Array.from(base);
    for (const { kind, at, value } of edits) {
      const i = bytes.length === 0 ? 0 : at % bytes.length;
      if (kind === 'set' && bytes.length > 0) bytes[i] = value;
      else if (kind === 'cut') bytes = bytes.subarray(0, i);
      else if (kind === 'insert')
        bytes = Uint8Array.from([...bytes.subarray(0, i), value, ...bytes.subarray(i)]);
    }
    return bytes;
  });
}

describe('parseIdx on hostile bytes', () => {
  const valid = encodeIdx({
    dtype: 'uint8',
    shape: [3, 4, 4],
    data: Uint8Array.from({ length: 48 }, (_, i) => i),
  });
  const floats = encodeIdx({
    dtype: 'float32',
    shape: [5],
    data: Float32Array.from([1, 2, 3, 4, 5]),
  });
  it(
    'returns an array of the shape its header declares, or throws CorruptFileError',
    () => {
      fc.assert(
        fc.property(
          fc.oneof(mutated(valid), mutated(floats), fc.uint8Array({ maxLength: 64 })),
          fc.boolean(),
          (bytes, gzip) => {
            const input = gzip ? gzipSync(bytes) : bytes;
            try {
              const array = parseIdx(input, 'fuzz.idx');
              const count = array.shape.reduce((a, b) => a * b, 1);
              expect(array.data.length).toBe(count);
            } catch (error) {
              if (!isMlsdError(error, 'CORRUPT_FILE')) throw error;
            }
          },
        ),
        budget(2_000),
      );
    },
    timeoutFor(2_000, 5),
  );
});

/** A PNG file from chunks, with correct CRCs (so mutations reach the decoder, not the CRC check). */
function png(chunks: [string, Uint8Array][]): Uint8Array {
  const crcTable = new Uint32Array(256).map((_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (bytes: Uint8Array) => {
    let c = 0xffffffff;
    for (const b of bytes) c = crcTable[(c ^ b) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const parts: Uint8Array[] = [Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])];
  for (const [type, data] of chunks) {
    const head = new Uint8Array(8);
    new DataView(head.buffer).setUint32(0, data.length);
    head.set(Buffer.from(type, 'latin1'), 4);
    const tail = new Uint8Array(4);
    new DataView(tail.buffer).setUint32(0, crc(Uint8Array.from([...head.subarray(4), ...data])));
    parts.push(head, data, tail);
  }
  return Uint8Array.from(parts.flatMap((part) => [...part]));
}

function ihdr(width: number, height: number, colorType: number, bitDepth = 8): Uint8Array {
  const data = new Uint8Array(13);
  const view = new DataView(data.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  data[8] = bitDepth;
  data[9] = colorType;
  return data;
}

/** PNGs the fast path may take or decline: right or wrong sizes and types, odd IDAT streams. */
const pngLike = fc
  .record({
    width: fc.constantFrom(28, 27, 29, 1),
    height: fc.constantFrom(28, 0, 30),
    colorType: fc.constantFrom(0, 2, 3, 6),
    bitDepth: fc.constantFrom(8, 16, 1),
    rows: fc.uint8Array({ minLength: 0, maxLength: 28 * 29 * 3 }),
    raw: fc.boolean(),
    split: fc.nat({ max: 3 }),
    extra: fc.constantFrom('none', 'text', 'gamma'),
  })
  .map(({ width, height, colorType, bitDepth, rows, raw, split, extra }) => {
    const idat = raw ? rows : deflateSync(rows);
    const cut = Math.floor((idat.length * split) / 4);
    const chunks: [string, Uint8Array][] = [['IHDR', ihdr(width, height, colorType, bitDepth)]];
    if (extra === 'text') chunks.push(['tEXt', Buffer.from('Comment\0hi', 'latin1')]);
    if (extra === 'gamma') chunks.push(['gAMA', new Uint8Array(4)]);
    if (split > 0) chunks.push(['IDAT', idat.subarray(0, cut)], ['IDAT', idat.subarray(cut)]);
    else chunks.push(['IDAT', idat]);
    chunks.push(['IEND', new Uint8Array(0)]);
    return png(chunks);
  });

describe('the PNG fast path on hostile bytes', () => {
  const spec = FASHION_MNIST_SPEC;
  const size = spec.width * spec.height * spec.channels;

  it(
    'decodeSimplePng returns exactly the spec size or declines; it never throws',
    () => {
      fc.assert(
        fc.property(
          fc.oneof(
            pngLike,
            pngLike.chain((bytes) => mutated(bytes)),
          ),
          (bytes) => {
            const pixels = decodeSimplePng(bytes, spec);
            if (pixels !== undefined) expect(pixels.length).toBe(size);
          },
        ),
        budget(1_500),
      );
    },
    timeoutFor(1_500, 5),
  );

  it(
    'decodeImage (fast path, then sharp) returns the spec size or throws a typed error',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            pngLike,
            pngLike.chain((bytes) => mutated(bytes)),
          ),
          async (bytes) => {
            try {
              const pixels = await decodeImage(Buffer.from(bytes), spec);
              expect(pixels.length).toBe(size);
            } catch (error) {
              if (!isMlsdError(error)) throw error;
            }
          },
        ),
        budget(200),
      );
    },
    timeoutFor(200, 100),
  );
});
