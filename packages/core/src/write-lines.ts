import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Text gathered before it is handed to the stream (characters ≈ bytes here). */
const CHUNK_CHARS = 1 << 17;

/**
 * Writes a text file line by line as lines arrive, into a temporary file beside `path` that
 * {@link AtomicLineWriter.close} renames over it: a reader never sees a half-written file, and
 * memory stays at one chunk whatever the line count. Waits for the stream to drain instead of
 * buffering; {@link AtomicLineWriter.abort} removes the temporary file after a failure.
 */
export class AtomicLineWriter {
  readonly path: string;
  readonly #temp: string;
  #stream: WriteStream | undefined;
  #failed: Promise<never> | undefined;
  #buffer = '';

  constructor(path: string) {
    this.path = path;
    this.#temp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  }

  /** Creates the folder and the temporary file. */
  async open(): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    const stream = createWriteStream(this.#temp, { encoding: 'utf8', flags: 'wx' });
    this.#failed = new Promise<never>((_, reject) => stream.once('error', reject));
    this.#failed.catch(() => {});
    this.#stream = stream;
  }

  /**
   * Appends one line (the line break is added). Returns a promise only when the disk is behind
   * and the caller should wait for it (`const wait = writer.write(line); if (wait) await wait;`),
   * so a hot loop pays no promise per line.
   */
  write(line: string): Promise<void> | undefined {
    this.#buffer += `${line}\n`;
    if (this.#buffer.length < CHUNK_CHARS) return undefined;
    const stream = this.#stream!;
    const buffer = this.#buffer;
    this.#buffer = '';
    if (stream.write(buffer)) return undefined;
    return Promise.race([
      new Promise<void>((resolve) => stream.once('drain', () => resolve())),
      this.#failed!,
    ]);
  }

  /** Characters gathered and not yet handed to the stream. */
  get pending(): number {
    return this.#buffer.length;
  }

  /** Flushes, closes and renames the file into place. */
  async close(): Promise<void> {
    const stream = this.#stream!;
    const buffer = this.#buffer;
    this.#buffer = '';
    await Promise.race([
      new Promise<void>((resolve, reject) =>
        stream.end(buffer, (error?: Error | null) => (error ? reject(error) : resolve())),
      ),
      this.#failed!,
    ]);
    await rename(this.#temp, this.path);
  }

  /** Drops the temporary file. */
  async abort(): Promise<void> {
    this.#stream?.destroy();
    await rm(this.#temp, { force: true });
  }
}

/**
 * Streams `header` (when given) and `line(row)` for rows 0 … rows − 1, one per line, into a
 * temporary file beside `path`, then renames it over `path` (see {@link AtomicLineWriter}).
 * @param onProgress - called now and then with the rows written so far, and once at the end.
 */
export async function writeLinesAtomic(
  path: string,
  rows: number,
  line: (row: number) => string,
  options: { header?: string; onProgress?: (rowsWritten: number) => void } = {},
): Promise<void> {
  const writer = new AtomicLineWriter(path);
  await writer.open();
  try {
    if (options.header !== undefined) writer.write(options.header);
    for (let row = 0; row < rows; row++) {
      const before = writer.pending;
      const wait = writer.write(line(row));
      if (wait !== undefined) await wait;
      if (writer.pending < before) options.onProgress?.(row + 1);
    }
    await writer.close();
    options.onProgress?.(rows);
  } catch (error) {
    await writer.abort();
    throw error;
  }
}
