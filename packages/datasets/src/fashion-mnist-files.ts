import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { CorruptFileError, NotFoundError, writeFileAtomic } from '@mlsd/core';

const gunzipAsync = promisify(gunzip);

/**
 * The four official Fashion-MNIST files, each with the sha256 and length of its content after
 * gunzip: gzip headers differ between copies (Debian's recompressed files are 24 bytes shorter
 * than the GitHub release), the IDX bytes inside do not.
 */
export const FASHION_MNIST_FILES: readonly {
  readonly name: string;
  readonly sha256: string;
  readonly bytes: number;
}[] = [
  {
    name: 'train-images-idx3-ubyte.gz',
    sha256: 'c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888',
    bytes: 47_040_016,
  },
  {
    name: 'train-labels-idx1-ubyte.gz',
    sha256: 'bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9',
    bytes: 60_008,
  },
  {
    name: 't10k-images-idx3-ubyte.gz',
    sha256: '5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b',
    bytes: 7_840_016,
  },
  {
    name: 't10k-labels-idx1-ubyte.gz',
    sha256: '0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34',
    bytes: 10_008,
  },
];

/** Where Debian's `dataset-fashion-mnist` package installs the four files. */
export const DEBIAN_FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

/**
 * The folder mlsd keeps fetched data in: `MLSD_DATA_DIR`, else `$XDG_DATA_HOME/mlsd`, else
 * `~/.local/share/mlsd`.
 */
export function mlsdDataDir(env: Record<string, string | undefined> = process.env): string {
  if (env.MLSD_DATA_DIR) return resolve(env.MLSD_DATA_DIR);
  if (env.XDG_DATA_HOME) return join(resolve(env.XDG_DATA_HOME), 'mlsd');
  return join(homedir(), '.local', 'share', 'mlsd');
}

/**
 * Finds the folder holding the four files: `dir` when given; else `MLSD_FASHION_MNIST_DIR`, a
 * `datasets/fashion-mnist/` folder above this package (a clone of the mlsd repository), the
 * folder {@link fetchFashionMnist} copies to, and Debian's {@link DEBIAN_FASHION_MNIST_DIR}.
 * @throws NotFoundError saying where it looked and how to get the files.
 */
export function locateFashionMnist(dir?: string): string {
  const candidates =
    dir === undefined
      ? [
          ...envFolder(),
          ...repositoryFolders(),
          join(mlsdDataDir(), 'fashion-mnist'),
          DEBIAN_FASHION_MNIST_DIR,
        ]
      : [resolve(dir)];
  const found = candidates.find(hasAllFiles);
  if (found === undefined) {
    throw new NotFoundError(
      `Fashion-MNIST not found; looked in ${unique(candidates).join(', ')}. ${HOW_TO_GET_IT}`,
      { candidates },
    );
  }
  return found;
}

/** What {@link fetchFashionMnist} did. */
export interface FetchedDataset {
  /** The folder that now holds the four files. */
  dir: string;
  /** The folder they were copied from. */
  source: string;
  /** Files copied now; 0 when the destination already held the same data. */
  copied: number;
}

/** Options of {@link fetchFashionMnist}. */
export interface FetchFashionMnistOptions {
  /**
   * Folder holding the four official `.gz` files. Default: `MLSD_FASHION_MNIST_DIR`, a clone of
   * the mlsd repository above this package, then Debian's {@link DEBIAN_FASHION_MNIST_DIR}.
   */
  from?: string;
  /** Destination folder; default `<mlsdDataDir()>/fashion-mnist`, where the loader looks. */
  to?: string;
}

/**
 * Copies Fashion-MNIST from a local folder into mlsd's data folder, where
 * `loadFashionMnist()` finds it, checking every file's content (sha256 after gunzip) first.
 * Nothing is downloaded: the source is Debian's `dataset-fashion-mnist` package, a clone of the
 * mlsd repository, or a folder you name. Each file is written atomically; files already in
 * place with the same content are left alone.
 * @throws NotFoundError when no source holds the four files (the message says how to get them).
 * @throws CorruptFileError when a source file is not the official content.
 */
export async function fetchFashionMnist(
  options: FetchFashionMnistOptions = {},
): Promise<FetchedDataset> {
  const sources =
    options.from === undefined
      ? [...envFolder(), ...repositoryFolders(), DEBIAN_FASHION_MNIST_DIR]
      : [resolve(options.from)];
  const source = sources.find(hasAllFiles);
  if (source === undefined) {
    throw new NotFoundError(
      `No copy of Fashion-MNIST to fetch from; looked in ${unique(sources).join(', ')}. ${HOW_TO_GET_IT}`,
      { candidates: sources },
    );
  }
  const dir = resolve(options.to ?? join(mlsdDataDir(), 'fashion-mnist'));
  await mkdir(dir, { recursive: true });
  // Every file is checked before any is written, so a bad source leaves the destination as it was.
  const contents = await Promise.all(
    FASHION_MNIST_FILES.map(async (file) => {
      const path = join(source, file.name);
      const bytes = await readFile(path);
      await checkContent(path, bytes, file);
      return { file, bytes };
    }),
  );
  let copied = 0;
  for (const { file, bytes } of contents) {
    const to = join(dir, file.name);
    if (existsSync(to) && (await readFile(to)).equals(bytes)) continue;
    await writeFileAtomic(to, bytes);
    copied++;
  }
  return { dir, source, copied };
}

const HOW_TO_GET_IT =
  "Install Debian's package (apt-get install dataset-fashion-mnist, files in " +
  `${DEBIAN_FASHION_MNIST_DIR}) or put the four official .gz files of Fashion-MNIST in a folder, ` +
  'then run `mlsd data fetch [--from DIR]` (or fetchFashionMnist({ from })), or pass { dir } / ' +
  'set MLSD_FASHION_MNIST_DIR to that folder.';

async function checkContent(
  path: string,
  gz: Buffer,
  expected: (typeof FASHION_MNIST_FILES)[number],
): Promise<void> {
  let content: Buffer;
  try {
    content = await gunzipAsync(gz);
  } catch (cause) {
    throw new CorruptFileError(`${path} is not a readable gzip file.`, { path }, { cause });
  }
  const sha256 = createHash('sha256').update(content).digest('hex');
  if (content.length !== expected.bytes || sha256 !== expected.sha256) {
    throw new CorruptFileError(
      `${path} is not the official Fashion-MNIST ${expected.name}: it unpacks to ` +
        `${content.length} bytes with sha256 ${sha256}, expected ${expected.bytes} bytes with ` +
        `sha256 ${expected.sha256}.`,
      { path },
    );
  }
}

function hasAllFiles(folder: string): boolean {
  return FASHION_MNIST_FILES.every((file) => existsSync(join(folder, file.name)));
}

function envFolder(): string[] {
  const fromEnv = process.env.MLSD_FASHION_MNIST_DIR;
  return fromEnv ? [resolve(fromEnv)] : [];
}

/** `datasets/fashion-mnist/` in this package's folder and each folder above it. */
function repositoryFolders(): string[] {
  const folders: string[] = [];
  let folder = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 8; depth++) {
    folders.push(join(folder, 'datasets', 'fashion-mnist'));
    const parent = dirname(folder);
    if (parent === folder) break;
    folder = parent;
  }
  return folders;
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
