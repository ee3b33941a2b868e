/**
 * Visual search on your own photos: real photographs (public-domain and CC0 pictures from
 * Debian's python3-skimage, committed in ../photos), turned into a folder of mixed formats and
 * sizes as users have them — EXIF-rotated, CMYK, 16-bit, transparent, animated, AVIF, TIFF —
 * plus files that cannot be used. A pretrained MobileNetV2 (the weights nsfwjs ships; nothing is
 * downloaded) embeds them; the index is evaluated, queried (contact sheet), checked for
 * near-duplicates, and served: an image is added and removed live over HTTP.
 */
import { mkdir, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { createService } from '@mlsd/serve';
import {
  describeImageSpec,
  embedImageFolder,
  evaluateImageFolder,
  extractNsfwjsModel,
  type FolderEvaluation,
  findNearDuplicates,
  ImageSearch,
  loadImageEmbedder,
  type SheetRow,
  writeContactSheet,
} from '@mlsd/vision';
import sharp, { type Sharp } from 'sharp';

/** The committed photos (see ../photos/LICENSE.md). */
export const PHOTOS_DIR = fileURLToPath(new URL('../photos/', import.meta.url));

/** Options of {@link runYourPhotos}. */
export interface YourPhotosOptions {
  outDir: string;
  /** Source photos used (by file name without extension); default all ten. */
  sources?: readonly string[];
  /** Variants written per photo (1–10); default 10. */
  variants?: number;
  log?: (line: string) => void;
}

/** What the run found. */
export interface YourPhotosSummary {
  folder: {
    found: number;
    decoded: number;
    skipped: number;
    ignored: number;
    skippedFiles: { file: string; code: string }[];
  };
  embedder: { name: string; version: string; dim: number; spec: string };
  embedSeconds: number;
  evaluation: FolderEvaluation;
  duplicateGroups: number;
  sheetPath: string;
  live: {
    added: boolean;
    foundAfterAdd: string | undefined;
    removed: boolean;
    goneAfterRemove: boolean;
  };
}

type Variant = (photo: Sharp, width: number, height: number) => Promise<[string, Buffer]>;

/** The formats and quirks of a real photo folder, one per variant. */
const VARIANTS: Variant[] = [
  async (photo) => ['original.jpg', await photo.jpeg({ quality: 90 }).toBuffer()],
  async (photo, w) => [
    'small.webp',
    await photo
      .resize(Math.round(w * 0.4))
      .webp()
      .toBuffer(),
  ],
  async (photo, w, h) => [
    'crop.png',
    await photo
      .extract({
        left: Math.round(w * 0.1),
        top: Math.round(h * 0.1),
        width: Math.round(w * 0.8),
        height: Math.round(h * 0.8),
      })
      .png()
      .toBuffer(),
  ],
  // Stored turned on its side with EXIF orientation 6: displayed (and decoded) upright.
  async (photo) => [
    'rotated.jpg',
    await photo.rotate(-90).jpeg().withMetadata({ orientation: 6 }).toBuffer(),
  ],
  async (photo) => ['cmyk.jpg', await photo.toColourspace('cmyk').jpeg().toBuffer()],
  async (photo) => ['16bit.png', await photo.toColourspace('rgb16').png().toBuffer()],
  async (photo, w, h) => [
    'framed.png',
    await photo
      .ensureAlpha()
      .extend({
        top: h >> 3,
        bottom: h >> 3,
        left: w >> 3,
        right: w >> 3,
        background: { r: 0, g: 0, b: 0, alpha: 0 },
      })
      .png()
      .toBuffer(),
  ],
  async (photo, w, h) => {
    // Two frames: the photo, then black; decoders take the first.
    const frame = await photo.removeAlpha().raw().toBuffer();
    const strip = Buffer.concat([frame, Buffer.alloc(frame.length)]);
    const gif = await sharp(strip, {
      raw: { width: w, height: h * 2, channels: 3, pageHeight: h } as never,
    })
      .gif()
      .toBuffer();
    return ['animated.gif', gif];
  },
  async (photo) => ['photo.avif', await photo.avif({ quality: 60 }).toBuffer()],
  async (photo, w) => [
    'large.tiff',
    await photo
      .resize(w * 2)
      .tiff({ compression: 'lzw' })
      .toBuffer(),
  ],
];

/** Writes the folder: one sub-folder (label) per photo, then the files no photo folder should hold. */
async function writeFolder(
  dir: string,
  sources: readonly string[],
  variants: number,
): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  for (const name of sources) {
    await mkdir(join(dir, name), { recursive: true });
    const source = join(PHOTOS_DIR, `${name}.jpg`);
    const { width = 0, height = 0 } = await sharp(source).metadata();
    for (const variant of VARIANTS.slice(0, variants)) {
      const [file, bytes] = await variant(sharp(source).toColourspace('srgb'), width, height);
      await writeFile(join(dir, name, file), bytes);
    }
  }
  const any = join(PHOTOS_DIR, `${sources[0]}.jpg`);
  const jpeg = await sharp(any).jpeg().toBuffer();
  await writeFile(join(dir, 'empty.jpg'), new Uint8Array(0));
  await writeFile(join(dir, 'truncated.jpg'), jpeg.subarray(0, jpeg.length >> 2));
  await writeFile(join(dir, 'notes.txt'), 'shot list, not a picture');
  await symlink(any, join(dir, 'shortcut.jpg'));
  // A phone's HEIC (HEVC-coded): sharp's prebuilt libvips has no HEVC decoder.
  const avif = Buffer.from(await sharp(any).resize(64).avif().toBuffer());
  avif.write('heic', avif.indexOf('avif'));
  for (let at = avif.indexOf('av01'); at >= 0; at = avif.indexOf('av01', at + 1))
    avif.write('hvc1', at);
  await writeFile(join(dir, 'phone.heic'), avif);
  // A PNG header declaring 8,000 × 6,250 (50 megapixels): above the decode limit.
  await writeFile(
    join(dir, 'huge.png'),
    pngWithHeader(8000, 6250, zlib.deflateSync(Buffer.alloc(1024))),
  );
  // A decompression bomb: 200 × 200 whose data inflates to 64 MB. Decoded from the rows it needs.
  await writeFile(
    join(dir, 'bomb.png'),
    pngWithHeader(200, 200, zlib.deflateSync(Buffer.alloc(64 << 20), { level: 9 })),
  );
}

function pngWithHeader(width: number, height: number, idat: Buffer): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(zlib.crc32(body), body.length + 4);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8;
  header[9] = 0;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', idat),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Runs the "your photos" part and returns its figures; prints an account through `log`. */
export async function runYourPhotos(options: YourPhotosOptions): Promise<YourPhotosSummary> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const sources =
    options.sources ??
    (await readdir(PHOTOS_DIR))
      .filter((f) => f.endsWith('.jpg'))
      .map((f) => basename(f, '.jpg'))
      .sort();
  const variants = Math.max(1, Math.min(VARIANTS.length, options.variants ?? VARIANTS.length));
  const folder = join(options.outDir, 'your-photos');

  log(
    `8. Your photos: ${sources.length} real photos × ${variants} formats and sizes, and files that cannot be used`,
  );
  await writeFolder(folder, sources, variants);

  const modelDir = await extractNsfwjsModel(
    'mobilenet_v2',
    join(options.outDir, 'models', 'mobilenet_v2'),
    {
      from: import.meta.url,
    },
  );
  const embedder = await loadImageEmbedder(modelDir, {
    preset: 'unit',
    output: 'average_pooling2d_1',
  });
  log(
    `   model: pretrained MobileNetV2 (the weights nsfwjs ships), pooled features (layer average_pooling2d_1), ${embedder.dim}-d; input ${describeImageSpec(embedder.spec)}`,
  );

  const embedded = await embedImageFolder(folder, embedder);
  const { counts } = embedded;
  log(
    `   ${folder}: ${counts.found} image files = ${counts.decoded} decoded + ${counts.skipped} skipped; ${counts.ignored} other file(s) ignored; ${embedded.seconds.toFixed(1)} s (${((embedded.seconds * 1000) / Math.max(1, counts.decoded)).toFixed(0)} ms an image)`,
  );
  for (const bad of embedded.skipped) log(`     skipped ${bad.file} (${bad.code}): ${bad.reason}`);
  const search = ImageSearch.create(embedder, { capacity: embedded.ids.length });
  search.addEmbeddings(embedded.ids, embedded.vectors, embedded.metadata);
  const indexDir = join(options.outDir, 'photo-index');
  await search.save(indexDir);

  log(
    '   evaluation: every labelled image queries the others (relevant = another version of the same photo)',
  );
  const evaluation = await evaluateImageFolder(folder, embedder, {
    embedded,
    k: Math.min(5, variants - 1 || 1),
  });
  log(
    `   precision@${evaluation.k} ${evaluation.precisionAtK.toFixed(3)}, mAP@${evaluation.k} ${evaluation.mapAtK.toFixed(3)}, recall@${evaluation.k} vs exact ${evaluation.recallAtK.toFixed(3)}; query from the file: p50 ${evaluation.p50Ms.toFixed(0)} ms, p99 ${evaluation.p99Ms.toFixed(0)} ms`,
  );

  const groups = findNearDuplicates(search, { maxDistance: 0.05 });
  log(
    `   near-duplicates (cosine distance ≤ 0.05): ${groups.length} groups, largest ${groups[0]?.members.length ?? 0} images (${
      groups[0]?.members
        .map((m) => m.id)
        .slice(0, 4)
        .join(', ') ?? ''
    }…)`,
  );

  const rows: SheetRow[] = [];
  for (const name of sources.slice(0, 6)) {
    const file = `${name}/${variants > 3 ? 'rotated.jpg' : 'original.jpg'}`;
    const query = join(folder, file);
    // The query file is in the catalogue too: show the six nearest other files.
    const hits = (await search.query(query, 7)).filter((hit) => hit.id !== file).slice(0, 6);
    rows.push({
      query,
      results: hits.map((hit) => ({
        image: hit.metadata?.source ?? '',
        relevant: hit.metadata?.label === name,
      })),
    });
  }
  const sheetPath = join(options.outDir, 'your-photos-sheet.png');
  await writeContactSheet(sheetPath, rows, { cellSize: 120 });
  log(
    `   contact sheet (an EXIF-rotated photo in blue, then its six nearest other files; green = same photo, red = another): ${sheetPath}`,
  );

  log('   live catalogue: the index served with an admin token; one photo added, found, removed');
  const token = 'example-admin-token';
  const service = await createService({
    imageIndexDir: indexDir,
    adminToken: token,
    logger: false,
  });
  const live = {
    added: false,
    foundAfterAdd: undefined as string | undefined,
    removed: false,
    goneAfterRemove: false,
  };
  try {
    const photo = await sharp(join(PHOTOS_DIR, `${sources[0]}.jpg`))
      .flop()
      .modulate({ saturation: 1.3 })
      .jpeg()
      .toBuffer();
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'image/jpeg' };
    const id = `${sources[0]}/mirrored.jpg`;
    const add = await service.app.inject({
      method: 'POST',
      url: `/v1/images?id=${encodeURIComponent(id)}&label=${sources[0]}`,
      headers,
      payload: photo,
    });
    live.added = add.statusCode === 201;
    const similar = async () =>
      (
        await service.app.inject({
          method: 'POST',
          url: '/v1/images/similar?k=1',
          headers: { 'content-type': 'image/jpeg' },
          payload: photo,
        })
      ).json().hits[0]?.id as string | undefined;
    live.foundAfterAdd = await similar();
    const remove = await service.app.inject({
      method: 'DELETE',
      url: `/v1/images/${encodeURIComponent(id)}`,
      headers,
    });
    live.removed = remove.statusCode === 200;
    live.goneAfterRemove = (await similar()) !== id;
    log(
      `   POST /v1/images ${add.statusCode} ${add.body}; nearest to it: ${live.foundAfterAdd}; DELETE ${remove.statusCode} ${remove.body}; nearest now: another image`,
    );
  } finally {
    await service.close();
  }
  return {
    folder: {
      ...counts,
      skippedFiles: embedded.skipped.map((s) => ({ file: s.file, code: s.code })),
    },
    embedder: {
      name: embedder.info.name,
      version: embedder.info.version,
      dim: embedder.dim,
      spec: describeImageSpec(embedder.spec),
    },
    embedSeconds: embedded.seconds,
    evaluation,
    duplicateGroups: groups.length,
    sheetPath,
    live,
  };
}
