/**
 * The mlsd foundation in one run: pick a TensorFlow.js backend, load Fashion-MNIST, read a
 * transactions CSV through a schema with a quarantine, and save and verify an artifact.
 * Each later example builds a whole system on these pieces.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Rng, readArtifact, tableToMatrix, writeArtifact } from '@mlsd/core';
import {
  FASHION_MNIST_LABELS,
  loadFashionMnist,
  TRANSACTION_COLUMN_KINDS,
  TransactionRowSchema,
} from '@mlsd/datasets';
import { readCsv } from '@mlsd/ingest';
import { initBackend } from '@mlsd/tf';

/** Options of {@link runGettingStarted}. */
export interface GettingStartedOptions {
  /** Where outputs go (quarantine file, artifact). */
  outDir: string;
  /** The CSV to ingest (default: datasets/fixtures/transactions-sample.csv). */
  csvPath?: string;
  /** Where progress and the summary are written (default: stderr). */
  log?: (line: string) => void;
}

/** What the run found, for tests and for callers that want numbers rather than text. */
export interface GettingStartedSummary {
  backend: string;
  fashionMnist: { train: number; test: number; perClass: number[] };
  ingest: { read: number; accepted: number; quarantined: number; reasons: string[] };
  artifact: { dir: string; files: number; verified: boolean };
}

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** Runs the tour and returns what it found; prints a readable account through `log`. */
export async function runGettingStarted(
  options: GettingStartedOptions,
): Promise<GettingStartedSummary> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));

  log('1. TensorFlow.js backend (tfjs-node if it loads, else WebAssembly, else plain JS)');
  const backend = await initBackend({ quiet: true });
  log(`   using ${backend.name}: ${backend.reason}`);

  log('2. Fashion-MNIST from the committed IDX files');
  const fashion = await loadFashionMnist();
  const perClass = new Array<number>(10).fill(0);
  for (const label of fashion.train.labels) perClass[label]!++;
  log(
    `   ${fashion.train.count} train + ${fashion.test.count} test images of ${fashion.train.rows}×${fashion.train.cols}`,
  );
  log(
    `   train images per class: ${FASHION_MNIST_LABELS.map((name, i) => `${name} ${perClass[i]}`).join(', ')}`,
  );

  log('3. Transactions CSV through a zod schema; bad rows go to a quarantine with their reason');
  const csvPath = options.csvPath ?? join(repoRoot, 'datasets/fixtures/transactions-sample.csv');
  const quarantinePath = join(options.outDir, 'quarantine.jsonl');
  // The simulator's own schema and column kinds, so this example reads what it writes.
  const { table, stats, quarantine } = await readCsv(csvPath, TransactionRowSchema, {
    columns: TRANSACTION_COLUMN_KINDS,
    quarantinePath,
  });
  log(
    `   read ${stats.read} = accepted ${stats.accepted} + quarantined ${stats.quarantined} (written to ${quarantinePath})`,
  );
  for (const row of quarantine) log(`   line ${row.line}: ${row.reason}`);
  const byAmount = table.sortBy('TX_AMOUNT', { descending: true }).head(3);
  log(`   largest amounts: ${[...byAmount.numeric('TX_AMOUNT')].join(', ')}`);

  log(
    '4. An artifact: files + manifest.json with sizes and sha256, written atomically, verified on load',
  );
  const artifactDir = join(options.outDir, 'amount-summary');
  const amounts = tableToMatrix(table, ['TX_AMOUNT', 'TX_FRAUD']);
  const rng = new Rng(42);
  const sample = rng.sample(table.length, Math.min(10, table.length));
  await writeArtifact(artifactDir, {
    kind: 'getting-started-summary',
    formatVersion: 1,
    params: { source: csvPath, seed: 42 },
    metrics: { rows: table.length, fraudRows: countFrauds(amounts.data, amounts.cols) },
    files: { 'sample-rows.json': JSON.stringify([...sample].map((i) => table.row(i))) },
  });
  const loaded = await readArtifact(artifactDir, { kind: 'getting-started-summary' });
  log(`   ${artifactDir}: ${loaded.manifest.files.length} file(s), checksums verified`);

  return {
    backend: backend.name,
    fashionMnist: { train: fashion.train.count, test: fashion.test.count, perClass },
    ingest: {
      read: stats.read,
      accepted: stats.accepted,
      quarantined: stats.quarantined,
      reasons: quarantine.map((q) => q.reason),
    },
    artifact: { dir: artifactDir, files: loaded.manifest.files.length, verified: true },
  };
}

function countFrauds(data: Float32Array | Float64Array, cols: number): number {
  let frauds = 0;
  for (let i = 1; i < data.length; i += cols) frauds += data[i]!;
  return frauds;
}
