/** One reader run for ingest.bench.ts: prints { rows, elapsedS, rowsPerSecond, peakRssMb } as JSON. */
import { createReadStream, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { TransactionRowSchema as schema, TRANSACTION_COLUMN_KINDS } from '@mlsd/datasets';
import { readCsv } from '@mlsd/ingest';

const [name, path] = process.argv.slice(2) as [string, string];

async function run(): Promise<number> {
  if (name.startsWith('mlsd-readCsv')) {
    const datetime = name === 'mlsd-readCsv-datetime-strings' ? 'string' : 'datetime';
    const few = name === 'mlsd-readCsv-3-columns';
    const result = await readCsv(
      path,
      few ? schema.pick({ CUSTOMER_ID: true, TX_AMOUNT: true, TX_FRAUD: true }) : schema,
      {
        columns: few
          ? { CUSTOMER_ID: 'int32', TX_FRAUD: 'uint8' }
          : { ...TRANSACTION_COLUMN_KINDS, TX_DATETIME: datetime, TERMINAL_ID: 'category' },
        quarantinePath: join(mkdtempSync(join(tmpdir(), 'mlsd-bench-')), 'quarantine.jsonl'),
      },
    );
    if (result.stats.quarantined !== 0) throw new Error('unexpected quarantined rows');
    return result.table.length;
  }
  if (name === 'baseline-split-lines') {
    const columns: number[][] = Array.from({ length: 9 }, () => []);
    const dates: string[] = [];
    let header = true;
    for await (const line of createInterface({
      input: createReadStream(path),
      crlfDelay: Number.POSITIVE_INFINITY,
    })) {
      if (header) {
        header = false;
        continue;
      }
      const cells = line.split(',');
      for (let c = 0; c < 9; c++) {
        if (c === 1) dates.push(cells[1]!);
        else columns[c]!.push(Number(cells[c]));
      }
    }
    return dates.length;
  }
  if (name === 'baseline-readfile-split') {
    const lines = readFileSync(path, 'utf8').split('\n');
    const columns: number[][] = Array.from({ length: 9 }, () => []);
    let count = 0;
    for (let i = 1; i < lines.length; i++) {
      if (lines[i] === '') continue;
      const cells = lines[i]!.split(',');
      for (let c = 0; c < 9; c++) if (c !== 1) columns[c]!.push(Number(cells[c]));
      count++;
    }
    return count;
  }
  throw new Error(`unknown reader ${name}`);
}

const started = performance.now();
const rows = await run();
const elapsedS = (performance.now() - started) / 1000;
process.stdout.write(
  `${JSON.stringify({ rows, elapsedS, rowsPerSecond: rows / elapsedS, peakRssMb: process.resourceUsage().maxRSS / 1024 })}\n`,
);
