import { join, resolve } from 'node:path';
import { InvalidDataError, Rng } from '@mlsd/core';
import { pickDecodeLimits } from '../decode-limits.js';
import type { ImageEmbedder } from '../embedding/image-embedder.js';
import type { FolderCounts, SkippedImage } from '../image-folder.js';
import { evaluateImageSearch, type SearchEvaluation } from '../search/evaluate-search.js';
import { ImageSearch } from '../search/image-search.js';
import { type EmbeddedFolder, type EmbedFolderOptions, embedImageFolder } from './index-folder.js';

/** Options of {@link evaluateImageFolder}. */
export interface EvaluateFolderOptions extends EmbedFolderOptions {
  /** Results per query; default 10. */
  k?: number;
  /** Labelled images used as queries (a seeded sample); default all of them. */
  queries?: number;
  /** Seed of the query sample; default 0. */
  seed?: number;
  /** Called with the number of queries done. */
  onQuery?: (done: number, total: number) => void;
  /** The folder already embedded with this embedder (`embedImageFolder`), to skip doing it again. */
  embedded?: EmbeddedFolder;
}

/** What {@link evaluateImageFolder} measured, with the folder's account. */
export interface FolderEvaluation extends SearchEvaluation {
  /** Images indexed (labelled or not). */
  catalogue: number;
  /** Distinct labels (sub-folder names) among the queries. */
  labels: number;
  dim: number;
  /** The embedder's version. */
  embedder: string;
  counts: FolderCounts;
  skipped: SkippedImage[];
}

/**
 * Evaluates an embedder on the user's own labelled folder (one sub-folder per label): every
 * image is indexed, then each labelled image (or a seeded sample of `queries`) is read from its
 * file, decoded, embedded and searched like a service query, leaving itself out of its results.
 * Reports precision@k and mAP@k by label, the HNSW index's recall@k against exact search on the
 * same vectors, and end-to-end latency p50/p99.
 * @throws InvalidDataError when fewer than two labels have images.
 */
export async function evaluateImageFolder(
  dir: string,
  embedder: ImageEmbedder,
  options: EvaluateFolderOptions = {},
): Promise<FolderEvaluation> {
  const root = resolve(dir);
  const folder = options.embedded ?? (await embedImageFolder(root, embedder, options));
  const labelled = folder.ids
    .map((id, i) => ({ id, label: folder.metadata[i]!.label }))
    .filter((entry): entry is { id: string; label: string } => typeof entry.label === 'string');
  const labels = new Set(labelled.map((entry) => entry.label));
  if (labels.size < 2) {
    throw new InvalidDataError(
      `${root} has ${labels.size} labelled sub-folder(s) with images; put each label's images in its own sub-folder (at least two), e.g. shoes/…, bags/….`,
      { dir: root, labels: labels.size },
    );
  }
  let chosen = labelled;
  if (options.queries !== undefined && options.queries < labelled.length) {
    const sample = new Rng(options.seed ?? 0).sample(labelled.length, options.queries);
    chosen = Array.from(sample)
      .sort((a, b) => a - b)
      .map((i) => labelled[i]!);
  }
  const search = ImageSearch.create(embedder, {
    capacity: folder.ids.length,
    decodeLimits: pickDecodeLimits(options),
  });
  search.addEmbeddings(folder.ids, folder.vectors, folder.metadata);
  const result = await evaluateImageSearch(
    search,
    {
      images: chosen.map((entry) => join(root, entry.id)),
      labels: chosen.map((entry) => entry.label),
      selfIds: chosen.map((entry) => entry.id),
    },
    {
      k: options.k ?? 10,
      exact: { vectors: folder.vectors, ids: folder.ids },
      onProgress: (done) => options.onQuery?.(done, chosen.length),
    },
  );
  return {
    ...result,
    catalogue: folder.ids.length,
    labels: new Set(chosen.map((entry) => entry.label)).size,
    dim: embedder.dim,
    embedder: embedder.info.version,
    counts: folder.counts,
    skipped: folder.skipped,
  };
}
