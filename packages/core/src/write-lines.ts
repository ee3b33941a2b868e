import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Text gathered before it is handed to the stream (characters ≈ bytes here). */
const CHUNK_CHARS = 1 << 17;

/**
 * Streams `header` (when given) and `line(row)` for rows 0 … rows − 1, one per line, into a
 * temporary file beside `path`, then renames it over `path`: readers never see a half-written
 * file, and memory stays at one chunk whatever the row count. Waits for the stream to drain
 * instead of buffering, and removes the temporary file on any error.
 * @param onProgress - called now and then with the rows written so far, and once at the end.
 */
export async function writeLinesAtomic(
  path: string,
  rows: number,
  line: (row: number) => string,
  options: { header?: string; onProgress?: (rowsWritten: number) => void } = {},
): Promise<void> {
  const folder = dirname(path);
  await mkdir(folder, { recursive: true });
  const temp = join(folder, `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  const stream = createWriteStream(temp, { encoding: 'utf8', flags: 'wx' });
  const failed = new Promise<never>((_, reject) => stream.once('error', reject));
  failed.catch(() => {});
  try {
    let buffer = options.header === undefined ? '' : `${options.header}\n`;
    for (let row = 0; row < rows; row++) {
      buffer += `${line(row)}\n`;
      if (buffer.length >= CHUNK_CHARS) {
        if (!stream.write(buffer)) {
          await Promise.race([
            new Promise<void>((resolve) => stream.once('drain', () => resolve())),
            failed,
          ]);
        }
        buffer = '';
        options.onProgress?.(row + 1);
      }
    }
    await Promise.race([
      new Promise<void>((resolve, reject) =>
        stream.end(buffer, (error?: Error | null) => (error ? reject(error) : resolve())),
      ),
      failed,
    ]);
    await rename(temp, path);
    options.onProgress?.(rows);
  } catch (error) {
    stream.destroy();
    await rm(temp, { force: true });
    throw error;
  }
}
