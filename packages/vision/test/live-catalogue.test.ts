import { spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EmbedderMismatchError,
  embedderKinds,
  findNearDuplicates,
  ImageSearch,
  JOURNAL_FILE,
  LiveCatalogue,
  loadImageEmbedder,
  registerEmbedderKind,
  unregisterEmbedderKind,
} from '../src/index.js';
import { QUADRANT_LOADER, QuadrantEmbedder } from './helpers/quadrant-embedder.js';

/** A photo of four coloured quadrants (RGB triples, top-left first). */
function quadrants(colours: number[][], size = 32): Promise<Buffer> {
  const pixels = Buffer.alloc(size * size * 3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const q = (y < size / 2 ? 0 : 2) + (x < size / 2 ? 0 : 1);
      pixels.set(colours[q]!, (y * size + x) * 3);
    }
  }
  return sharp(pixels, { raw: { width: size, height: size, channels: 3 } })
    .png()
    .toBuffer();
}

const R = [230, 20, 20];
const G = [20, 200, 40];
const B = [20, 40, 220];
const W = [250, 250, 250];
let work: string;
let images: Record<string, Buffer>;

/** A saved index of three photos built with the outside embedder. */
async function savedIndex(name: string): Promise<string> {
  const search = ImageSearch.create(new QuadrantEmbedder());
  await search.add('red', images.red!, { label: 'warm' });
  await search.add('green', images.green!, { label: 'cool' });
  await search.add('blue', images.blue!, { label: 'cool' });
  const dir = join(work, name);
  await search.save(dir);
  return dir;
}

beforeAll(async () => {
  registerEmbedderKind(QUADRANT_LOADER);
  work = await mkdtemp(join(tmpdir(), 'mlsd-live-'));
  images = {
    red: await quadrants([R, R, W, W]),
    green: await quadrants([G, G, W, W]),
    blue: await quadrants([B, W, B, W]),
    white: await quadrants([W, W, W, R]),
  };
});

afterAll(() => {
  unregisterEmbedderKind('quadrant-colour');
});

describe('embedders from outside mlsd (registry)', () => {
  it('loads, saves into an index and reloads a registered kind without editing mlsd', async () => {
    expect(embedderKinds()).toContain('quadrant-colour');
    const folder = join(work, 'model');
    await (await import('node:fs/promises')).mkdir(folder);
    await new QuadrantEmbedder([1, 2, 1]).saveTo(folder);
    const embedder = await loadImageEmbedder(folder);
    expect(embedder.info.kind).toBe('quadrant-colour');
    const dir = await savedIndex('registry');
    const loaded = await ImageSearch.load(dir);
    expect(loaded.embedder).toBeInstanceOf(QuadrantEmbedder);
    expect((await loaded.query(images.red!, 1))[0]!.id).toBe('red');
    expect(() => registerEmbedderKind(QUADRANT_LOADER)).toThrow(/already registered/);
    unregisterEmbedderKind('quadrant-colour');
    await expect(ImageSearch.load(dir)).rejects.toThrow(
      /No embedder kind "quadrant-colour" is registered/,
    );
    registerEmbedderKind(QUADRANT_LOADER);
  });
});

describe('embedder versions', () => {
  it('refuses opening, adding to and querying an index with another embedder', async () => {
    const dir = await savedIndex('versions');
    const other = new QuadrantEmbedder([1, 0.5, 2]);
    await expect(ImageSearch.load(dir, { embedder: other })).rejects.toThrow(EmbedderMismatchError);
    await expect(ImageSearch.load(dir, { embedder: other })).rejects.toThrow(
      /built with embedder quadrant-colour:[0-9a-f]{16} \(quadrants 1\/1\/1\).*mlsd images reindex/,
    );
    await expect(LiveCatalogue.open(dir, { embedder: other })).rejects.toThrow(
      EmbedderMismatchError,
    );
    const search = await ImageSearch.load(dir, { embedder: new QuadrantEmbedder() });
    const foreign = await other.embed(new Float32Array(192), 1);
    expect(() => search.queryEmbedding(foreign, 1, {}, other.info.version)).toThrow(
      EmbedderMismatchError,
    );
    expect(() => search.addEmbeddings(['x'], foreign, undefined, other.info.version)).toThrow(
      /cannot be given vectors with quadrant-colour:/,
    );
    // Edited embedder files are caught on load: the version no longer matches the index.
    await writeFile(join(dir, 'embedder', 'quadrant-colour.json'), '{"weights":[2,2,2]}');
    await expect(
      (await import('../src/embedding/embedder-registry.js')).reloadEmbedder(
        join(dir, 'embedder'),
        search.embedder.info,
      ),
    ).rejects.toThrow(/files were changed after the index was built/);
  });
});

describe('LiveCatalogue', () => {
  it('adds and removes images, keeps uploads, and replays the journal on reopen', async () => {
    const dir = await savedIndex('live');
    const catalogue = await LiveCatalogue.open(dir, { compactEvery: 0 });
    expect(await catalogue.add('white', images.white!, { label: 'bright' })).toEqual({
      id: 'white',
      seq: 1,
    });
    await expect(catalogue.add('white', images.white!)).rejects.toThrow(/already in the catalogue/);
    expect(await catalogue.remove('green')).toEqual({ id: 'green', seq: 2 });
    await expect(catalogue.remove('green')).rejects.toThrow(/No image with id "green"/);
    const hit = (await catalogue.search.query(images.white!, 1))[0]!;
    expect(hit.id).toBe('white');
    expect(hit.metadata?.source).toMatch(/^upload:[0-9a-f]{32}\.png$/);
    const upload = hit.metadata!.source!.slice('upload:'.length);
    expect(await readFile(join(dir, 'uploads', upload))).toEqual(images.white);
    await catalogue.close();

    const reopened = await LiveCatalogue.open(dir, { compactEvery: 0 });
    expect(reopened.seq).toBe(2);
    expect([...reopened.search.ids()]).toEqual(['red', 'blue', 'white']);
    // A snapshot folds the journal in and starts an empty one; the upload moves along.
    await reopened.compact();
    expect(reopened.pending).toBe(0);
    expect(await readFile(join(dir, JOURNAL_FILE), 'utf8')).toBe('');
    expect(await readFile(join(dir, 'uploads', upload))).toEqual(images.white);
    await reopened.add('green', images.green!);
    await reopened.close();
    const after = await LiveCatalogue.read(dir);
    expect([...after.ids()]).toEqual(['red', 'blue', 'white', 'green']);
  });

  it('drops a half-written last line, refuses a journal altered in the middle', async () => {
    const dir = await savedIndex('torn');
    const catalogue = await LiveCatalogue.open(dir, { compactEvery: 0 });
    await catalogue.add('white', images.white!);
    await catalogue.remove('red');
    await catalogue.close();
    const journal = join(dir, JOURNAL_FILE);
    const lines = (await readFile(journal, 'utf8')).split('\n');
    // Cut the last record short, as a crash during its write would.
    await writeFile(journal, `${lines[0]}\n${lines[1]!.slice(0, 30)}`);
    const reopened = await LiveCatalogue.open(dir);
    expect(reopened.search.has('red')).toBe(true);
    expect(reopened.search.has('white')).toBe(true);
    await reopened.close();
    await writeFile(journal, `${lines[0]!.replace('white', 'whitE')}\n${lines[1]}\n`);
    await expect(LiveCatalogue.open(dir)).rejects.toThrow(/line 1 is damaged/);
  });

  it('snapshots by itself every compactEvery changes', async () => {
    const dir = await savedIndex('auto');
    const catalogue = await LiveCatalogue.open(dir, { compactEvery: 2 });
    await catalogue.add('white', images.white!);
    await catalogue.remove('red');
    await catalogue.close();
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
    expect(manifest.params.journalSeq).toBe(2);
    expect(await readFile(join(dir, JOURNAL_FILE), 'utf8')).toBe('');
  });

  it('lets one process change a catalogue at a time', async () => {
    const dir = await savedIndex('lock');
    // The parent process (the test runner) stands in for another live writer.
    await writeFile(join(dir, 'catalogue.lock'), `${process.ppid}\n`);
    await expect(LiveCatalogue.open(dir)).rejects.toThrow(
      new RegExp(`open for changes in process ${process.ppid}`),
    );
    // A lock left by a process that is gone is taken over.
    await writeFile(join(dir, 'catalogue.lock'), '999999999\n');
    await (await LiveCatalogue.open(dir)).close();
  });

  it('keeps an acknowledged add when the process is killed with SIGKILL right after', async () => {
    const dir = await savedIndex('crash');
    const file = join(work, 'white.png');
    await writeFile(file, images.white!);
    const script = fileURLToPath(new URL('./helpers/add-then-wait.ts', import.meta.url));
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--conditions=@mlsd/source', script, dir, 'crash-white', file],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const acked = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) resolve(out.trim());
      });
      child.on('exit', (code) => reject(new Error(`child exited with ${code} before acking`)));
    });
    expect(acked).toBe('acked 1');
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    // The lock names a dead process; the journal holds the add.
    const reopened = await LiveCatalogue.open(dir);
    expect(reopened.search.has('crash-white')).toBe(true);
    expect((await reopened.search.query(images.white!, 1))[0]!.id).toBe('crash-white');
    await reopened.close();
  }, 60_000);
});

describe('findNearDuplicates', () => {
  it('groups resized and re-encoded copies, leaves distinct photos alone', async () => {
    const search = ImageSearch.create(new QuadrantEmbedder());
    const red = images.red!;
    await search.add('red', red);
    await search.add('red-small', await sharp(red).resize(16, 16).png().toBuffer());
    await search.add('red-jpeg', await sharp(red).jpeg({ quality: 70 }).toBuffer());
    await search.add('blue', images.blue!);
    await search.add('blue-copy', await sharp(images.blue!).resize(48, 48).webp().toBuffer());
    await search.add('green', images.green!);
    const groups = findNearDuplicates(search, { maxDistance: 0.01 });
    expect(groups.map((group) => group.members.map((member) => member.id).sort())).toEqual([
      ['red', 'red-jpeg', 'red-small'],
      ['blue', 'blue-copy'],
    ]);
    expect(groups[0]!.members[0]).toMatchObject({ id: 'red', distance: 0 });
    expect(groups[0]!.maxDistance).toBeLessThanOrEqual(0.01);
    expect(findNearDuplicates(search, { maxDistance: 0 })).toEqual([]);
  });
});
