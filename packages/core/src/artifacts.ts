/**
 * Artifacts: folders holding a `manifest.json` beside the files it lists (model weights, an
 * index, feature state). The manifest records what the folder is (kind + format version), how it
 * was made (params, metrics) and the size and sha256 of every file, so a reader can tell a
 * complete, untouched artifact from a partial copy or the wrong folder.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Dirent } from 'node:fs';
import {
  lstat,
  mkdir,
  open,
  readdir,
  readFile,
  realpath,
  rename,
  rm,
  rmdir,
  stat,
  unlink,
} from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { z } from 'zod';
import { syncFolder, writeFileAtomic } from './atomic-write.js';
import {
  ChecksumMismatchError,
  CorruptFileError,
  InvalidArgumentError,
  ManifestInvalidError,
  NotFoundError,
} from './errors.js';
import { logWarn } from './log.js';
import {
  hasArtifactKey,
  MANIFEST_CHECKSUM_NAME,
  MANIFEST_HMAC_NAME,
  verifyManifestSeal,
  writeManifestSeal,
} from './manifest-seal.js';
import { describeWithNearest } from './nearest-name.js';
import { formatZodError } from './options.js';

const MANIFEST_NAME = 'manifest.json';
/** Names at the top of an artifact folder that writeArtifact writes itself. */
const RESERVED_NAMES: ReadonlySet<string> = new Set([
  MANIFEST_NAME,
  MANIFEST_CHECKSUM_NAME,
  MANIFEST_HMAC_NAME,
]);
/** Larger than any real manifest (a 100,000-file artifact lists ~15 MB); refuses huge files. */
const MAX_MANIFEST_BYTES = 64 * 1024 * 1024;

/**
 * True for a relative POSIX path that stays inside its folder: no leading `/`, no drive letter,
 * no backslash, no empty, `.` or `..` segment.
 */
function isSafeRelativePath(path: string): boolean {
  if (path.length === 0 || path.startsWith('/') || path.includes('\\') || path.includes('\0')) {
    return false;
  }
  if (/^[a-zA-Z]:/.test(path)) return false;
  return path.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..');
}

const RelativePathSchema = z.string().refine(isSafeRelativePath, {
  message: 'must be a relative POSIX path inside the artifact folder (no "..", no leading "/")',
});

const ManifestFileSchema = z.object({
  /** Path relative to the artifact folder, `/`-separated. */
  path: RelativePathSchema,
  /** Size in bytes. */
  bytes: z.number().int().nonnegative(),
  /** Lowercase hex SHA-256 of the file's bytes. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits'),
});

/** zod schema of `manifest.json`. */
export const ManifestSchema = z
  .object({
    /** What the artifact is, e.g. `'fraud-model'` or `'ann-index'`. */
    kind: z.string().min(1),
    /** Layout version of this kind; readers refuse versions newer than they know. */
    formatVersion: z.number().int().positive(),
    /** ISO 8601 time the artifact was written. */
    created: z.iso.datetime({ offset: true }),
    /** Free text for people. */
    description: z.string().optional(),
    /** Parameters the artifact was built with. */
    params: z.record(z.string(), z.unknown()),
    /** Figures measured when it was built (e.g. validation AUC). */
    metrics: z.record(z.string(), z.unknown()),
    /** Every file of the artifact except manifest.json itself. */
    files: z.array(ManifestFileSchema),
  })
  .superRefine((manifest, ctx) => {
    const seen = new Set<string>();
    manifest.files.forEach((file, index) => {
      if (RESERVED_NAMES.has(file.path)) {
        ctx.addIssue({
          code: 'custom',
          path: ['files', index, 'path'],
          message: `must not be ${file.path} itself`,
        });
      }
      if (seen.has(file.path)) {
        ctx.addIssue({
          code: 'custom',
          path: ['files', index, 'path'],
          message: 'lists the same path twice',
        });
      }
      seen.add(file.path);
    });
  });

/** Parsed content of an artifact's `manifest.json`. */
export type Manifest = z.infer<typeof ManifestSchema>;
/** One file entry of a {@link Manifest}. */
export type ManifestFile = z.infer<typeof ManifestFileSchema>;

/** What {@link writeArtifact} puts in the folder. */
export interface WriteArtifactOptions {
  /** What the artifact is, e.g. `'fraud-model'`; readers check it. */
  kind: string;
  /** Layout version of this kind (positive integer). */
  formatVersion: number;
  /** Parameters it was built with (JSON-serialisable). */
  params?: Record<string, unknown>;
  /** Figures measured when it was built (JSON-serialisable). */
  metrics?: Record<string, unknown>;
  /** Free text for people. */
  description?: string;
  /** Small in-memory files by relative POSIX path (`'weights/layer1.bin'`); strings as UTF-8. */
  files?: Record<string, string | Uint8Array>;
  /**
   * Writes larger files straight into the staging folder (e.g. a library saving its own index
   * file). Everything it leaves there, subfolders included, becomes part of the artifact.
   */
  write?: (stagingDir: string) => Promise<void>;
}

/**
 * Writes an artifact folder at `dir` atomically: the files and the manifest are built in a
 * staging folder beside `dir`, then renamed into place, so readers never see a half-written
 * artifact. An existing artifact at `dir` is replaced (moved aside, swapped, then deleted; put
 * back if the swap fails). A folder at `dir` that is not an artifact and not empty is refused
 * with {@link InvalidArgumentError} so no one loses their own files. On any error the staging
 * folder is removed and `dir` is left as it was.
 * @returns the manifest that was written.
 */
export async function writeArtifact(dir: string, options: WriteArtifactOptions): Promise<Manifest> {
  validateWriteOptions(dir, options);
  const target = resolve(dir);
  const parent = dirname(target);
  const existing = await inspectTarget(target);
  await mkdir(parent, { recursive: true });

  const staging = join(parent, `.${basename(target)}.staging-${uniqueSuffix()}`);
  await mkdir(staging);
  try {
    for (const [name, data] of Object.entries(options.files ?? {})) {
      const path = join(staging, name);
      await mkdir(dirname(path), { recursive: true });
      // The hashing pass below fsyncs every file, so a plain write is enough here.
      const handle = await open(path, 'wx');
      try {
        await handle.writeFile(data);
      } finally {
        await handle.close();
      }
    }
    if (options.write) await options.write(staging);

    const files: ManifestFile[] = [];
    for (const path of await listFiles(staging)) {
      if (RESERVED_NAMES.has(path)) {
        throw new InvalidArgumentError(
          `writeArtifact(${dir}): ${path} is written by writeArtifact itself; ` +
            'store your own metadata in params, metrics or another file name.',
          { dir },
        );
      }
      files.push({ path, ...(await hashFile(join(staging, path), true)) });
    }
    const manifest: Manifest = {
      kind: options.kind,
      formatVersion: options.formatVersion,
      created: new Date().toISOString(),
      ...(options.description === undefined ? {} : { description: options.description }),
      params: options.params ?? {},
      metrics: options.metrics ?? {},
      files,
    };
    const manifestBytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8');
    await writeFileAtomic(join(staging, MANIFEST_NAME), manifestBytes);
    await writeManifestSeal(staging, manifestBytes);
    await syncFolder(staging);
    await swapIntoPlace(staging, target, existing);
    await syncFolder(parent);
    await removeLeftovers(parent, basename(target));
    return manifest;
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}

/** What a loaded artifact offers: its manifest and checked access to its files. */
export interface LoadedArtifact {
  /** Absolute path of the artifact folder. */
  dir: string;
  /** The parsed, validated manifest. */
  manifest: Manifest;
  /** Absolute path of a listed file; {@link NotFoundError} for a name the manifest lacks. */
  path(name: string): string;
  /** Bytes of a listed file. */
  readFile(name: string): Promise<Buffer>;
  /** A listed file as UTF-8 text. */
  readText(name: string): Promise<string>;
  /** A listed file parsed as JSON (unchecked: validate the result yourself). */
  readJson<T = unknown>(name: string): Promise<T>;
}

/** Expectations {@link readArtifact} checks. */
export interface ReadArtifactExpectations {
  /** Required kind, e.g. `'fraud-model'`. */
  kind?: string;
  /** Newest format version the caller understands; newer artifacts are refused. */
  formatVersion?: number;
  /** Check every file's size and sha256 (default true; false skips hashing large files). */
  verify?: boolean;
}

/**
 * Opens the artifact folder `dir`: reads and validates its manifest, checks the kind and format
 * version against `expect`, and (unless `verify === false`) that every listed file exists with
 * the recorded size and sha256.
 * @throws NotFoundError when the folder, its manifest or a listed file is missing.
 * @throws ManifestInvalidError when the manifest is not JSON, breaks the schema, or is of
 * another kind or a newer format version.
 * @throws ChecksumMismatchError when a file's size or sha256 differs from the manifest.
 */
export async function readArtifact(
  dir: string,
  expect: ReadArtifactExpectations = {},
): Promise<LoadedArtifact> {
  const folder = resolve(dir);
  const manifest = await readManifest(folder, expect);

  if (expect.kind !== undefined && manifest.kind !== expect.kind) {
    throw new ManifestInvalidError(
      `${folder} is a '${manifest.kind}' artifact, expected '${expect.kind}'. ` +
        `Pass the folder of a '${expect.kind}' artifact.`,
      { dir: folder, kind: manifest.kind, expectedKind: expect.kind },
    );
  }
  if (expect.formatVersion !== undefined && manifest.formatVersion > expect.formatVersion) {
    throw new ManifestInvalidError(
      `${folder} is a '${manifest.kind}' artifact in format version ${manifest.formatVersion}, ` +
        `but this version of mlsd reads up to version ${expect.formatVersion}. Upgrade mlsd ` +
        'to the release that wrote it, or re-create the artifact with this version.',
      { dir: folder, formatVersion: manifest.formatVersion, supported: expect.formatVersion },
    );
  }
  if (expect.verify !== false) {
    for (const file of manifest.files) await verifyFile(folder, manifest, file);
  }
  return loadedArtifact(folder, manifest);
}

function validateWriteOptions(dir: string, options: WriteArtifactOptions): void {
  hasArtifactKey(); // a key too short is refused before any work
  if (typeof options.kind !== 'string' || options.kind.length === 0) {
    throw new InvalidArgumentError(
      `writeArtifact(${dir}): kind must be a non-empty string such as 'fraud-model'.`,
      { dir, kind: options.kind },
    );
  }
  if (!Number.isInteger(options.formatVersion) || options.formatVersion < 1) {
    throw new InvalidArgumentError(
      `writeArtifact(${dir}): formatVersion must be a positive integer, got ${options.formatVersion}.`,
      { dir, formatVersion: options.formatVersion },
    );
  }
  for (const name of Object.keys(options.files ?? {})) {
    if (!isSafeRelativePath(name)) {
      throw new InvalidArgumentError(
        `writeArtifact(${dir}): file name "${name}" must be a relative POSIX path inside the ` +
          "artifact (like 'weights/w.bin'; no '..', no leading '/', no backslashes).",
        { dir, file: name },
      );
    }
    if (RESERVED_NAMES.has(name)) {
      throw new InvalidArgumentError(
        `writeArtifact(${dir}): ${name} is written by writeArtifact itself; store ` +
          'your own metadata in params, metrics or another file name.',
        { dir, file: name },
      );
    }
  }
}

/** What is at the target path before the swap. */
type TargetState = 'absent' | 'empty-folder' | 'artifact';

async function inspectTarget(target: string): Promise<TargetState> {
  const info = await stat(target).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (info === undefined) return 'absent';
  if (!info.isDirectory()) {
    throw new InvalidArgumentError(
      `Cannot write an artifact to ${target}: it is a file. Choose a folder path (a new one, ` +
        'or an existing artifact to replace).',
      { dir: target },
    );
  }
  const entries = await readdir(target);
  if (entries.includes(MANIFEST_NAME)) return 'artifact';
  if (entries.length === 0) return 'empty-folder';
  throw new InvalidArgumentError(
    `Refusing to write an artifact to ${target}: the folder has ${entries.length} entr` +
      `${entries.length === 1 ? 'y' : 'ies'} and no ${MANIFEST_NAME}, so it is not an artifact ` +
      'and replacing it would delete your files. Choose a new or empty folder.',
    { dir: target, entries: entries.slice(0, 10) },
  );
}

async function swapIntoPlace(
  staging: string,
  target: string,
  existing: TargetState,
): Promise<void> {
  if (existing === 'absent') {
    await rename(staging, target);
    return;
  }
  if (existing === 'empty-folder') {
    // rename() onto an empty folder works on POSIX but not on Windows; removing it first does.
    await rmdir(target);
    await rename(staging, target);
    return;
  }
  const backup = join(dirname(target), `.${basename(target)}.old-${uniqueSuffix()}`);
  await rename(target, backup);
  try {
    await rename(staging, target);
  } catch (error) {
    await rename(backup, target);
    throw error;
  }
  try {
    await rm(backup, { recursive: true, force: true });
  } catch (error) {
    // The new artifact is in place; a leftover backup only costs disk space.
    logWarn('could not remove the previous artifact version', {
      backup,
      error: (error as Error).message,
    });
  }
}

/** Relative POSIX paths of all regular files under `root`, sorted; symlinks are refused. */
async function listFiles(root: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (folder: string, prefix: string): Promise<void> => {
    const entries: Dirent[] = await readdir(folder, { withFileTypes: true });
    for (const entry of entries) {
      const relative = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
      if (entry.isDirectory()) {
        await walk(join(folder, entry.name), relative);
      } else if (entry.isFile()) {
        found.push(relative);
      } else {
        throw new InvalidArgumentError(
          `writeArtifact: "${relative}" in the staging folder is not a regular file (symlink, ` +
            'socket, …); an artifact must hold real files so it can be copied and verified.',
          { file: relative },
        );
      }
    }
  };
  await walk(root, '');
  return found.sort();
}

/**
 * Streams a file through SHA-256 (files can be hundreds of MB) and counts its bytes. With
 * `sync`, also fsyncs it, since the caller is about to publish it.
 */
async function hashFile(path: string, sync: boolean): Promise<{ bytes: number; sha256: string }> {
  const handle = await open(path, 'r');
  try {
    const hash = createHash('sha256');
    let bytes = 0;
    for await (const chunk of handle.createReadStream({ autoClose: false, start: 0 })) {
      const buffer = chunk as Buffer;
      hash.update(buffer);
      bytes += buffer.length;
    }
    if (sync) {
      // Best effort: some platforms refuse fsync on a read-only handle.
      await handle.sync().catch(() => undefined);
    }
    return { bytes, sha256: hash.digest('hex') };
  } finally {
    await handle.close();
  }
}

async function readManifest(folder: string, expect: ReadArtifactExpectations): Promise<Manifest> {
  const what = expect.kind === undefined ? 'an artifact' : `a '${expect.kind}' artifact`;
  const info = await stat(folder).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (info === undefined) {
    throw new NotFoundError(
      `Artifact folder ${folder} does not exist. Check the path, or create ${what} there first.` +
        (await describeBackup(folder)),
      { dir: folder },
    );
  }
  if (!info.isDirectory()) {
    throw new NotFoundError(
      `${folder} is a file, not an artifact folder. Pass the folder that holds ${MANIFEST_NAME}.`,
      { dir: folder },
    );
  }
  const manifestPath = join(folder, MANIFEST_NAME);
  const manifestInfo = await lstat(manifestPath).catch(() => undefined);
  if (manifestInfo === undefined) {
    throw new NotFoundError(
      `${folder} has no ${MANIFEST_NAME}, so it is not ${what} (or it was only partly copied). ` +
        'Pass the artifact folder itself, or re-create the artifact.',
      { dir: folder, file: MANIFEST_NAME },
    );
  }
  const real = await resolveInside(folder, MANIFEST_NAME);
  if (real === undefined) {
    throw new ManifestInvalidError(
      `${manifestPath} is a symbolic link to a file outside the artifact folder; an artifact ` +
        'holds its own files. Replace the link with the real manifest, or re-create the artifact.',
      { dir: folder, file: MANIFEST_NAME },
    );
  }
  const realInfo = await stat(real);
  if (!realInfo.isFile()) {
    throw new ManifestInvalidError(
      `${manifestPath} is not a regular file; re-create the artifact.`,
      { dir: folder, file: MANIFEST_NAME },
    );
  }
  if (realInfo.size > MAX_MANIFEST_BYTES) {
    throw new ManifestInvalidError(
      `${manifestPath} has ${realInfo.size} bytes, more than any manifest (${MAX_MANIFEST_BYTES}); ` +
        'it is not a manifest. Re-create the artifact.',
      { dir: folder, file: MANIFEST_NAME, bytes: realInfo.size },
    );
  }
  // The seal is checked on the bytes before anything parses them: a swapped or edited manifest
  // is refused without its contents reaching a parser or a message.
  const bytes = await readFile(real);
  await verifyManifestSeal(folder, bytes);
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new ManifestInvalidError(
      `${manifestPath} is not valid JSON${jsonErrorPosition(error)}. The file was damaged; ` +
        're-create the artifact.',
      { dir: folder, file: MANIFEST_NAME },
    );
  }
  const parsed = ManifestSchema.safeParse(json);
  if (!parsed.success) {
    throw new ManifestInvalidError(
      `${manifestPath} does not match the manifest schema: ${formatZodError(parsed.error)}. ` +
        'The file was written by an incompatible tool; re-create the artifact.',
      { dir: folder, file: MANIFEST_NAME, issues: parsed.error.issues },
    );
  }
  return parsed.data;
}

/**
 * The real path of `relative` inside `folder`, following symlinks only while they stay inside
 * the folder; undefined when the path leads outside it.
 */
async function resolveInside(folder: string, relative: string): Promise<string | undefined> {
  const root = await realpath(folder);
  const real = await realpath(join(folder, relative));
  return real.startsWith(root + sep) ? real : undefined;
}

/**
 * Where JSON.parse stopped, without its message: Node's messages quote the text around the
 * error, which may be anything a symlink or a swapped file pointed at.
 */
function jsonErrorPosition(error: unknown): string {
  const position = /at position (\d+)/.exec((error as Error).message ?? '');
  return position === null ? '' : ` (syntax error at character ${position[1]})`;
}

/** " A previous version is at …" when a writer stopped between moving `target` aside and back. */
async function describeBackup(target: string): Promise<string> {
  const entries = await readdir(dirname(target)).catch(() => [] as string[]);
  const prefix = `.${basename(target)}.old-`;
  const backup = entries.find((entry) => entry.startsWith(prefix));
  return backup === undefined
    ? ''
    : ` A previous version is at ${join(dirname(target), backup)}: a writer stopped while ` +
        'replacing it. Move that folder back, or write the artifact again.';
}

async function verifyFile(folder: string, manifest: Manifest, file: ManifestFile): Promise<void> {
  const path = join(folder, file.path);
  const info = await stat(path).catch(() => undefined);
  if (info === undefined || !info.isFile()) {
    throw new NotFoundError(
      `${folder} is incomplete: '${file.path}' is listed in ${MANIFEST_NAME} but missing. ` +
        `Copy the whole folder again or re-create the '${manifest.kind}' artifact.`,
      { dir: folder, file: file.path },
    );
  }
  if ((await resolveInside(folder, file.path)) === undefined) {
    throw new CorruptFileError(
      `${folder}: '${file.path}' is a symbolic link to a file outside the artifact folder; an ` +
        `artifact holds its own files. Copy the whole folder again or re-create the '${manifest.kind}' artifact.`,
      { dir: folder, file: file.path },
    );
  }
  const damaged = `Copy the whole folder again or re-create the '${manifest.kind}' artifact.`;
  if (info.size !== file.bytes) {
    throw new ChecksumMismatchError(
      `${folder}: '${file.path}' has ${info.size} bytes but ${MANIFEST_NAME} records ` +
        `${file.bytes} (truncated or modified). ${damaged}`,
      { dir: folder, file: file.path, expectedBytes: file.bytes, actualBytes: info.size },
    );
  }
  const actual = await hashFile(path, false);
  if (actual.bytes !== file.bytes || actual.sha256 !== file.sha256) {
    throw new ChecksumMismatchError(
      `${folder}: '${file.path}' has sha256 ${actual.sha256} but ${MANIFEST_NAME} records ` +
        `${file.sha256} (the file was modified or damaged). ${damaged}`,
      {
        dir: folder,
        file: file.path,
        expectedSha256: file.sha256,
        actualSha256: actual.sha256,
        expectedBytes: file.bytes,
        actualBytes: actual.bytes,
      },
    );
  }
}

function loadedArtifact(folder: string, manifest: Manifest): LoadedArtifact {
  const listed = new Set(manifest.files.map((file) => file.path));
  const path = (name: string): string => {
    if (!listed.has(name)) {
      const available = [...listed];
      throw new NotFoundError(
        `The '${manifest.kind}' artifact in ${folder} has no file ${describeWithNearest(name, available)}. ` +
          `It lists: ${available.length === 0 ? '(no files)' : available.join(', ')}.`,
        { dir: folder, file: name, available },
      );
    }
    return join(folder, name);
  };
  return {
    dir: folder,
    manifest,
    path,
    // async so an unlisted name rejects like any other read error instead of throwing.
    readFile: async (name) => readFile(path(name)),
    readText: async (name) => readFile(path(name), 'utf8'),
    async readJson<T = unknown>(name: string): Promise<T> {
      const text = await readFile(path(name), 'utf8');
      try {
        return JSON.parse(text) as T;
      } catch (error) {
        throw new CorruptFileError(
          `${join(folder, name)} is not valid JSON${jsonErrorPosition(error)}. ` +
            `Re-create the '${manifest.kind}' artifact.`,
          { dir: folder, file: name },
        );
      }
    },
  };
}

function uniqueSuffix(): string {
  return `${process.pid}-${randomBytes(6).toString('hex')}`;
}

/** True while process `pid` runs (on this machine); EPERM means it runs as someone else. */
function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the staging and backup folders that writers of `name` in `parent` left when they were
 * killed (their pid, in the folder name, no longer runs), and says so. Folders of live writers
 * are theirs to finish. Runs after a successful swap, when a backup is no longer the only copy.
 */
async function removeLeftovers(parent: string, name: string): Promise<void> {
  const pattern = /^\.(.+)\.(staging|old)-(\d+)-[0-9a-f]{12}$/;
  for (const entry of await readdir(parent).catch(() => [] as string[])) {
    const match = pattern.exec(entry);
    if (match === null || match[1] !== name) continue;
    const pid = Number(match[3]);
    if (isAlive(pid)) continue;
    const path = join(parent, entry);
    try {
      await rm(path, { recursive: true, force: true });
      logWarn(
        `removed ${match[2] === 'old' ? 'the previous-version backup' : 'the staging folder'} ${path} left by a writer that stopped`,
        { pid },
      );
    } catch (error) {
      logWarn('could not remove a leftover of a stopped writer', {
        path,
        pid,
        error: (error as Error).message,
      });
    }
  }
}

/**
 * Seals an artifact's `manifest.json` again after a deliberate edit: rewrites
 * `manifest.sha256`, and `manifest.hmac` when `MLSD_ARTIFACT_KEY` is set (a stale HMAC is
 * removed when it is not). Whoever runs this vouches for the edit; with a key set, only a
 * holder of the key can.
 * @throws NotFoundError when the folder has no manifest; ManifestInvalidError when it leads
 * outside the folder.
 */
export async function sealArtifactManifest(dir: string): Promise<void> {
  const folder = resolve(dir);
  const real = await resolveInside(folder, MANIFEST_NAME).catch((error: unknown) => {
    throw new NotFoundError(
      `${folder} has no ${MANIFEST_NAME} to seal.`,
      { dir: folder },
      { cause: error },
    );
  });
  if (real === undefined) {
    throw new ManifestInvalidError(
      `${join(folder, MANIFEST_NAME)} leads outside the artifact folder; refusing to seal it.`,
      { dir: folder },
    );
  }
  const bytes = await readFile(real);
  if (!hasArtifactKey()) await unlink(join(folder, MANIFEST_HMAC_NAME)).catch(() => undefined);
  await writeManifestSeal(folder, bytes);
}
