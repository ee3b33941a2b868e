import { createHash } from 'node:crypto';
import {
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  truncate,
  unlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ManifestSchema,
  readArtifact,
  sealArtifactManifest,
  writeArtifact,
} from '../src/artifacts.js';
import {
  ChecksumMismatchError,
  InvalidArgumentError,
  ManifestInvalidError,
  NotFoundError,
} from '../src/errors.js';

let root: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'mlsd-artifact-'));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const sha256 = (data: string | Uint8Array): string =>
  createHash('sha256').update(data).digest('hex');

/** A small artifact with an in-memory file, a binary file and one written by a callback. */
async function writeSample(dir: string, version = 1) {
  return writeArtifact(dir, {
    kind: 'fraud-model',
    formatVersion: version,
    params: { hidden: [32, 16], lr: 0.01 },
    metrics: { auc: 0.91 },
    description: 'test model',
    files: {
      'model.json': JSON.stringify({ version }),
      'weights/w.bin': new Uint8Array([1, 2, 3, 4]),
    },
    write: async (staging) => {
      await mkdir(join(staging, 'index', 'shards'), { recursive: true });
      await writeFile(join(staging, 'index', 'shards', 'big.dat'), 'x'.repeat(200_000));
    },
  });
}

/**
 * Rewrites manifest.json of `dir` after `edit` changes the parsed object, and seals it again so
 * the checks behind the seal are reached (an unsealed edit is refused first).
 */
async function editManifest(dir: string, edit: (manifest: Record<string, unknown>) => void) {
  const path = join(dir, 'manifest.json');
  const manifest = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  edit(manifest);
  await writeFile(path, JSON.stringify(manifest));
  await sealArtifactManifest(dir);
}

describe('writeArtifact + readArtifact', () => {
  it('round-trips in-memory files, callback files and subfolders', async () => {
    const dir = join(root, 'nested', 'model');
    const written = await writeSample(dir);

    expect(written.files.map((f) => f.path)).toEqual([
      'index/shards/big.dat',
      'model.json',
      'weights/w.bin',
    ]);
    expect(written.files[2]).toEqual({
      path: 'weights/w.bin',
      bytes: 4,
      sha256: sha256(new Uint8Array([1, 2, 3, 4])),
    });
    expect(written.files[0]).toMatchObject({ bytes: 200_000, sha256: sha256('x'.repeat(200_000)) });
    expect(Date.parse(written.created)).toBeGreaterThan(Date.now() - 60_000);
    expect(
      ManifestSchema.parse(JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'))),
    ).toEqual(written);

    const loaded = await readArtifact(dir, { kind: 'fraud-model', formatVersion: 1 });
    expect(loaded.dir).toBe(dir);
    expect(loaded.manifest).toEqual(written);
    expect(loaded.manifest.params).toEqual({ hidden: [32, 16], lr: 0.01 });
    expect(loaded.manifest.description).toBe('test model');
    expect(await loaded.readJson<{ version: number }>('model.json')).toEqual({ version: 1 });
    expect([...(await loaded.readFile('weights/w.bin'))]).toEqual([1, 2, 3, 4]);
    expect((await loaded.readText('index/shards/big.dat')).length).toBe(200_000);
    expect(loaded.path('weights/w.bin')).toBe(join(dir, 'weights', 'w.bin'));

    // No staging or backup folders are left beside the artifact.
    expect(await readdir(join(root, 'nested'))).toEqual(['model']);
  });

  it('names the files that exist when asked for one that does not', async () => {
    const dir = join(root, 'model');
    await writeSample(dir);
    const loaded = await readArtifact(dir);
    expect(() => loaded.path('modle.json')).toThrow(NotFoundError);
    expect(() => loaded.path('modle.json')).toThrow(
      /did you mean "model.json".*It lists: index\/shards\/big.dat, model.json, weights\/w.bin/,
    );
    await expect(loaded.readFile('nope.bin')).rejects.toBeInstanceOf(NotFoundError);
    await expect(loaded.readJson('../manifest.json')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('writes an artifact with no files and defaults params and metrics to {}', async () => {
    const dir = join(root, 'empty-art');
    const manifest = await writeArtifact(dir, { kind: 'thresholds', formatVersion: 2 });
    expect(manifest).toMatchObject({
      kind: 'thresholds',
      formatVersion: 2,
      params: {},
      metrics: {},
      files: [],
    });
    expect('description' in manifest).toBe(false);
    expect((await readArtifact(dir)).manifest.files).toEqual([]);
  });

  it('replaces an existing artifact completely', async () => {
    const dir = join(root, 'model');
    await writeSample(dir);
    await writeArtifact(dir, {
      kind: 'fraud-model',
      formatVersion: 2,
      files: { 'only.txt': 'v2' },
    });
    const loaded = await readArtifact(dir, { kind: 'fraud-model' });
    expect(loaded.manifest.formatVersion).toBe(2);
    expect(loaded.manifest.files.map((f) => f.path)).toEqual(['only.txt']);
    expect((await readdir(dir)).sort()).toEqual(['manifest.json', 'manifest.sha256', 'only.txt']);
    expect(await readdir(root)).toEqual(['model']);
  });

  it('writes into an existing empty folder', async () => {
    const dir = join(root, 'made-by-user');
    await mkdir(dir);
    await writeArtifact(dir, { kind: 'k', formatVersion: 1, files: { 'a.txt': 'a' } });
    expect(await (await readArtifact(dir)).readText('a.txt')).toBe('a');
  });

  it('refuses a non-empty folder that is not an artifact and leaves it untouched', async () => {
    const dir = join(root, 'my-photos');
    await mkdir(dir);
    await writeFile(join(dir, 'cat.jpg'), 'meow');
    const attempt = writeArtifact(dir, { kind: 'k', formatVersion: 1, files: { 'a.txt': 'a' } });
    await expect(attempt).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(attempt).rejects.toThrow(/no manifest\.json.*would delete your files/);
    expect(await readdir(dir)).toEqual(['cat.jpg']);
    expect(await readdir(root)).toEqual(['my-photos']);
  });

  it('refuses a file at the target path', async () => {
    const dir = join(root, 'file');
    await writeFile(dir, 'x');
    await expect(writeArtifact(dir, { kind: 'k', formatVersion: 1 })).rejects.toThrow(
      /it is a file/,
    );
  });

  it('removes the staging folder when the write callback fails and keeps the old artifact', async () => {
    const dir = join(root, 'model');
    const before = await writeSample(dir);
    const failing = writeArtifact(dir, {
      kind: 'fraud-model',
      formatVersion: 2,
      files: { 'model.json': '{}' },
      write: async (staging) => {
        await writeFile(join(staging, 'partial.bin'), 'half');
        throw new Error('index build crashed');
      },
    });
    await expect(failing).rejects.toThrow('index build crashed');
    expect(await readdir(root)).toEqual(['model']);
    expect((await readArtifact(dir)).manifest).toEqual(before);
  });

  it('rejects bad options before touching the disk', async () => {
    const dir = join(root, 'x');
    await expect(writeArtifact(dir, { kind: '', formatVersion: 1 })).rejects.toThrow(
      /kind must be/,
    );
    await expect(writeArtifact(dir, { kind: 'k', formatVersion: 0 })).rejects.toThrow(
      /formatVersion/,
    );
    await expect(writeArtifact(dir, { kind: 'k', formatVersion: 1.5 })).rejects.toThrow(
      /formatVersion/,
    );
    for (const name of ['../evil.txt', '/abs.txt', 'a\\b.txt', 'a//b', './a', 'manifest.json']) {
      await expect(
        writeArtifact(dir, { kind: 'k', formatVersion: 1, files: { [name]: 'x' } }),
      ).rejects.toBeInstanceOf(InvalidArgumentError);
    }
    await expect(
      writeArtifact(dir, {
        kind: 'k',
        formatVersion: 1,
        write: async (staging) => writeFile(join(staging, 'manifest.json'), '{}'),
      }),
    ).rejects.toThrow(/written by writeArtifact itself/);
    expect(await readdir(root)).toEqual([]);
  });
});

describe('readArtifact failures', () => {
  let dir: string;

  beforeEach(async () => {
    dir = join(root, 'model');
    await writeSample(dir);
  });

  it('reports a missing folder and a missing manifest', async () => {
    await expect(readArtifact(join(root, 'nope'))).rejects.toBeInstanceOf(NotFoundError);
    await expect(readArtifact(join(root, 'nope'))).rejects.toThrow(/does not exist/);
    await unlink(join(dir, 'manifest.json'));
    const attempt = readArtifact(dir, { kind: 'fraud-model' });
    await expect(attempt).rejects.toBeInstanceOf(NotFoundError);
    await expect(attempt).rejects.toThrow(
      /no manifest\.json, so it is not a 'fraud-model' artifact/,
    );
  });

  it('detects a tampered file', async () => {
    await writeFile(join(dir, 'weights', 'w.bin'), new Uint8Array([1, 2, 3, 5]));
    const attempt = readArtifact(dir);
    await expect(attempt).rejects.toBeInstanceOf(ChecksumMismatchError);
    await expect(attempt).rejects.toThrow(
      new RegExp(
        `'weights/w.bin' has sha256 ${sha256(new Uint8Array([1, 2, 3, 5]))} but manifest.json records ${sha256(new Uint8Array([1, 2, 3, 4]))}`,
      ),
    );
    // verify: false skips the check (for callers that trust the folder and want speed).
    await expect(readArtifact(dir, { verify: false })).resolves.toBeDefined();
  });

  it('detects a truncated file', async () => {
    await truncate(join(dir, 'index', 'shards', 'big.dat'), 1000);
    const error = await readArtifact(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChecksumMismatchError);
    expect((error as ChecksumMismatchError).message).toMatch(
      /'index\/shards\/big.dat' has 1000 bytes but manifest.json records 200000/,
    );
    expect((error as ChecksumMismatchError).details).toMatchObject({
      expectedBytes: 200_000,
      actualBytes: 1000,
    });
  });

  it('detects a deleted file', async () => {
    await unlink(join(dir, 'model.json'));
    const attempt = readArtifact(dir);
    await expect(attempt).rejects.toBeInstanceOf(NotFoundError);
    await expect(attempt).rejects.toThrow(/'model.json' is listed in manifest.json but missing/);
  });

  it('rejects a manifest that is not JSON', async () => {
    await writeFile(join(dir, 'manifest.json'), '{"kind": "fraud-model",');
    await sealArtifactManifest(dir);
    const attempt = readArtifact(dir);
    await expect(attempt).rejects.toBeInstanceOf(ManifestInvalidError);
    await expect(attempt).rejects.toThrow(/manifest\.json is not valid JSON/);
  });

  it('names the fields that break the schema', async () => {
    await editManifest(dir, (m) => {
      m.formatVersion = 'one';
      delete m.created;
    });
    const attempt = readArtifact(dir);
    await expect(attempt).rejects.toBeInstanceOf(ManifestInvalidError);
    await expect(attempt).rejects.toThrow(/formatVersion/);
    await expect(attempt).rejects.toThrow(/created/);
  });

  it('rejects a bad checksum format in the manifest', async () => {
    await editManifest(dir, (m) => {
      (m.files as Array<Record<string, unknown>>)[0]!.sha256 = 'abc';
    });
    await expect(readArtifact(dir)).rejects.toThrow(/files\.0\.sha256|files\[0\]\.sha256/);
  });

  it('rejects an artifact of another kind', async () => {
    const attempt = readArtifact(dir, { kind: 'ann-index' });
    await expect(attempt).rejects.toBeInstanceOf(ManifestInvalidError);
    await expect(attempt).rejects.toThrow(/is a 'fraud-model' artifact, expected 'ann-index'/);
  });

  it('rejects a newer format version and accepts older ones', async () => {
    await writeSample(dir, 3);
    const attempt = readArtifact(dir, { kind: 'fraud-model', formatVersion: 2 });
    await expect(attempt).rejects.toBeInstanceOf(ManifestInvalidError);
    await expect(attempt).rejects.toThrow(/format version 3.*reads up to version 2\. Upgrade mlsd/);
    await expect(readArtifact(dir, { formatVersion: 3 })).resolves.toBeDefined();
    await expect(readArtifact(dir, { formatVersion: 4 })).resolves.toBeDefined();
  });

  it('rejects path traversal and absolute paths in the manifest', async () => {
    const secret = join(root, 'secret.txt');
    await writeFile(secret, 'top secret');
    for (const path of ['../secret.txt', secret, 'weights/../../secret.txt', 'C:/x', 'a\\..\\b']) {
      await editManifest(dir, (m) => {
        m.files = [{ path, bytes: 10, sha256: sha256('top secret') }];
      });
      const attempt = readArtifact(dir, { verify: false });
      await expect(attempt).rejects.toBeInstanceOf(ManifestInvalidError);
      await expect(attempt).rejects.toThrow(/files\.0\.path|files\[0\]\.path/);
    }
  });

  it('rejects duplicate and self-listing entries', async () => {
    await editManifest(dir, (m) => {
      const files = m.files as unknown[];
      m.files = [...files, files[0]];
    });
    await expect(readArtifact(dir)).rejects.toThrow(/twice/);
    await editManifest(dir, (m) => {
      m.files = [{ path: 'manifest.json', bytes: 1, sha256: sha256('x') }];
    });
    await expect(readArtifact(dir)).rejects.toThrow(/must not be manifest\.json/);
  });
});
