import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { detachString } from './detach-string.js';

/** A row that was refused, and why. */
export interface QuarantinedRow {
  /** 1-based line where the record starts in the input. */
  line: number;
  /** The record's text as it was in the input. */
  raw: string;
  /** What was wrong, naming the column when one is to blame. */
  reason: string;
  column?: string;
}

/**
 * Collects refused rows: keeps the first `keep` in memory and, when `path` is given, writes
 * every one as a JSON line to a temporary file that {@link close} renames into place, so a
 * reader of `path` never sees half a quarantine.
 */
export class Quarantine {
  readonly path: string | undefined;
  readonly kept: QuarantinedRow[] = [];
  #count = 0;
  readonly #keep: number;
  #stream: WriteStream | undefined;
  #tempPath: string | undefined;
  #error: Error | undefined;

  constructor(path: string | undefined, keep: number) {
    this.path = path;
    this.#keep = keep;
  }

  /** Rows quarantined so far. */
  get count(): number {
    return this.#count;
  }

  /** Opens the file (creating its folder). */
  async open(): Promise<void> {
    if (this.path === undefined) return;
    await mkdir(dirname(this.path), { recursive: true });
    this.#tempPath = join(
      dirname(this.path),
      `.${basename(this.path)}.${process.pid}.${Date.now()}.tmp`,
    );
    this.#stream = createWriteStream(this.#tempPath, { encoding: 'utf8' });
    this.#stream.on('error', (error) => {
      this.#error = error;
    });
  }

  /** Records one refused row. */
  add(row: QuarantinedRow): void {
    this.#count++;
    if (this.kept.length < this.#keep) this.kept.push({ ...row, raw: detachString(row.raw) });
    this.#stream?.write(`${JSON.stringify(row)}\n`);
  }

  /** Flushes and moves the file into place (also after a failed read, so it can be inspected). */
  async close(): Promise<void> {
    const stream = this.#stream;
    if (stream === undefined || this.path === undefined || this.#tempPath === undefined) return;
    this.#stream = undefined;
    await new Promise<void>((resolve, reject) => {
      stream.end((error?: Error | null) => (error ? reject(error) : resolve()));
    });
    if (this.#error !== undefined) {
      await rm(this.#tempPath, { force: true });
      throw this.#error;
    }
    await rename(this.#tempPath, this.path);
  }
}
