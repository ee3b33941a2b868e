import {
  CorruptFileError,
  DimensionMismatchError,
  type LoadedArtifact,
  ManifestInvalidError,
  readArtifact,
} from '@mlsd/core';
import { z } from 'zod';
import type { IdTableJSON } from './id-table.js';
import type { Metadata, Space } from './vector-index.js';

/** Manifest `kind` of a saved index. */
export const INDEX_ARTIFACT_KIND = 'ann-index';
/** Layout version this code writes and the newest it reads. */
export const INDEX_FORMAT_VERSION = 1;

const IndexParamsSchema = z.looseObject({
  /** The backend that opens it (see `registerIndexBackend`): `hnsw`, `exact`, or another. */
  type: z.string().min(1),
  dim: z.number().int().positive(),
  space: z.enum(['l2', 'ip', 'cosine']),
  size: z.number().int().nonnegative(),
  M: z.number().int().positive().optional(),
  efConstruction: z.number().int().positive().optional(),
  ef: z.number().int().positive().optional(),
  seed: z.number().int().nonnegative().optional(),
});

/** The manifest params of a saved index (a backend may keep its own fields beside these). */
export type IndexParams = z.infer<typeof IndexParamsSchema>;

const ItemsSchema = z
  .object({
    labelCount: z.number().int().nonnegative(),
    labels: z.array(z.number().int().nonnegative()),
    ids: z.array(z.string().min(1)),
    metadata: z.array(z.record(z.string(), z.unknown()).nullable()),
  })
  .refine((items) => items.ids.length === items.labels.length, 'ids and labels differ in length')
  .refine(
    (items) => items.metadata.length === items.labels.length,
    'metadata and labels differ in length',
  )
  .refine((items) => new Set(items.ids).size === items.ids.length, 'an id appears twice')
  .refine(
    (items) =>
      items.labels.every(
        (label, i) => label < items.labelCount && (i === 0 || label > items.labels[i - 1]!),
      ),
    'labels must be ascending and below labelCount',
  );

/** What the caller requires of a saved index; a mismatch is an error that says so. */
export interface LoadIndexExpectations {
  /** Required vector length (e.g. the embedding model's output size). */
  dim?: number;
  /** Required distance. */
  space?: Space;
  /** Check the files' sha256 (default true). */
  verify?: boolean;
}

/**
 * Opens a saved index folder: manifest, checksums, params, and the caller's expectations.
 * @throws ManifestInvalidError for another kind, bad params or another space than expected.
 * @throws DimensionMismatchError for another dimension than expected.
 */
export async function openIndexArtifact(
  dir: string,
  expect: LoadIndexExpectations,
): Promise<{ artifact: LoadedArtifact; params: IndexParams }> {
  const artifact = await readArtifact(dir, {
    kind: INDEX_ARTIFACT_KIND,
    formatVersion: INDEX_FORMAT_VERSION,
    ...(expect.verify === undefined ? {} : { verify: expect.verify }),
  });
  const parsed = IndexParamsSchema.safeParse(artifact.manifest.params);
  if (!parsed.success) {
    throw new ManifestInvalidError(
      `${artifact.dir}: manifest params do not describe an index (${parsed.error.issues
        .map((issue) => `${issue.path.join('.')}: ${issue.message}`)
        .join('; ')}). Re-create the index artifact.`,
      { dir: artifact.dir },
    );
  }
  const params = parsed.data;
  if (expect.dim !== undefined && expect.dim !== params.dim) {
    throw new DimensionMismatchError(
      `${artifact.dir} holds ${params.dim}-dimensional vectors but ${expect.dim} were expected. ` +
        'Load the index built with the same embedding model, or rebuild it.',
      { dir: artifact.dir, expected: expect.dim, actual: params.dim },
    );
  }
  if (expect.space !== undefined && expect.space !== params.space) {
    throw new ManifestInvalidError(
      `${artifact.dir} measures '${params.space}' distance but '${expect.space}' was expected; ` +
        'distances and rankings would differ. Rebuild the index in that space.',
      { dir: artifact.dir, expected: expect.space, actual: params.space },
    );
  }
  return { artifact, params };
}

/** Reads and validates the id/metadata table. */
export async function readItems<M extends Metadata>(
  artifact: LoadedArtifact,
  file: string,
): Promise<IdTableJSON<M>> {
  const json = await artifact.readJson(file).catch((error: unknown) => {
    throw new CorruptFileError(
      `${artifact.dir}/${file} is not valid JSON; re-create the index artifact.`,
      { dir: artifact.dir, file },
      { cause: error },
    );
  });
  const parsed = ItemsSchema.safeParse(json);
  if (!parsed.success) {
    throw new CorruptFileError(
      `${artifact.dir}/${file} is not an id table (${parsed.error.issues
        .map((issue) => issue.message)
        .join('; ')}); re-create the index artifact.`,
      { dir: artifact.dir, file },
    );
  }
  return parsed.data as IdTableJSON<M>;
}

/**
 * Checks that the loaded index file agrees with the manifest and the id table.
 * @throws CorruptFileError naming the disagreement.
 */
export function checkLoadedShape(
  dir: string,
  params: IndexParams,
  loaded: { dim: number; labelCount: number; items: IdTableJSON },
): void {
  const problems: string[] = [];
  if (loaded.dim !== params.dim) {
    problems.push(`the index file has dimension ${loaded.dim}, the manifest ${params.dim}`);
  }
  if (loaded.items.ids.length !== params.size) {
    problems.push(`the id table has ${loaded.items.ids.length} ids, the manifest ${params.size}`);
  }
  if (loaded.labelCount !== loaded.items.labelCount) {
    problems.push(
      `the index file holds ${loaded.labelCount} slots, the id table ${loaded.items.labelCount}`,
    );
  }
  if (problems.length > 0) {
    throw new CorruptFileError(
      `${dir} is inconsistent: ${problems.join('; ')}. Re-create the index artifact.`,
      { dir, problems },
    );
  }
}
