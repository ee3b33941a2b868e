import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readArtifact, writeArtifact } from '@mlsd/core';
import type { EmbedderLoader } from './embedder-registry.js';
import type { EmbedderInfo, ImageEmbedder } from './image-embedder.js';

/** Artifact kind of {@link saveEmbedder}: any embedder's files plus its {@link EmbedderInfo}. */
export const SAVED_EMBEDDER_KIND = 'saved-embedder';
const FORMAT_VERSION = 1;
const FILES = 'embedder';

/** What {@link saveEmbedder} records beside the embedder's files. */
export interface SaveEmbedderArtifactOptions {
  params?: Record<string, unknown>;
  metrics?: Record<string, unknown>;
  description?: string;
}

/**
 * Saves any embedder as a checksummed artifact folder (its `saveTo` files and its info), which
 * `loadImageEmbedder` loads again, checking the version. Atomic.
 */
export async function saveEmbedder(
  dir: string,
  embedder: ImageEmbedder,
  options: SaveEmbedderArtifactOptions = {},
): Promise<void> {
  await writeArtifact(dir, {
    kind: SAVED_EMBEDDER_KIND,
    formatVersion: FORMAT_VERSION,
    params: { ...(options.params ?? {}), embedder: embedder.info },
    metrics: options.metrics ?? {},
    ...(options.description === undefined ? {} : { description: options.description }),
    write: async (staging) => {
      // In a subfolder: an embedder's own files may include a manifest.json.
      await mkdir(join(staging, FILES), { recursive: true });
      await embedder.saveTo(join(staging, FILES));
    },
  });
}

/** The `'saved'` kind: folders written by {@link saveEmbedder}. */
export const SAVED_EMBEDDER_LOADER: EmbedderLoader = {
  kind: 'saved',
  description: 'an embedder saved by mlsd (manifest.json of kind saved-embedder)',
  async detect(path) {
    const manifest = await readFile(join(path, 'manifest.json'), 'utf8').catch(() => undefined);
    return manifest?.includes(`"${SAVED_EMBEDDER_KIND}"`) === true;
  },
  async load(path, _options, context) {
    const artifact = await readArtifact(path, {
      kind: SAVED_EMBEDDER_KIND,
      formatVersion: FORMAT_VERSION,
    });
    return context.reload(
      join(artifact.dir, FILES),
      artifact.manifest.params.embedder as EmbedderInfo,
    );
  },
};
