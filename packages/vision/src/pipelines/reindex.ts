import { resolve } from 'node:path';
import { decodeImage } from '../decode-image.js';
import type { ImageEmbedder } from '../embedding/image-embedder.js';
import { type SkippedImage, skipCodeOf } from '../image-folder.js';
import { copyUploads, readImageSource } from '../image-source.js';
import { imageSize } from '../image-spec.js';
import type { ImageMetadata } from '../search/image-search.js';
import { ImageSearch } from '../search/image-search.js';
import { LiveCatalogue } from '../search/live-catalogue.js';

/** Options of {@link reindexCatalogue}. */
export interface ReindexOptions {
  /** Images decoded and embedded together; default 32. */
  batchSize?: number;
  /** Called with the number of images done and the total. */
  onProgress?: (done: number, total: number) => void;
}

/** What {@link reindexCatalogue} did. */
export interface ReindexReport {
  out: string;
  /** Images re-embedded into the new index. */
  reindexed: number;
  /** Images whose source could not be read or decoded, with the reason. */
  skipped: SkippedImage[];
  dim: number;
  /** Version of the old and the new embedder. */
  from: string;
  to: string;
  seconds: number;
}

/**
 * Re-embeds a catalogue for a new model: every image is read back from its source (its file, an
 * upload kept by the live catalogue, or a Fashion-MNIST image), embedded with `embedder`, and
 * indexed with the same ids and metadata into a new index at `out` (the old one is untouched,
 * so queries keep working until you switch). Images whose source is gone are reported.
 */
export async function reindexCatalogue(
  from: string,
  embedder: ImageEmbedder,
  out: string,
  options: ReindexOptions = {},
): Promise<ReindexReport> {
  const started = performance.now();
  const dir = resolve(from);
  const old = await LiveCatalogue.read(dir);
  const ids = [...old.ids()];
  const size = imageSize(embedder.spec);
  const batchSize = options.batchSize ?? 32;
  const search = ImageSearch.create(embedder, {
    capacity: ids.length,
    decodeLimits: old.decodeLimits,
  });
  const skipped: SkippedImage[] = [];
  const pixels = new Float32Array(batchSize * size);
  for (let start = 0; start < ids.length; start += batchSize) {
    const batchIds: string[] = [];
    const batchMetadata: (ImageMetadata | undefined)[] = [];
    for (const id of ids.slice(start, start + batchSize)) {
      const metadata = old.index.getMetadata(id);
      const source = metadata?.source;
      if (typeof source !== 'string') {
        skipped.push({
          file: id,
          code: 'NOT_FOUND',
          reason: 'no source recorded to read it back from',
        });
        continue;
      }
      try {
        const image = await readImageSource(source, { catalogueDir: dir });
        await decodeImage(image.bytes, embedder.spec, {
          out: pixels.subarray(batchIds.length * size, (batchIds.length + 1) * size),
          name: source,
          ...search.decodeLimits,
        });
      } catch (error) {
        const code = skipCodeOf(error);
        if (code === undefined) throw error;
        skipped.push({ file: id, code, reason: (error as Error).message });
        continue;
      }
      batchIds.push(id);
      batchMetadata.push(metadata);
    }
    if (batchIds.length > 0) {
      const vectors = await embedder.embed(
        pixels.subarray(0, batchIds.length * size),
        batchIds.length,
      );
      search.addEmbeddings(batchIds, vectors, batchMetadata);
    }
    options.onProgress?.(Math.min(start + batchSize, ids.length), ids.length);
  }
  await search.save(out, {
    params: { reindexedFrom: old.embedderVersion },
    write: (staging) =>
      copyUploads(
        [...search.ids()].map((id) => search.index.getMetadata(id)?.source),
        dir,
        staging,
      ),
  });
  return {
    out: resolve(out),
    reindexed: search.size,
    skipped,
    dim: embedder.dim,
    from: old.embedderVersion,
    to: embedder.info.version,
    seconds: (performance.now() - started) / 1000,
  };
}
