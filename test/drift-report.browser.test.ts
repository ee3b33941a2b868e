import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CategoryColumn, Rng, Table } from '@mlsd/core';
import { DriftMonitor, writeDriftReport } from '@mlsd/drift';
import { describe, expect, it } from 'vitest';
import { launchChromium } from './chromium.js';

function table(n: number, seed: number, shift: number, webShare: number): Table {
  const rng = new Rng(seed);
  return new Table({
    amount: Float64Array.from({ length: n }, () => 50 + shift + 10 * rng.normal()),
    channel: CategoryColumn.fromValues(
      Array.from({ length: n }, () => (rng.next() < webShare ? 'web' : 'pos')),
    ),
  });
}

describe('drift HTML report in headless Chromium', () => {
  it('shows the verdict table and, for each drifted column, its chart', async () => {
    const reference = table(3_000, 1, 0, 0.3);
    const current = table(2_000, 2, 8, 0.6);
    const report = new DriftMonitor(reference).check(current, 'week 12');
    const path = join(await mkdtemp(join(tmpdir(), 'mlsd-drift-report-')), 'drift.html');
    await writeDriftReport(path, report, reference, current);
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
      await page.goto(pathToFileURL(path).href);
      expect(await page.locator('h1').textContent()).toContain('week 12');
      expect(await page.locator('tr.drift').count()).toBe(2);
      // One ECDF chart (two lines) for amount, two share charts for channel.
      expect(await page.locator('svg').count()).toBe(3);
      expect(await page.locator('svg').first().locator('polyline').count()).toBe(2);
      expect(await page.locator('.verdict').textContent()).toContain('dataset drift');
    } finally {
      await browser.close();
    }
  });
});
