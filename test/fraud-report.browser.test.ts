import { mkdtemp, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { simulateTransactions } from '@mlsd/datasets';
import { evaluateFraudModel, trainFraudModel, writeFraudReport } from '@mlsd/fraud';
import { describe, expect, it } from 'vitest';
import { launchChromium } from './chromium.js';

describe('fraud HTML report in headless Chromium', () => {
  it('renders offline: headline table, three charts with drawn lines and bars', async () => {
    const { table } = simulateTransactions({
      customers: 300,
      terminals: 600,
      days: 140,
      seed: 9,
      progress: false,
    });
    const { model, data } = await trainFraudModel(
      table,
      { model: { kind: 'logreg' } },
      { warmOnlineState: false },
    );
    const evaluation = evaluateFraudModel(model, table, { data, bootstrap: 20 });
    const dir = await mkdtemp(join(tmpdir(), 'mlsd-report-'));
    const path = join(dir, 'report.html');
    await writeFraudReport(path, model, evaluation);

    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
      const requests: string[] = [];
      page.on('request', (request) => requests.push(request.url()));
      await page.goto(pathToFileURL(path).href);
      expect(await page.locator('h1').textContent()).toContain('logreg');
      expect(await page.locator('svg').count()).toBe(3);
      // Each curve is a polyline with many points; the daily chart has one bar per test day.
      const points = await page.locator('svg polyline').first().getAttribute('points');
      expect(points!.split(' ').length).toBeGreaterThan(10);
      expect(await page.locator('svg rect[height]').count()).toBeGreaterThanOrEqual(7);
      const box = await page.locator('svg').first().boundingBox();
      expect(box!.width).toBeGreaterThan(300);
      const shot = join(dir, 'report.png');
      await page.screenshot({ path: shot, fullPage: true });
      expect((await stat(shot)).size).toBeGreaterThan(20_000);
      // Nothing but the page itself was loaded: the report works offline.
      expect(requests).toEqual([pathToFileURL(path).href]);
    } finally {
      await browser.close();
    }
  });
});
