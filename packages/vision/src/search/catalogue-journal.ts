import { type FileHandle, open, readFile } from 'node:fs/promises';
import zlib from 'node:zlib';
import { CorruptFileError, logWarn } from '@mlsd/core';
import type { ImageMetadata } from './image-search.js';

/** An image added to a live catalogue: its embedding, so replay needs no model run. */
export interface JournalAdd {
  seq: number;
  op: 'add';
  id: string;
  metadata: ImageMetadata | undefined;
  vector: Float32Array;
  /** Version of the embedder that made the vector. */
  embedder: string;
}

/** An image removed from a live catalogue. */
export interface JournalRemove {
  seq: number;
  op: 'remove';
  id: string;
}

/** One change of a live catalogue. */
export type JournalRecord = JournalAdd | JournalRemove;

const crc32 = (zlib as unknown as { crc32(data: string | Uint8Array): number }).crc32;

/** One line: `<crc32 of the JSON, 8 hex digits> <JSON>`. */
function encode(record: JournalRecord): string {
  const json = JSON.stringify(
    record.op === 'add'
      ? {
          ...record,
          metadata: record.metadata ?? null,
          vector: Buffer.from(
            record.vector.buffer,
            record.vector.byteOffset,
            record.vector.byteLength,
          ).toString('base64'),
        }
      : record,
  );
  return `${crc32(json).toString(16).padStart(8, '0')} ${json}\n`;
}

function decode(line: string): JournalRecord | undefined {
  const space = line.indexOf(' ');
  if (space !== 8) return undefined;
  const json = line.slice(9);
  if (Number.parseInt(line.slice(0, 8), 16) !== crc32(json)) return undefined;
  try {
    const raw = JSON.parse(json) as Record<string, unknown>;
    if (raw.op === 'remove' && typeof raw.id === 'string' && typeof raw.seq === 'number') {
      return { seq: raw.seq, op: 'remove', id: raw.id };
    }
    if (
      raw.op === 'add' &&
      typeof raw.id === 'string' &&
      typeof raw.seq === 'number' &&
      typeof raw.vector === 'string' &&
      typeof raw.embedder === 'string'
    ) {
      const bytes = Buffer.from(raw.vector, 'base64');
      const vector = new Float32Array(bytes.byteLength / 4);
      new Uint8Array(vector.buffer).set(bytes);
      return {
        seq: raw.seq,
        op: 'add',
        id: raw.id,
        metadata: (raw.metadata ?? undefined) as ImageMetadata | undefined,
        vector,
        embedder: raw.embedder,
      };
    }
  } catch {
    return undefined;
  }
  return undefined;
}

/**
 * The append log of a live catalogue: one checksummed JSON line per change, fsynced before the
 * change is acknowledged, so an acknowledged add or remove survives a crash (SIGKILL, power
 * loss) and is replayed on top of the last snapshot.
 */
export class CatalogueJournal {
  readonly path: string;
  #handle: FileHandle | undefined;

  private constructor(path: string, handle: FileHandle) {
    this.path = path;
    this.#handle = handle;
  }

  /**
   * Reads the records of the journal at `path` (none when it does not exist) and opens it for
   * appending. A damaged last line is a write cut short by a crash (never acknowledged): it is
   * dropped with a warning and cut off the file. A damaged line before the last means the file
   * was altered: refused.
   * @throws CorruptFileError for a damaged line that is not the last.
   */
  static async open(
    path: string,
  ): Promise<{ journal: CatalogueJournal; records: JournalRecord[] }> {
    const { records, validBytes } = await readJournal(path);
    const handle = await open(path, 'a+');
    // Cut a torn tail, so the next append starts on a clean line.
    if ((await handle.stat()).size !== validBytes) await handle.truncate(validBytes);
    return { journal: new CatalogueJournal(path, handle), records };
  }

  /** The records of the journal at `path`, read only (see {@link open} for damaged lines). */
  static async read(path: string): Promise<JournalRecord[]> {
    return (await readJournal(path)).records;
  }

  /** Appends records and waits until they are on disk (one fsync for all). */
  async append(records: readonly JournalRecord[]): Promise<void> {
    const handle = this.#handle;
    if (handle === undefined) throw new CorruptFileError(`${this.path} is closed.`);
    await handle.appendFile(records.map(encode).join(''));
    await handle.datasync();
  }

  /** Closes the file (appends after this fail). */
  async close(): Promise<void> {
    const handle = this.#handle;
    this.#handle = undefined;
    await handle?.close();
  }
}

/**
 * Reads a journal's records. A damaged last line is a write cut short by a crash (never
 * acknowledged): dropped with a warning. A damaged line before the last: refused.
 */
async function readJournal(
  path: string,
): Promise<{ records: JournalRecord[]; validBytes: number }> {
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return '';
    throw error;
  });
  const records: JournalRecord[] = [];
  let validBytes = 0;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const last = i === lines.length - 1;
    if (last && line === '') break;
    const record = last ? undefined : decode(line);
    if (record === undefined) {
      const trailing = lines.slice(i + 1).every((rest) => rest === '');
      if (!trailing) {
        throw new CorruptFileError(
          `${path}: line ${i + 1} is damaged (checksum or format) and later lines follow; the journal was altered. Restore it, or delete it to fall back to the last snapshot (losing the changes since).`,
          { file: path, line: i + 1 },
        );
      }
      logWarn('dropping a half-written last line of the catalogue journal (a crash cut it short)', {
        file: path,
        line: i + 1,
      });
      break;
    }
    records.push(record);
    validBytes += Buffer.byteLength(line) + 1;
  }
  return { records, validBytes };
}
