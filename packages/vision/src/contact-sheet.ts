import { InvalidArgumentError, writeFileAtomic } from '@mlsd/core';
import sharp, { type OverlayOptions, type Sharp } from 'sharp';

/**
 * One picture on a contact sheet: encoded image bytes (any format sharp reads), a file path,
 * or raw 8-bit grayscale pixels (for datasets such as Fashion-MNIST).
 */
export type SheetImage =
  | Uint8Array
  | string
  | { pixels: Uint8Array; width: number; height: number };

/** One result next to the query on a contact sheet. */
export interface SheetResult {
  image: SheetImage;
  /** True draws a green frame (relevant, e.g. same label as the query), false a red one. */
  relevant?: boolean;
}

/** One row of a contact sheet: the query, then its results in rank order. */
export interface SheetRow {
  query: SheetImage;
  results: readonly SheetResult[];
}

/** Options of {@link renderContactSheet}. */
export interface ContactSheetOptions {
  /** Side of each square cell in pixels (images are fitted inside it); default 84. */
  cellSize?: number;
  /** Gap between cells and the frame width, in pixels; default 6. */
  gap?: number;
}

const QUERY_FRAME = { r: 40, g: 90, b: 220 };
const RELEVANT_FRAME = { r: 30, g: 170, b: 60 };
const IRRELEVANT_FRAME = { r: 210, g: 40, b: 40 };
const NEUTRAL_FRAME = { r: 160, g: 160, b: 160 };

/**
 * Renders query rows as a PNG: each row shows the query (blue frame) then its results left to
 * right, framed green when relevant and red when not, so a reader sees at a glance what the
 * search got right. No text is drawn, so no fonts are needed.
 * @throws InvalidArgumentError when there are no rows or a raw image's size does not match.
 */
export async function renderContactSheet(
  rows: readonly SheetRow[],
  options: ContactSheetOptions = {},
): Promise<Buffer> {
  const cell = options.cellSize ?? 84;
  const gap = options.gap ?? 6;
  if (rows.length === 0) throw new InvalidArgumentError('renderContactSheet: no rows to draw.');
  if (!Number.isInteger(cell) || cell < 8 || !Number.isInteger(gap) || gap < 1) {
    throw new InvalidArgumentError(
      `renderContactSheet: cellSize must be an integer >= 8 and gap >= 1; got ${cell} and ${gap}.`,
    );
  }
  const columns = 1 + Math.max(...rows.map((row) => row.results.length));
  const pitch = cell + 2 * gap;
  // The query column is followed by an extra gap so it stands apart from the results.
  const width = columns * pitch + gap;
  const height = rows.length * pitch;
  const layers: OverlayOptions[] = [];
  for (const [r, row] of rows.entries()) {
    const cells: { image: SheetImage; frame: typeof QUERY_FRAME; x: number }[] = [
      { image: row.query, frame: QUERY_FRAME, x: 0 },
      ...row.results.map((result, i) => ({
        image: result.image,
        frame:
          result.relevant === undefined
            ? NEUTRAL_FRAME
            : result.relevant
              ? RELEVANT_FRAME
              : IRRELEVANT_FRAME,
        x: (i + 1) * pitch + gap,
      })),
    ];
    for (const { image, frame, x } of cells) {
      const framed = await sharp(await fitToCell(image, cell))
        .extend({ top: gap - 1, bottom: gap - 1, left: gap - 1, right: gap - 1, background: frame })
        .png()
        .toBuffer();
      layers.push({ input: framed, left: x + 1, top: r * pitch + 1 });
    }
  }
  return sharp({
    create: { width, height, channels: 3, background: { r: 255, g: 255, b: 255 } },
  })
    .composite(layers)
    .png()
    .toBuffer();
}

/** Renders a contact sheet (see {@link renderContactSheet}) and writes it atomically as PNG. */
export async function writeContactSheet(
  path: string,
  rows: readonly SheetRow[],
  options: ContactSheetOptions = {},
): Promise<void> {
  await writeFileAtomic(path, await renderContactSheet(rows, options));
}

async function fitToCell(image: SheetImage, cell: number): Promise<Buffer> {
  const white = { r: 255, g: 255, b: 255 };
  let pipeline: Sharp;
  let small: boolean;
  if (typeof image === 'string' || image instanceof Uint8Array) {
    const metadata = await sharp(image)
      .metadata()
      .catch(() => undefined);
    if (metadata === undefined) {
      // A result whose file is gone or unreadable: a grey cell, not a failed sheet.
      return sharp({
        create: { width: cell, height: cell, channels: 3, background: { r: 200, g: 200, b: 200 } },
      })
        .png()
        .toBuffer();
    }
    small = Math.max(metadata.width ?? 0, metadata.pageHeight ?? metadata.height ?? 0) <= cell;
    // Photos are shown as cameras meant them: EXIF orientation applied.
    pipeline = sharp(image).rotate();
  } else {
    if (image.pixels.length !== image.width * image.height) {
      throw new InvalidArgumentError(
        `renderContactSheet: a raw image of ${image.width}×${image.height} needs ${image.width * image.height} pixels, got ${image.pixels.length}.`,
      );
    }
    small = true;
    pipeline = sharp(image.pixels, {
      raw: { width: image.width, height: image.height, channels: 1 },
    });
  }
  return pipeline
    .flatten({ background: white })
    .resize(cell, cell, {
      fit: 'contain',
      background: white,
      // Small images (Fashion-MNIST's 28 px) are enlarged with visible pixels; photos shrink smoothly.
      kernel: small ? 'nearest' : 'lanczos3',
    })
    .toColourspace('srgb')
    .png()
    .toBuffer();
}
