import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { isMlsdError } from '@mlsd/core';

/**
 * The version of an artifact folder: the first 12 hex digits of the sha256 of its
 * `manifest.json`. The manifest records every file's sha256, so two folders share a version
 * exactly when they hold the same bytes; a retrained model gets a new one.
 */
export async function artifactVersion(dir: string): Promise<string> {
  const manifest = await readFile(join(dir, 'manifest.json'));
  return createHash('sha256').update(manifest).digest('hex').slice(0, 12);
}

/**
 * Runs `load` on an artifact folder and, when it fails with one of our typed errors, prefixes
 * the message with what was being loaded and what to do, keeping the error's class and code
 * (a missing folder stays a NotFoundError, a tampered file a ChecksumMismatchError).
 * @param what - e.g. `'fraud model'`.
 * @param hint - how to make a good artifact, e.g. `'run `mlsd fraud train --out <dir>`'`.
 */
export async function loadArtifact<T>(
  what: string,
  dir: string,
  hint: string,
  load: (dir: string) => Promise<T>,
): Promise<{ value: T; version: string; dir: string }> {
  const absolute = resolve(dir);
  try {
    const value = await load(absolute);
    return { value, version: await artifactVersion(absolute), dir: absolute };
  } catch (error) {
    if (isMlsdError(error)) {
      error.message = `Cannot load the ${what} from ${absolute}: ${error.message} (${hint}.)`;
    }
    throw error;
  }
}
