import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/** Where the A/B scripts cache gbdt.bench.ts's training rows (`AB_CACHE` overrides it). */
export const AB_ROWS_CACHE = process.env.AB_CACHE ?? '/tmp/ab/gbdt-train.bin';

/** Row-major float64 features and 0/1 labels. */
export interface AbRows {
  X: Float64Array;
  y: Uint8Array;
  rows: number;
  cols: number;
}

/** The cached rows (u32 cols, u32 rows, X as float64, y as u8), or undefined when absent. */
export function readAbRows(path = AB_ROWS_CACHE): AbRows | undefined {
  if (!existsSync(path)) return undefined;
  const buffer = readFileSync(path);
  const cols = buffer.readUInt32LE(0);
  const rows = buffer.readUInt32LE(4);
  const start = buffer.byteOffset + 8;
  const X = new Float64Array(buffer.buffer.slice(start, start + rows * cols * 8));
  const y = new Uint8Array(buffer.buffer.slice(start + rows * cols * 8, start + rows * cols * 9));
  return { X, y, rows, cols };
}

/** Writes rows in the layout {@link readAbRows} reads. */
export function writeAbRows(data: AbRows, path = AB_ROWS_CACHE): void {
  const head = Buffer.alloc(8);
  head.writeUInt32LE(data.cols, 0);
  head.writeUInt32LE(data.rows, 4);
  writeFileSync(
    path,
    Buffer.concat([head, Buffer.from(data.X.buffer), Buffer.from(data.y.buffer)]),
  );
}
