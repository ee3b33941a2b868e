import { mkdtemp, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runVisualSearch } from '../src/visual-search.js';

describe('visual-search example', () => {
  it('indexes, evaluates, queries real files, draws a contact sheet and sees drift in shifted queries; then your photos with a pretrained model', async () => {
    const outDir = await mkdtemp(join(tmpdir(), 'mlsd-visual-'));
    const lines: string[] = [];
    const summary = await runVisualSearch({
      outDir,
      catalogue: 3_000,
      queries: 300,
      photos: 12,
      yourPhotos: { sources: ['cat', 'rocket'], variants: 4 },
      log: (line) => lines.push(line),
    });
    // Real files: 12 images decoded, the 3 broken ones reported, counts reconcile.
    expect(summary.folder).toMatchObject({ found: 15, decoded: 12, skipped: 3 });
    expect(summary.folder.skippedFiles.sort()).toEqual([
      'empty.jpg',
      'readme.png',
      'truncated.png',
    ]);
    // The shipped embedder retrieves same-kind items far above chance (0.1) even on a small catalogue.
    expect(summary.evaluation.precisionAtK).toBeGreaterThan(0.7);
    expect(summary.evaluation.recallAtK).toBeGreaterThan(0.9);
    expect(summary.evaluation.p50Ms).toBeGreaterThan(0);
    expect((await stat(summary.sheetPath)).size).toBeGreaterThan(5_000);
    // Clean queries look like the reference; brighter, blurred ones drift.
    expect(summary.drift.clean.datasetDrift).toBe(false);
    expect(summary.drift.shifted.datasetDrift).toBe(true);
    expect(lines.join('\n')).toContain('15 files = 12 decoded + 3 skipped');

    // Your photos: a pretrained MobileNetV2 on real photos in mixed formats; each unusable
    // file skipped with its reason (the bomb decodes from the rows it needs).
    const photos = summary.yourPhotos!;
    expect(photos.embedder).toMatchObject({ dim: 1280, spec: '224×224×3 nhwc, cover, unit' });
    expect(photos.folder).toMatchObject({ found: 14, decoded: 9, skipped: 5, ignored: 1 });
    expect(photos.folder.skippedFiles).toEqual([
      { file: 'empty.jpg', code: 'CORRUPT_FILE' },
      { file: 'huge.png', code: 'TOO_LARGE' },
      { file: 'phone.heic', code: 'UNSUPPORTED' },
      { file: 'shortcut.jpg', code: 'SYMLINK' },
      { file: 'truncated.jpg', code: 'CORRUPT_FILE' },
    ]);
    // Each photo's other versions (resized, cropped, EXIF-rotated) are its nearest neighbours.
    expect(photos.evaluation.precisionAtK).toBe(1);
    expect(photos.live).toEqual({
      added: true,
      foundAfterAdd: 'cat/mirrored.jpg',
      removed: true,
      goneAfterRemove: true,
    });
    expect((await stat(photos.sheetPath)).size).toBeGreaterThan(20_000);
  }, 240_000);
});
