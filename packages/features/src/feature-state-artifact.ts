import { type Manifest, readArtifact, writeArtifact } from '@mlsd/core';
import { OnlineFeatureState } from './online-features.js';

/** Artifact kind of a saved online feature state. */
export const FEATURE_STATE_KIND = 'feature-state';
/** Layout version this code writes and reads. */
export const FEATURE_STATE_FORMAT_VERSION = 1;
/** File inside the artifact that holds the state. */
export const FEATURE_STATE_FILE = 'feature-state.json';

/** What {@link writeFeatureState} records beside the state. */
export interface WriteFeatureStateOptions {
  /** Free text for people. */
  description?: string;
  /** Figures to keep with it (e.g. the number of transactions replayed). */
  metrics?: Record<string, unknown>;
}

/**
 * Saves an online feature state as an artifact folder (`manifest.json` + `feature-state.json`),
 * atomically; the manifest's params hold the feature names and spec.
 * @returns the manifest written.
 */
export async function writeFeatureState(
  dir: string,
  state: OnlineFeatureState,
  options: WriteFeatureStateOptions = {},
): Promise<Manifest> {
  const snapshot = state.toJSON();
  return writeArtifact(dir, {
    kind: FEATURE_STATE_KIND,
    formatVersion: FEATURE_STATE_FORMAT_VERSION,
    params: { names: [...state.names], spec: snapshot.spec },
    metrics: { ...state.stats(), ...options.metrics },
    ...(options.description === undefined ? {} : { description: options.description }),
    files: { [FEATURE_STATE_FILE]: JSON.stringify(snapshot) },
  });
}

/**
 * Loads a state saved by {@link writeFeatureState}, checking the manifest and checksums.
 * @throws NotFoundError, ManifestInvalidError or ChecksumMismatchError from `readArtifact`;
 *   InvalidArgumentError when the state file is not a valid snapshot.
 */
export async function readFeatureState(dir: string): Promise<OnlineFeatureState> {
  const artifact = await readArtifact(dir, {
    kind: FEATURE_STATE_KIND,
    formatVersion: FEATURE_STATE_FORMAT_VERSION,
  });
  return OnlineFeatureState.fromJSON(await artifact.readJson(FEATURE_STATE_FILE));
}
