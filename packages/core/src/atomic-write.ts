/**
 * Atomic file writes: a reader sees either the old file or the complete new one, never a
 * half-written file, even if the process dies mid-write.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { InvalidArgumentError } from './errors.js';

/**
 * Writes `data` to `path` atomically: the bytes go to a uniquely named temp file in the same
 * folder (so the final rename stays on one file system), the temp file is fsynced, renamed over
 * `path`, and the folder is fsynced so the rename itself survives a power cut. Missing parent
 * folders are created. On failure the temp file is removed, the error rethrown, and an existing
 * `path` is left untouched. Strings are written as UTF-8.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const folder = dirname(path);
  await mkdir(folder, { recursive: true });
  const tempPath = join(folder, tempName(basename(path)));
  try {
    // 'wx' fails instead of clobbering if the "unique" name somehow exists.
    const handle = await open(tempPath, 'wx');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tempPath, path);
  } catch (error) {
    await unlink(tempPath).catch(() => undefined);
    throw error;
  }
  await syncFolder(folder);
}

/** Options of {@link writeJsonAtomic}. */
export interface WriteJsonOptions {
  /** Spaces per indentation level; 0 writes one line. Default 2. */
  indent?: number;
}

/**
 * Serialises `value` as JSON (with a trailing newline) and writes it with
 * {@link writeFileAtomic}. Values JSON cannot represent (BigInt, cycles, a bare `undefined`)
 * throw {@link InvalidArgumentError} before anything is written.
 */
export async function writeJsonAtomic(
  path: string,
  value: unknown,
  options: WriteJsonOptions = {},
): Promise<void> {
  const indent = options.indent ?? 2;
  if (!Number.isInteger(indent) || indent < 0 || indent > 10) {
    throw new InvalidArgumentError(
      `writeJsonAtomic(${path}): indent must be an integer from 0 to 10, got ${indent}.`,
      { path, indent },
    );
  }
  let text: string | undefined;
  try {
    text = JSON.stringify(value, null, indent);
  } catch (error) {
    throw new InvalidArgumentError(
      `Cannot write ${path} as JSON: ${(error as Error).message}. Convert BigInt values to ` +
        'numbers or strings and remove circular references first.',
      { path },
      { cause: error },
    );
  }
  if (text === undefined) {
    throw new InvalidArgumentError(
      `Cannot write ${path} as JSON: the value is ${typeof value}, which JSON cannot represent.`,
      { path, type: typeof value },
    );
  }
  await writeFileAtomic(path, `${text}\n`);
}

/** A hidden sibling name unique across processes and concurrent calls. */
function tempName(target: string): string {
  return `.${target}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
}

/**
 * fsyncs a folder so a rename inside it is durable. Best effort: some platforms (Windows) and
 * file systems refuse to open or sync a folder, and the data itself is already synced.
 */
export async function syncFolder(folder: string): Promise<void> {
  try {
    const handle = await open(folder, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Durability of the rename is a bonus here, not a requirement.
  }
}
