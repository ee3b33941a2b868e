import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { readArtifact, sealArtifactManifest, writeArtifact } from '../src/artifacts.js';
import { CorruptFileError, ManifestInvalidError } from '../src/errors.js';

let root: string;
const KEY_ENV = 'MLSD_ARTIFACT_KEY';

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'mlsd-artifact-hostile-'));
  delete process.env[KEY_ENV];
});

afterEach(async () => {
  delete process.env[KEY_ENV];
  vi.restoreAllMocks();
  await rm(root, { recursive: true, force: true });
});

const SECRET = 'root:x:0:0:TOP-SECRET-PASSWORD-HASH';

async function writeModel(dir: string, threshold = 0.039) {
  return writeArtifact(dir, {
    kind: 'fraud-model',
    formatVersion: 1,
    params: { threshold },
    files: { 'model.json': JSON.stringify({ weights: [1, 2, 3] }) },
  });
}

/** Edits manifest.json the way a person with a text editor would (nothing else touched). */
async function editThreshold(dir: string, threshold: number): Promise<void> {
  const path = join(dir, 'manifest.json');
  const manifest = JSON.parse(await readFile(path, 'utf8'));
  manifest.params.threshold = threshold;
  await writeFile(path, JSON.stringify(manifest, null, 2));
}

const errorOf = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error as Error,
  );

describe('the manifest itself is protected (issue 13, item 11)', () => {
  it('refuses a manifest edited after it was written', async () => {
    const dir = join(root, 'model');
    await writeModel(dir);
    await editThreshold(dir, 0.99);
    const error = await errorOf(readArtifact(dir, { kind: 'fraud-model' }));
    expect(error).toBeInstanceOf(ManifestInvalidError);
    expect(error.message).toMatch(/manifest\.json .*changed after it was written/);
    expect(error.message).toContain('manifest.sha256');
  });

  it('writes a sha256sum-compatible checksum beside the manifest', async () => {
    const dir = join(root, 'model');
    await writeModel(dir);
    const manifest = await readFile(join(dir, 'manifest.json'));
    const digest = createHash('sha256').update(manifest).digest('hex');
    expect(await readFile(join(dir, 'manifest.sha256'), 'utf8')).toBe(`${digest}  manifest.json\n`);
    expect((await readdir(dir)).sort()).toEqual(['manifest.json', 'manifest.sha256', 'model.json']);
  });

  it('refuses an artifact whose checksum file was removed', async () => {
    const dir = join(root, 'model');
    await writeModel(dir);
    await rm(join(dir, 'manifest.sha256'));
    await editThreshold(dir, 0.99);
    const error = await errorOf(readArtifact(dir));
    expect(error).toBeInstanceOf(ManifestInvalidError);
    expect(error.message).toMatch(/has no manifest\.sha256/);
  });

  it('accepts a deliberate edit once it is sealed again', async () => {
    const dir = join(root, 'model');
    await writeModel(dir);
    await editThreshold(dir, 0.5);
    await sealArtifactManifest(dir);
    expect((await readArtifact(dir)).manifest.params).toEqual({ threshold: 0.5 });
  });

  it('with MLSD_ARTIFACT_KEY set, requires an HMAC made with that key', async () => {
    const dir = join(root, 'model');
    await writeModel(dir); // written without a key: not signed
    process.env[KEY_ENV] = 'k'.repeat(32);
    const unsigned = await errorOf(readArtifact(dir));
    expect(unsigned).toBeInstanceOf(ManifestInvalidError);
    expect(unsigned.message).toMatch(/not signed/);

    await writeModel(dir); // signed with the key
    expect((await readdir(dir)).sort()).toContain('manifest.hmac');
    await expect(readArtifact(dir)).resolves.toBeDefined();

    // A forger who edits the manifest and recomputes its sha256 still lacks the key.
    await editThreshold(dir, 0.99);
    const digest = createHash('sha256')
      .update(await readFile(join(dir, 'manifest.json')))
      .digest('hex');
    await writeFile(join(dir, 'manifest.sha256'), `${digest}  manifest.json\n`);
    const forged = await errorOf(readArtifact(dir));
    expect(forged).toBeInstanceOf(ManifestInvalidError);
    expect(forged.message).toMatch(/signature .*does not match/);

    // Another key is refused too.
    await writeModel(dir);
    process.env[KEY_ENV] = 'z'.repeat(32);
    await expect(readArtifact(dir)).rejects.toThrow(/signature .*does not match/);
  });

  it('refuses a key too short to be a secret', async () => {
    process.env[KEY_ENV] = 'short';
    await expect(writeModel(join(root, 'model'))).rejects.toThrow(/at least 32 characters/);
  });
});

describe('reads never quote file contents nor follow symlinks out (item 12)', () => {
  it('refuses a manifest.json symlinked to a file outside, without quoting it', async () => {
    const dir = join(root, 'model');
    await writeModel(dir);
    const outside = join(root, 'passwd');
    await writeFile(outside, `${SECRET}\n`);
    await rm(join(dir, 'manifest.json'));
    await symlink(outside, join(dir, 'manifest.json'));
    const error = await errorOf(readArtifact(dir));
    expect(error).toBeInstanceOf(ManifestInvalidError);
    expect(error.message).toMatch(/outside the artifact folder/);
    expect(error.message).not.toContain('root:x');
    expect(JSON.stringify((error as ManifestInvalidError).details)).not.toContain('root:x');
  });

  it('refuses a listed file symlinked outside the folder, even with the right bytes', async () => {
    const dir = join(root, 'model');
    await writeModel(dir);
    const outside = join(root, 'copy.json');
    await writeFile(outside, await readFile(join(dir, 'model.json')));
    await rm(join(dir, 'model.json'));
    await symlink(outside, join(dir, 'model.json'));
    const error = await errorOf(readArtifact(dir));
    expect(error).toBeInstanceOf(CorruptFileError);
    expect(error.message).toMatch(/'model\.json' .*outside the artifact folder/);
  });

  it('follows a symlinked artifact folder and symlinks that stay inside it', async () => {
    const real = join(root, 'versions', 'v1');
    await writeModel(real);
    await symlink(real, join(root, 'current'));
    await expect(readArtifact(join(root, 'current'))).resolves.toBeDefined();
  });

  it('says a damaged manifest is not JSON without quoting it', async () => {
    const dir = join(root, 'model');
    await writeModel(dir);
    await writeFile(join(dir, 'manifest.json'), SECRET);
    await sealArtifactManifest(dir); // sealed garbage: the JSON check itself must not quote it
    const error = await errorOf(readArtifact(dir));
    expect(error).toBeInstanceOf(ManifestInvalidError);
    expect(error.message).toMatch(/not valid JSON/);
    expect(error.message).not.toContain('root:x');
  });

  it('says a listed JSON file is damaged without quoting it', async () => {
    const dir = join(root, 'model');
    await writeModel(dir);
    await writeFile(join(dir, 'model.json'), SECRET);
    const loaded = await readArtifact(dir, { verify: false });
    const error = await errorOf(loaded.readJson('model.json'));
    expect(error).toBeInstanceOf(CorruptFileError);
    expect(error.message).not.toContain('root:x');
  });

  it('refuses a manifest.json that is not a regular file (a FIFO would block the read)', async () => {
    const dir = join(root, 'model');
    await writeModel(dir);
    await rm(join(dir, 'manifest.json'));
    await mkdir(join(dir, 'manifest.json'));
    await expect(readArtifact(dir)).rejects.toThrow(/not a regular file/);
  });
});

/** The pid of a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

describe('leftovers of killed writers (item 15)', () => {
  it('removes the staging and backup folders of a dead writer on the next write, and says so', async () => {
    const dir = join(root, 'model');
    await writeModel(dir);
    const pid = deadPid();
    const staging = join(root, `.model.staging-${pid}-0123456789ab`);
    const backup = join(root, `.model.old-${pid}-ba9876543210`);
    await mkdir(join(staging, 'classifier'), { recursive: true });
    await writeFile(join(staging, 'classifier', 'w.bin'), 'half written');
    await mkdir(backup);
    // A live writer's staging folder (this process) and another artifact's are left alone.
    const live = join(root, `.model.staging-${process.pid}-aaaaaaaaaaaa`);
    const other = join(root, `.other.staging-${pid}-bbbbbbbbbbbb`);
    await mkdir(live);
    await mkdir(other);
    const warnings: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      warnings.push(String(chunk));
      return true;
    });
    await writeModel(dir, 0.04);
    expect((await readdir(root)).sort()).toEqual(
      [
        'model',
        `.model.staging-${process.pid}-aaaaaaaaaaaa`,
        `.other.staging-${pid}-bbbbbbbbbbbb`,
      ].sort(),
    );
    const said = warnings.join('');
    expect(said).toMatch(/removed .*\.model\.staging-/);
    expect(said).toMatch(/removed .*\.model\.old-/);
    expect(said).toContain(`pid=${pid}`);
  });
});
