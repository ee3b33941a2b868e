import { InvalidArgumentError } from '@mlsd/core';
import type { SkippedImage } from '../image-folder.js';
import type { ImageMetadata } from '../search/image-search.js';
import type { LiveCatalogue } from '../search/live-catalogue.js';
import { type EmbedFolderOptions, embedImageFolder } from './index-folder.js';

/** What {@link addImageFolder} did. */
export interface FolderAdded {
  added: number;
  /** Files that could not be used, and ids already in the catalogue (`DUPLICATE_ID`). */
  skipped: SkippedImage[];
  /** Images in the catalogue afterwards. */
  total: number;
}

/**
 * Adds a folder's images to a catalogue, embedded with the catalogue's own model (ids are
 * relative paths, labels the folder names), then writes one snapshot atomically. Ids the
 * catalogue holds already are skipped with `DUPLICATE_ID`.
 */
export async function addImageFolder(
  catalogue: LiveCatalogue,
  dir: string,
  options: EmbedFolderOptions = {},
): Promise<FolderAdded> {
  const search = catalogue.search;
  const folder = await embedImageFolder(dir, search.embedder, options);
  const skipped = [...folder.skipped];
  const dim = search.embedder.dim;
  const ids: string[] = [];
  const metadata: ImageMetadata[] = [];
  const vectors = new Float32Array(folder.ids.length * dim);
  folder.ids.forEach((id, row) => {
    if (search.has(id)) {
      skipped.push({
        file: id,
        code: 'DUPLICATE_ID',
        reason: `id "${id}" is already in the catalogue; remove it first`,
      });
      return;
    }
    vectors.set(folder.vectors.subarray(row * dim, (row + 1) * dim), ids.length * dim);
    ids.push(id);
    metadata.push(folder.metadata[row]!);
  });
  if (ids.length > 0) {
    search.addEmbeddings(ids, vectors.subarray(0, ids.length * dim), metadata);
    await catalogue.compact();
  }
  return { added: ids.length, skipped, total: search.size };
}

/**
 * Removes images by id and writes one snapshot atomically; nothing is removed unless every id
 * is in the catalogue.
 * @throws InvalidArgumentError naming the ids the catalogue does not hold.
 */
export async function removeImages(
  catalogue: LiveCatalogue,
  ids: readonly string[],
): Promise<{ removed: number; total: number }> {
  const search = catalogue.search;
  const missing = ids.filter((id) => !search.has(id));
  if (missing.length > 0) {
    throw new InvalidArgumentError(
      `Not in the index: ${missing.join(', ')}; nothing was removed.`,
      {
        missing,
      },
    );
  }
  for (const id of ids) search.remove(id);
  await catalogue.compact();
  return { removed: ids.length, total: search.size };
}
