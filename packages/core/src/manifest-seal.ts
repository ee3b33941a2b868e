/**
 * The seal of an artifact's `manifest.json`: the manifest records every other file's sha256,
 * and the seal protects the manifest itself, so an edited threshold or file list is refused
 * rather than served.
 *
 * - `manifest.sha256` (always): `<hex>  manifest.json`, the format `sha256sum -c` checks. It
 *   catches an edit by hand, a damaged copy, a manifest swapped for another file. It cannot stop
 *   someone who can write the folder on purpose: they can recompute it.
 * - `manifest.hmac` (when `MLSD_ARTIFACT_KEY` is set at write time): HMAC-SHA256 of the manifest
 *   bytes under that key. When the key is set at read time the HMAC is required, so only a
 *   holder of the key can produce an artifact the reader accepts.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-write.js';
import { InvalidArgumentError, ManifestInvalidError } from './errors.js';

/** File name of the manifest's checksum. */
export const MANIFEST_CHECKSUM_NAME = 'manifest.sha256';
/** File name of the manifest's HMAC (written when a key is set). */
export const MANIFEST_HMAC_NAME = 'manifest.hmac';
/** Environment variable holding the key that signs and verifies manifests. */
export const ARTIFACT_KEY_ENV = 'MLSD_ARTIFACT_KEY';

const MIN_KEY_LENGTH = 32;
const HEX_64 = /^[0-9a-f]{64}$/;

/** The signing key from the environment, or undefined when none is set. */
function artifactKey(): Buffer | undefined {
  const raw = process.env[ARTIFACT_KEY_ENV];
  if (raw === undefined || raw === '') return undefined;
  if (raw.length < MIN_KEY_LENGTH) {
    throw new InvalidArgumentError(
      `${ARTIFACT_KEY_ENV} has ${raw.length} characters; a key that signs artifacts needs at least ${MIN_KEY_LENGTH} characters (e.g. \`openssl rand -hex 32\`).`,
      { variable: ARTIFACT_KEY_ENV },
    );
  }
  return Buffer.from(raw, 'utf8');
}

/**
 * True when `MLSD_ARTIFACT_KEY` is set (artifacts are then signed and must be signed).
 * @throws InvalidArgumentError when it is set but too short.
 */
export function hasArtifactKey(): boolean {
  return artifactKey() !== undefined;
}

function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function hmacHex(key: Buffer, bytes: Uint8Array): string {
  return createHmac('sha256', key).update(bytes).digest('hex');
}

/**
 * Writes the seal files of `manifestBytes` into `folder`: the checksum always, the HMAC when
 * `MLSD_ARTIFACT_KEY` is set (a stale HMAC from an earlier key is not left behind by callers
 * that write into a fresh folder).
 * @throws InvalidArgumentError when the key is set but too short.
 */
export async function writeManifestSeal(folder: string, manifestBytes: Uint8Array): Promise<void> {
  const key = artifactKey();
  await writeFileAtomic(
    join(folder, MANIFEST_CHECKSUM_NAME),
    `${sha256Hex(manifestBytes)}  manifest.json\n`,
  );
  if (key !== undefined) {
    await writeFileAtomic(
      join(folder, MANIFEST_HMAC_NAME),
      `hmac-sha256 ${hmacHex(key, manifestBytes)}\n`,
    );
  }
}

/** Reads a small seal file; undefined when it does not exist. */
async function readSealFile(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Checks `manifestBytes` against the seal files in `folder`: the checksum must be there and
 * match; with `MLSD_ARTIFACT_KEY` set, the HMAC must be there and match too. Messages never
 * quote the files' contents.
 * @throws ManifestInvalidError naming the folder and what to do.
 */
export async function verifyManifestSeal(folder: string, manifestBytes: Uint8Array): Promise<void> {
  const key = artifactKey();
  const remedy =
    'Re-create the artifact with the command that wrote it; if you edited manifest.json on purpose, seal it again with sealArtifactManifest() from @mlsd/core.';
  const checksum = await readSealFile(join(folder, MANIFEST_CHECKSUM_NAME));
  if (checksum === undefined) {
    throw new ManifestInvalidError(
      `${folder} has no ${MANIFEST_CHECKSUM_NAME}, so its manifest.json cannot be trusted (it was written by an older mlsd, or the checksum was removed). ${remedy}`,
      { dir: folder, file: MANIFEST_CHECKSUM_NAME },
    );
  }
  const recorded = checksum.trim().split(/\s+/)[0] ?? '';
  if (!HEX_64.test(recorded) || recorded !== sha256Hex(manifestBytes)) {
    throw new ManifestInvalidError(
      `${join(folder, 'manifest.json')} was changed after it was written: its sha256 differs from ${MANIFEST_CHECKSUM_NAME}. ${remedy}`,
      { dir: folder, file: 'manifest.json' },
    );
  }
  if (key === undefined) return;
  const signature = await readSealFile(join(folder, MANIFEST_HMAC_NAME));
  if (signature === undefined) {
    throw new ManifestInvalidError(
      `${folder} is not signed (no ${MANIFEST_HMAC_NAME}), and ${ARTIFACT_KEY_ENV} is set, so only signed artifacts are accepted. Re-create the artifact with ${ARTIFACT_KEY_ENV} set to the same key.`,
      { dir: folder, file: MANIFEST_HMAC_NAME },
    );
  }
  const match = /^hmac-sha256 ([0-9a-f]{64})\s*$/.exec(signature);
  const expected = Buffer.from(hmacHex(key, manifestBytes), 'hex');
  if (match === null || !timingSafeEqual(Buffer.from(match[1]!, 'hex'), expected)) {
    throw new ManifestInvalidError(
      `${folder}: the signature in ${MANIFEST_HMAC_NAME} does not match manifest.json under the key in ${ARTIFACT_KEY_ENV} (the manifest was edited, or signed with another key). Re-create the artifact with the right key.`,
      { dir: folder, file: MANIFEST_HMAC_NAME },
    );
  }
}
