import { createHash, randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  InvalidArgumentError,
  InvalidDataError,
  logWarn,
  NotFoundError,
  writeFileAtomic,
} from '@mlsd/core';
import type { ImageEmbedder } from '../embedding/image-embedder.js';
import { copyUploads, UPLOADS_FOLDER, uploadSource } from '../image-source.js';
import { CatalogueJournal, type JournalRecord } from './catalogue-journal.js';
import { EmbedderMismatchError } from './embedder-mismatch-error.js';
import { type ImageMetadata, ImageSearch } from './image-search.js';

/** File of the append log inside a catalogue folder (not listed in its manifest). */
export const JOURNAL_FILE = 'journal.jsonl';
/** File holding the writer's process id while a catalogue is open for changes. */
export const LOCK_FILE = 'catalogue.lock';

/** Options of {@link LiveCatalogue.open}. */
export interface LiveCatalogueOptions {
  /** Use this embedder (it must be the index's: same version) instead of the saved one. */
  embedder?: ImageEmbedder | undefined;
  /**
   * Journal records after which the catalogue writes a fresh snapshot and starts an empty
   * journal; default 1,000 (0: only on {@link LiveCatalogue.compact}).
   */
  compactEvery?: number | undefined;
}

/** What an acknowledged change returns. */
export interface CatalogueChange {
  id: string;
  /** Position of the change in the catalogue's history. */
  seq: number;
}

/**
 * An image index that grows and shrinks while it is served, and keeps every acknowledged change
 * across a crash: the folder holds a snapshot (a checksummed `ImageSearch` artifact recording
 * the journal position it includes) and an append log (`journal.jsonl`, one checksummed line
 * per add or remove, with the image's embedding, fsynced before the change is acknowledged).
 * Opening replays the log over the snapshot; every `compactEvery` records the catalogue writes
 * a new snapshot atomically and starts an empty log. Uploaded image bytes are kept in
 * `uploads/` so thumbnails and `reindex` can read them back. One writer at a time: opening
 * takes a lock file naming the process.
 */
export class LiveCatalogue {
  readonly dir: string;
  #search: ImageSearch;
  #journal: CatalogueJournal;
  #seq: number;
  #pending: number;
  readonly #compactEvery: number;
  /** What this instance wrote in the lock file (process id and a random token). */
  readonly #lock: string;
  /** Changes run one at a time, in arrival order. */
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;

  private constructor(
    dir: string,
    search: ImageSearch,
    journal: CatalogueJournal,
    seq: number,
    pending: number,
    compactEvery: number,
    lock: string,
  ) {
    this.dir = dir;
    this.#lock = lock;
    this.#search = search;
    this.#journal = journal;
    this.#seq = seq;
    this.#pending = pending;
    this.#compactEvery = compactEvery;
  }

  /**
   * Opens a saved image index for changes: loads the snapshot, replays the journal, takes the
   * writer lock.
   * @throws InvalidArgumentError when another live process holds the lock.
   * @throws EmbedderMismatchError when `options.embedder` is not the index's embedder, or a
   *   journal record was made by another.
   * @throws CorruptFileError for a journal altered before its last line.
   */
  static async open(dir: string, options: LiveCatalogueOptions = {}): Promise<LiveCatalogue> {
    const folder = resolve(dir);
    const lock = await takeLock(folder);
    try {
      const { search, artifact } = await ImageSearch.open(folder, { embedder: options.embedder });
      const snapshotSeq = Number(artifact.manifest.params.journalSeq ?? 0);
      const { journal, records } = await CatalogueJournal.open(join(folder, JOURNAL_FILE));
      let seq = snapshotSeq;
      let pending = 0;
      for (const record of records) {
        if (record.seq <= snapshotSeq) continue;
        applyRecord(search, record, folder);
        seq = record.seq;
        pending++;
      }
      return new LiveCatalogue(
        folder,
        search,
        journal,
        seq,
        pending,
        options.compactEvery ?? 1000,
        lock,
      );
    } catch (error) {
      await releaseLock(folder, lock);
      throw error;
    }
  }

  /**
   * Reads a catalogue without opening it for changes (no lock; a running writer is fine): the
   * snapshot with the journal replayed over it.
   */
  static async read(dir: string, options: { embedder?: ImageEmbedder } = {}): Promise<ImageSearch> {
    const folder = resolve(dir);
    const { search, artifact } = await ImageSearch.open(folder, { embedder: options.embedder });
    const snapshotSeq = Number(artifact.manifest.params.journalSeq ?? 0);
    for (const record of await CatalogueJournal.read(join(folder, JOURNAL_FILE))) {
      if (record.seq > snapshotSeq) applyRecord(search, record, folder);
    }
    return search;
  }

  /** The search serving queries (its index includes every acknowledged change). */
  get search(): ImageSearch {
    return this.#search;
  }

  /** Position of the last acknowledged change. */
  get seq(): number {
    return this.#seq;
  }

  /** Changes in the journal since the last snapshot. */
  get pending(): number {
    return this.#pending;
  }

  /**
   * Adds one image: decodes and embeds it, keeps its bytes in `uploads/` (unless `metadata`
   * names a `source` already), writes the change to the journal and waits for the disk, then
   * indexes it. Resolves once the add would survive a crash.
   * @throws ImageExistsError for an id already in the catalogue; the decode's typed errors
   *   for a bad image (nothing is recorded then).
   */
  async add(id: string, image: Uint8Array, metadata: ImageMetadata = {}): Promise<CatalogueChange> {
    checkId(id);
    const vector = await this.#search.embedImage(image);
    return this.#change(async () => {
      if (this.#search.has(id)) throw new ImageExistsError(id);
      let stored = metadata;
      if (metadata.source === undefined) {
        const file = `${createHash('sha256').update(image).digest('hex').slice(0, 32)}.${imageExtension(image)}`;
        await mkdir(join(this.dir, UPLOADS_FOLDER), { recursive: true });
        await writeFileAtomic(join(this.dir, UPLOADS_FOLDER, file), image);
        stored = { ...metadata, source: uploadSource(file) };
      }
      const record: JournalRecord = {
        seq: this.#seq + 1,
        op: 'add',
        id,
        metadata: stored,
        vector,
        embedder: this.#search.embedderVersion,
      };
      await this.#journal.append([record]);
      applyRecord(this.#search, record, this.dir);
      return this.#acknowledge(id, record.seq);
    });
  }

  /**
   * Removes one image; resolves once the removal would survive a crash.
   * @throws NotFoundError for an id not in the catalogue.
   */
  async remove(id: string): Promise<CatalogueChange> {
    return this.#change(async () => {
      if (!this.#search.has(id)) {
        throw new NotFoundError(`No image with id "${id}" in the catalogue.`, { id });
      }
      const record: JournalRecord = { seq: this.#seq + 1, op: 'remove', id };
      await this.#journal.append([record]);
      applyRecord(this.#search, record, this.dir);
      return this.#acknowledge(id, record.seq);
    });
  }

  /**
   * Writes a snapshot of the current catalogue (atomically replacing the folder's artifact,
   * with the uploads still referenced) and starts an empty journal.
   */
  async compact(): Promise<void> {
    await this.#change(() => this.#compact());
  }

  /** Closes the journal and releases the lock; pending changes stay in the journal. */
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.#change(async () => {
      this.#closed = true;
      await this.#journal.close();
      await releaseLock(this.dir, this.#lock);
    });
  }

  async #compact(): Promise<void> {
    const search = this.#search;
    await this.#journal.close();
    try {
      await search.save(this.dir, {
        params: { journalSeq: this.#seq },
        write: (staging) =>
          copyUploads(
            [...search.ids()].map((id) => search.index.getMetadata(id)?.source),
            this.dir,
            staging,
          ),
      });
    } finally {
      // The new folder (or, if the save failed, the old one with its journal) gets the lock
      // and an open journal again.
      await writeFileAtomic(join(this.dir, LOCK_FILE), this.#lock);
      this.#journal = (await CatalogueJournal.open(join(this.dir, JOURNAL_FILE))).journal;
    }
    this.#pending = 0;
  }

  #acknowledge(id: string, seq: number): CatalogueChange {
    this.#seq = seq;
    this.#pending++;
    if (this.#compactEvery > 0 && this.#pending >= this.#compactEvery) {
      // In the queue after this change: the caller is answered first.
      void this.#change(() => this.#compact()).catch((error: unknown) =>
        logWarn('catalogue snapshot failed; the journal keeps every change', {
          dir: this.dir,
          error: (error as Error).message,
        }),
      );
    }
    return { id, seq };
  }

  #change<T>(run: () => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new CatalogueClosedError(this.dir));
    const next = this.#queue.then(() => {
      // Queued before close() but run after it: the journal is gone.
      if (this.#closed) throw new CatalogueClosedError(this.dir);
      return run();
    });
    this.#queue = next.catch(() => undefined);
    return next;
  }
}

/** A change asked of a catalogue that was closed (the service is reloading or stopping). */
export class CatalogueClosedError extends InvalidArgumentError {
  constructor(dir: string) {
    super(`The catalogue ${dir} is closed; retry once it is open again.`, { dir });
  }
}

/** An add under an id the catalogue already holds. */
export class ImageExistsError extends InvalidArgumentError {
  constructor(id: string) {
    super(
      `An image with id "${id}" is already in the catalogue; remove it first or choose another id.`,
      { id },
    );
  }
}

/** Applies one journal record to the in-memory index. */
function applyRecord(search: ImageSearch, record: JournalRecord, dir: string): void {
  if (record.op === 'remove') {
    if (search.has(record.id)) search.remove(record.id);
    return;
  }
  if (record.embedder !== search.embedderVersion) {
    throw new EmbedderMismatchError(dir, search.embedder.info, { version: record.embedder }, 'add');
  }
  if (record.vector.length !== search.embedder.dim) {
    throw new InvalidDataError(
      `Journal record ${record.seq} holds a ${record.vector.length}-d vector; the index is ${search.embedder.dim}-d.`,
    );
  }
  // A replayed id may exist when a snapshot raced its journal: the later record wins.
  if (search.has(record.id)) search.remove(record.id);
  search.addEmbeddings([record.id], record.vector, [record.metadata]);
}

function checkId(id: string): void {
  const control = [...id].some((char) => char.charCodeAt(0) < 0x20);
  if (id.length === 0 || id.length > 512 || control) {
    throw new InvalidArgumentError(
      `Image id must be 1 to 512 characters without control characters; got ${JSON.stringify(id.slice(0, 40))}.`,
    );
  }
}

/** File extension from the first bytes (the upload's own format). */
export function imageExtension(bytes: Uint8Array): string {
  const ascii = (start: number, end: number) => String.fromCharCode(...bytes.subarray(start, end));
  if (bytes[0] === 0x89 && ascii(1, 4) === 'PNG') return 'png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return 'jpg';
  if (ascii(0, 3) === 'GIF') return 'gif';
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'webp';
  if (ascii(0, 4) === 'II*\0' || ascii(0, 4) === 'MM\0*') return 'tif';
  if (ascii(4, 8) === 'ftyp') return ascii(8, 12).startsWith('avi') ? 'avif' : 'heic';
  return 'bin';
}

/**
 * Takes the writer lock of a catalogue folder: a file with this process's id and a random token.
 * A lock left by a process that no longer runs (killed), or by another instance in this process
 * (a reload of the same folder), is taken over. Returns the lock's content.
 * @throws InvalidArgumentError when another running process holds it.
 */
async function takeLock(folder: string): Promise<string> {
  const path = join(folder, LOCK_FILE);
  const content = `${process.pid} ${randomUUID()}\n`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(path, 'wx');
      await handle.writeFile(content);
      await handle.close();
      return content;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') {
        throw new NotFoundError(`Image index folder ${folder} does not exist.`, { dir: folder });
      }
      if (code !== 'EEXIST') throw error;
    }
    const holder = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
    if (Number.isInteger(holder) && holder !== process.pid && processRuns(holder)) {
      throw new InvalidArgumentError(
        `The image index ${folder} is open for changes in process ${holder} (${LOCK_FILE}); change it through that process (POST/DELETE /v1/images) or stop it first.`,
        { dir: folder, pid: holder },
      );
    }
    await rm(path, { force: true });
  }
  throw new InvalidArgumentError(`Could not take the lock ${path}; retry.`, { dir: folder });
}

/** Removes the lock file if it is still this instance's (a reload may have taken it over). */
async function releaseLock(folder: string, content: string): Promise<void> {
  const path = join(folder, LOCK_FILE);
  if ((await readFile(path, 'utf8').catch(() => '')) === content) await rm(path, { force: true });
}

function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
