/**
 * How fast does @mlsd/ingest read the fraud transactions CSV, and with how much memory,
 * beside a plain split-lines reader in the same run? Each reader runs in its own process so
 * peak RSS is its own. ROWS=200000 for a quick run. Writes benchmarks/results/ingest.json.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { Rng, writeJsonAtomic } from '@mlsd/core';
import { TRANSACTION_COLUMNS } from '@mlsd/datasets';

const root = fileURLToPath(new URL('../../', import.meta.url));
const rows = Number(process.env.ROWS ?? 1_750_000);
const csvPath = `${root}datasets/generated/bench-transactions-${rows}.csv`;
const worker = fileURLToPath(new URL('./ingest-worker.ts', import.meta.url));

/** A transactions CSV in the simulator's columns, deterministic for its size. */
async function generate(path: string, n: number): Promise<void> {
  await mkdir(`${root}datasets/generated`, { recursive: true });
  const rng = new Rng(2018);
  const out = createWriteStream(path);
  out.write(`${TRANSACTION_COLUMNS.join(',')}\n`);
  const start = Date.UTC(2018, 3, 1) / 1000;
  let seconds = 0;
  let buffer = '';
  for (let i = 0; i < n; i++) {
    seconds += rng.integer(0, 18);
    const date = new Date((start + seconds) * 1000).toISOString().replace('T', ' ').slice(0, 19);
    const fraud = rng.next() < 0.0084 ? 1 : 0;
    buffer += `${i},${date},${rng.integer(0, 5000)},${rng.integer(0, 10000)},${(rng.next() * 200).toFixed(2)},${seconds},${Math.floor(seconds / 86400)},${fraud},${fraud ? rng.integer(1, 4) : 0}\n`;
    if (buffer.length > 1 << 16) {
      if (!out.write(buffer))
        await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      buffer = '';
    }
  }
  await new Promise<void>((resolve) => out.end(buffer, () => resolve()));
}

if (!existsSync(csvPath)) {
  process.stderr.write(`generating ${rows.toLocaleString('en-US')} rows into ${csvPath}\n`);
  await generate(csvPath, rows);
}
const fileMb = statSync(csvPath).size / 2 ** 20;

interface ReaderFigures {
  name: string;
  description: string;
  rows: number;
  elapsedS: number;
  rowsPerSecond: number;
  peakRssMb: number;
}

const readers = [
  [
    'mlsd-readCsv',
    'readCsv, zod schema on all 9 columns: ids int32, terminal category, amount float64, labels uint8, TX_DATETIME parsed to epoch seconds; quarantine on',
  ],
  ['mlsd-readCsv-datetime-strings', 'the same, but TX_DATETIME kept as 1.75 M JS strings'],
  [
    'mlsd-readCsv-3-columns',
    'readCsv keeping 3 of the 9 columns (customer, amount, label): memory follows the output, not the file',
  ],
  [
    'baseline-split-lines',
    'readline over the file, line.split(","), Number() per cell into JS arrays (dates as strings); no quoting, no validation',
  ],
  [
    'baseline-readfile-split',
    'readFileSync the whole file, split("\\n") then split(","); holds the raw text',
  ],
] as const;

const results: ReaderFigures[] = [];
for (const [name, description] of readers) {
  const best: ReaderFigures[] = [];
  for (let run = 0; run < 3; run++) {
    const child = spawnSync(
      process.execPath,
      ['--import', 'tsx', '--conditions=@mlsd/source', worker, name, csvPath],
      {
        encoding: 'utf8',
        cwd: root,
        maxBuffer: 1 << 20,
      },
    );
    if (child.status !== 0) throw new Error(`${name} failed: ${child.stderr}`);
    const figures = JSON.parse(child.stdout.trim().split('\n').pop()!) as Omit<
      ReaderFigures,
      'name' | 'description'
    >;
    best.push({ name, description, ...figures });
  }
  best.sort((a, b) => a.elapsedS - b.elapsedS);
  results.push(best[1]!); // the median of three runs
  const r = best[1]!;
  process.stderr.write(
    `${name.padEnd(24)} ${r.rowsPerSecond.toFixed(0).padStart(10)} rows/s  ${r.elapsedS.toFixed(2)} s  peak RSS ${r.peakRssMb.toFixed(0)} MB\n`,
  );
}

await writeJsonAtomic(`${root}benchmarks/results/ingest.json`, {
  benchmark: 'ingest',
  question:
    'Rows/s and peak memory reading the transactions CSV with @mlsd/ingest, beside plain readers in the same run.',
  created: new Date().toISOString(),
  machine: { node: process.version, cpus: os.cpus().length, cpu: os.cpus()[0]?.model },
  input: { rows, fileMb: Number(fileMb.toFixed(1)) },
  readers: results,
  note: 'Median of 3 runs, each reader in its own process. Peak RSS is process.resourceUsage().maxRSS.',
});
