import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Table } from '@mlsd/core';
import { loadFashionMnist, simulateTransactions } from '@mlsd/datasets';
import type { HandbookTransaction } from '@mlsd/fraud';
import { trainFraudModel } from '@mlsd/fraud';
import {
  DEFAULT_EMBEDDER_DIR,
  fashionMnistCatalogue,
  fashionMnistPng,
  ImageSearch,
  loadImageEmbedder,
} from '@mlsd/vision';

/** What {@link buildTestArtifacts} writes and returns. */
export interface TestArtifacts {
  /** A small fraud-model artifact folder (logistic regression on a 40-day simulated world). */
  fraudModelDir: string;
  /** A small image-search artifact folder (the shipped embedder over 600 Fashion-MNIST images). */
  imageIndexDir: string;
  /** Transactions after the model's history, in time order, ready to POST one by one. */
  transactions: HandbookTransaction[];
  /** A Fashion-MNIST test image as PNG bytes (dark garment on white). */
  sampleImagePng: Buffer;
  /** The Fashion-MNIST label (0–9) of {@link TestArtifacts.sampleImagePng}. */
  sampleImageLabel: number;
}

const HISTORY_DAYS = 37;
const CATALOGUE = 600;

/** Rows of a simulated table as score requests (the simulator's columns, label dropped). */
export function toRequests(table: Table, count = table.length): HandbookTransaction[] {
  const ids = table.numeric('TRANSACTION_ID');
  const seconds = table.numeric('TX_TIME_SECONDS');
  const days = table.numeric('TX_TIME_DAYS');
  const customers = table.numeric('CUSTOMER_ID');
  const terminals = table.numeric('TERMINAL_ID');
  const amounts = table.numeric('TX_AMOUNT');
  const n = Math.min(count, table.length);
  const out: HandbookTransaction[] = [];
  for (let i = 0; i < n; i++) {
    out.push({
      TRANSACTION_ID: ids[i]!,
      TX_TIME_SECONDS: seconds[i]!,
      TX_TIME_DAYS: days[i]!,
      CUSTOMER_ID: customers[i]!,
      TERMINAL_ID: terminals[i]!,
      TX_AMOUNT: amounts[i]!,
    });
  }
  return out;
}

/** The simulated world of {@link buildSmallFraudModel}. */
export interface SmallWorld {
  customers: number;
  terminals: number;
  /** Days simulated after the 37 days of history the model is trained on. */
  laterDays: number;
  seed: number;
  /** Training rows kept as the drift reference. */
  referenceRows: number;
}

/**
 * Trains a logistic-regression fraud model on the first 37 days of a small simulated world
 * (the protocol shifted so it fits) and saves it, with its warm online state, at `dir`.
 * @returns the transactions of the days after the history, in time order.
 */
export async function buildSmallFraudModel(dir: string, world: SmallWorld): Promise<Table> {
  const { table } = simulateTransactions({
    customers: world.customers,
    terminals: world.terminals,
    days: HISTORY_DAYS + world.laterDays,
    seed: world.seed,
    progress: false,
  });
  const days = table.numeric('TX_TIME_DAYS');
  const history = table.filter(Uint8Array.from(days, (d) => (d < HISTORY_DAYS ? 1 : 0)));
  const trained = await trainFraudModel(
    history,
    {
      preset: 'handbook',
      model: { kind: 'logreg', seed: 1 },
      // Day 0 is 2018-04-01: validation fits from day 8, the final model from day 22.
      protocol: {
        trainStart: '2018-04-23',
        trainDays: 7,
        delayDays: 4,
        testDays: 3,
        dailyBudget: 20,
      },
    },
    { referenceRows: world.referenceRows },
  );
  await trained.model.save(dir);
  return table.filter(Uint8Array.from(days, (d) => (d >= HISTORY_DAYS ? 1 : 0)));
}

/**
 * Builds small but real artifacts for the service tests (and helper benchmarks): a fraud model
 * trained on a simulated world (history of 37 days; the protocol shifted so it fits) with its
 * warm online state, an image index over Fashion-MNIST training images embedded by the shipped
 * embedder, 400 later transactions to score and a sample query image. A few seconds on 2 cores.
 */
export async function buildTestArtifacts(dir: string): Promise<TestArtifacts> {
  await mkdir(dir, { recursive: true });
  const fraudModelDir = join(dir, 'fraud-model');
  const imageIndexDir = join(dir, 'image-index');

  const later = await buildSmallFraudModel(fraudModelDir, {
    customers: 300,
    terminals: 600,
    laterDays: 3,
    seed: 7,
    referenceRows: 3_000,
  });

  const dataset = await loadFashionMnist();
  const embedder = await loadImageEmbedder(DEFAULT_EMBEDDER_DIR);
  const side = dataset.train.rows * dataset.train.cols;
  const catalogue = fashionMnistCatalogue(dataset, CATALOGUE);
  const search = await ImageSearch.build({
    embedder,
    ids: catalogue.ids,
    pixels: catalogue.pixels,
    metadata: catalogue.metadata,
  });
  await search.save(imageIndexDir);

  const sampleImagePng = await fashionMnistPng(dataset.test.images.subarray(0, side));
  return {
    fraudModelDir,
    imageIndexDir,
    transactions: toRequests(later, 400),
    sampleImagePng,
    sampleImageLabel: dataset.test.labels[0]!,
  };
}
