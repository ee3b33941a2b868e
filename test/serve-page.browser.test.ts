import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createService, type Service } from '@mlsd/serve';
import { buildTestArtifacts, type TestArtifacts } from '@mlsd/test-utils/serve-artifacts';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './chromium.js';

/** Screenshots land here (git-ignored) for a person to look at. */
const SHOT_DIR = fileURLToPath(new URL('../.tmp/', import.meta.url));

describe('the service web page in headless Chromium', () => {
  let dir: string;
  let artifacts: TestArtifacts;
  let service: Service;
  let url: string;
  let browser: Browser;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mlsd-serve-page-'));
    artifacts = await buildTestArtifacts(dir);
    service = await createService({
      fraudModelDir: artifacts.fraudModelDir,
      imageIndexDir: artifacts.imageIndexDir,
      logger: false,
    });
    url = await service.listen({ host: '127.0.0.1', port: 0 });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await service?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('finds similar images for an uploaded file and scores typed transactions', async () => {
    const page = await browser.newPage({ viewport: { width: 1360, height: 1100 } });
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      // Two submissions below are refused on purpose (400, 409); the browser logs those.
      if (message.type() === 'error' && !/status of 40[09]/.test(message.text())) {
        problems.push(`console: ${message.text()}`);
      }
    });
    page.on('response', (response) => {
      if (response.status() >= 400 && !response.url().endsWith('/v1/fraud/score')) {
        problems.push(`${response.status()} ${response.url()}`);
      }
    });
    await page.goto(`${url}/`);
    await page.locator('body[data-ready="true"]').waitFor();
    await expect(page.getByRole('heading', { name: 'Similar images' }).isVisible()).resolves.toBe(
      true,
    );
    expect(await page.getByRole('status').textContent()).toContain('600 images');

    // Panel 1: k = 5, upload the sample PNG through the file input.
    await page.getByLabel('Number of results (k)').selectOption('5');
    await page.getByLabel('Query image').setInputFiles({
      name: 'query.png',
      mimeType: 'image/png',
      buffer: artifacts.sampleImagePng,
    });
    const cards = page.getByRole('list', { name: 'Similar images results' }).getByRole('listitem');
    await cards.nth(4).waitFor();
    expect(await cards.count()).toBe(5);
    for (let i = 0; i < 5; i++) {
      const text = (await cards.nth(i).textContent()) ?? '';
      expect(text).toMatch(/d = \d\.\d{3}/);
      expect(await cards.nth(i).getAttribute('data-label')).toMatch(/^\d$/);
      expect(await cards.nth(i).locator('.hit-label').textContent()).toMatch(/^[A-Za-z]|^\d$/);
    }
    // Distances come sorted, nearest first.
    const distances = await cards.evaluateAll((items) =>
      items.map((item) => Number(item.querySelector('.hit-distance')?.textContent?.slice(4))),
    );
    expect([...distances].sort((a, b) => a - b)).toEqual(distances);
    // Every thumbnail actually loaded from /v1/images/:id/thumbnail.
    await page.waitForFunction(
      "[...document.querySelectorAll('#image-results img')].every((image) => image.complete && image.naturalWidth > 0)",
    );
    expect(await page.getByAltText('Your query').isVisible()).toBe(true);

    // Dropping a file on the drop zone with a label filter: every hit carries that label.
    const similar = (label: string) =>
      page.waitForResponse(
        (response) =>
          response.url().includes('/v1/images/similar') &&
          response.url().includes(`label=${label}`),
      );
    // Changing the filter re-runs the last query...
    await Promise.all([similar('3'), page.getByLabel('Label filter').selectOption('3')]);
    // ...and a drop runs a new one.
    const dropped = similar('3');
    await page.evaluate(
      `(() => {
        const bytes = Uint8Array.from(atob('${artifacts.sampleImagePng.toString('base64')}'), (c) => c.charCodeAt(0));
        const transfer = new DataTransfer();
        transfer.items.add(new File([bytes], 'dropped.png', { type: 'image/png' }));
        document.getElementById('drop-zone').dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
      })()`,
    );
    expect((await dropped).status()).toBe(200);
    await page.waitForFunction(
      "[...document.querySelectorAll('#image-results .card')].map((card) => card.dataset.label).join() === '3,3,3,3,3'",
    );
    // Back to any label: the nearest images are the query's own kind (an ankle boot, 9) again.
    await Promise.all([
      page.waitForResponse((response) => response.url().endsWith('/v1/images/similar?k=5')),
      page.getByLabel('Label filter').selectOption(''),
    ]);
    await page.waitForFunction(
      "document.querySelector('#image-results .card')?.dataset.label === '9'",
    );
    expect(await page.locator('#image-server-ms').textContent()).toMatch(/ms$/);
    expect(await page.locator('#image-roundtrip-ms').textContent()).toMatch(/ms$/);

    // Panel 2: the form follows the model's config (here the simulator's columns) and starts
    // with the service's example. One transaction from after the model's history, typed in.
    await page.waitForFunction(
      "document.querySelector('input[name=TRANSACTION_ID]')?.value.startsWith('web-') === true",
    );
    const first = artifacts.transactions[0]!;
    await page.getByLabel('TRANSACTION_ID').fill(String(first.TRANSACTION_ID));
    await page.getByLabel('CUSTOMER_ID').fill(String(first.CUSTOMER_ID));
    await page.getByLabel('TERMINAL_ID').fill(String(first.TERMINAL_ID));
    await page.getByLabel('TX_AMOUNT').fill(String(first.TX_AMOUNT));
    await page.getByLabel('TX_TIME_SECONDS').fill(String(first.TX_TIME_SECONDS));
    await page.getByRole('button', { name: 'Score transaction' }).click();
    const result = page.getByRole('region', { name: 'Score result' });
    await result.waitFor();
    await page.locator('#fraud-transaction', { hasText: String(first.TRANSACTION_ID) }).waitFor();
    const score = Number(await page.locator('#fraud-score').textContent());
    expect(score).toBeGreaterThanOrEqual(0);
    expect(score).toBeLessThanOrEqual(1);
    expect(['alert', 'pass']).toContain(await page.locator('#fraud-decision').textContent());
    const info = (await (await fetch(`${url}/v1/info`)).json()) as {
      fraud: { features: string[] };
    };
    expect(await page.getByRole('table', { name: 'Features' }).locator('tbody tr').count()).toBe(
      info.fraud.features.length,
    );
    expect(await page.getByRole('alert').filter({ hasText: /./ }).count()).toBe(0);

    // The form moved on (a new id, a later time): submitting it again as it is scores again.
    await page.waitForFunction(
      "document.querySelector('input[name=TRANSACTION_ID]')?.value.startsWith('web-') === true",
    );
    const nextId = await page.getByLabel('TRANSACTION_ID').inputValue();
    expect(Number(await page.getByLabel('TX_TIME_SECONDS').inputValue())).toBeGreaterThan(
      first.TX_TIME_SECONDS,
    );
    await page.getByLabel('TX_AMOUNT').fill('912.40');
    await page.getByRole('button', { name: 'Score transaction' }).click();
    await page.locator('#fraud-transaction', { hasText: nextId }).waitFor();
    await mkdir(SHOT_DIR, { recursive: true });
    const shot = join(SHOT_DIR, 'serve-page.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect((await stat(shot)).size).toBeGreaterThan(30_000);

    // A bad amount: the API's code and message show, the last score stays.
    await page.getByLabel('TX_AMOUNT').fill('twelve');
    await page.getByRole('button', { name: 'Score transaction' }).click();
    const error = page.locator('#fraud-error');
    await error.waitFor();
    expect(await error.getAttribute('role')).toBe('alert');
    const errorText = (await error.textContent()) ?? '';
    expect(errorText).toContain('INVALID_TRANSACTION (400)');
    expect(errorText).toContain('TX_AMOUNT');
    await page.screenshot({ path: join(SHOT_DIR, 'serve-page-error.png'), fullPage: true });

    // A time before the state's clock: 409 OUT_OF_ORDER, and the form gets a new id and a time
    // past the clock so that submitting again scores.
    await page.getByLabel('TX_AMOUNT').fill('20.5');
    await page.getByLabel('TX_TIME_SECONDS').fill('0');
    await page.getByRole('button', { name: 'Score transaction' }).click();
    await error.filter({ hasText: 'OUT_OF_ORDER (409)' }).waitFor();
    await error.filter({ hasText: 'submit again' }).waitFor();
    const movedTime = Number(await page.getByLabel('TX_TIME_SECONDS').inputValue());
    expect(movedTime).toBeGreaterThan(first.TX_TIME_SECONDS);
    const retryId = await page.getByLabel('TRANSACTION_ID').inputValue();
    await page.getByRole('button', { name: 'Score transaction' }).click();
    await page.locator('#fraud-transaction', { hasText: retryId }).waitFor();
    expect(await error.isVisible()).toBe(false);

    expect(problems).toEqual([]);
  });

  it('hides the panel of an artifact the service did not load', async () => {
    const imagesOnly = await createService({
      imageIndexDir: artifacts.imageIndexDir,
      logger: false,
    });
    try {
      const page = await browser.newPage();
      await page.goto(`${await imagesOnly.listen({ host: '127.0.0.1', port: 0 })}/`);
      await page.locator('body[data-ready="true"]').waitFor();
      expect(await page.getByRole('heading', { name: 'Similar images' }).isVisible()).toBe(true);
      expect(await page.getByRole('heading', { name: 'Score a transaction' }).isVisible()).toBe(
        false,
      );
      expect(await page.getByRole('status').textContent()).not.toContain('fraud model');
    } finally {
      await imagesOnly.close();
    }
  });
});
