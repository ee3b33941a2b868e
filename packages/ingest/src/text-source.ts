import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { InvalidArgumentError, NotFoundError } from '@mlsd/core';

/** Where rows come from: a file path, or chunks of text / UTF-8 bytes (a Readable is one). */
export type TextSource =
  | string
  | AsyncIterable<string | Uint8Array>
  | Iterable<string | Uint8Array>;

/** Chunk size for files: large enough to amortise per-chunk work, small enough to stay bounded. */
const FILE_CHUNK_BYTES = 1 << 20;

/**
 * Yields the source as text chunks, decoding UTF-8 so that a character split across two
 * byte chunks comes out whole. Never holds more than one chunk.
 */
export async function* readTextChunks(source: TextSource, name: string): AsyncGenerator<string> {
  let chunks: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>;
  if (typeof source === 'string') {
    await checkFile(source);
    chunks = createReadStream(source, { highWaterMark: FILE_CHUNK_BYTES });
  } else if (
    source !== null &&
    typeof source === 'object' &&
    (Symbol.asyncIterator in source || Symbol.iterator in source)
  ) {
    chunks = source;
  } else {
    throw new InvalidArgumentError(
      `${name}: expected a file path or an iterable of text/byte chunks.`,
    );
  }
  const decoder = new StringDecoder('utf8');
  for await (const chunk of chunks) {
    const text =
      typeof chunk === 'string'
        ? chunk
        : decoder.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    if (text.length > 0) yield text;
  }
  const rest = decoder.end();
  if (rest.length > 0) yield rest;
}

async function checkFile(path: string): Promise<void> {
  try {
    const info = await stat(path);
    if (info.isDirectory())
      throw new InvalidArgumentError(`${path} is a folder, not a file.`, { file: path });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new NotFoundError(`Input file ${path} does not exist.`, { file: path });
    }
    throw error;
  }
}

/**
 * Yields the source's lines (without the line break; a trailing `\r` is removed, a leading BOM
 * dropped), holding one chunk at a time. An empty last line after a final break is not yielded.
 */
export async function* readTextLines(source: TextSource, name: string): AsyncGenerator<string> {
  let pending = '';
  let first = true;
  for await (let chunk of readTextChunks(source, name)) {
    if (first) {
      first = false;
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
    }
    const text = pending + chunk;
    let start = 0;
    let newline = text.indexOf('\n');
    while (newline !== -1) {
      const end = newline > start && text.charCodeAt(newline - 1) === 13 ? newline - 1 : newline;
      yield text.slice(start, end);
      start = newline + 1;
      newline = text.indexOf('\n', start);
    }
    pending = text.slice(start);
  }
  if (pending.length > 0) yield pending.endsWith('\r') ? pending.slice(0, -1) : pending;
}
