import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CsvParser } from '../src/csv-parser.js';
import { readCsv } from '../src/read-csv.js';
import { readJsonl } from '../src/read-jsonl.js';

const schema = z.object({
  TRANSACTION_ID: z.number().int().nonnegative(),
  CUSTOMER_ID: z.number().int(),
  TX_AMOUNT: z.number().nonnegative(),
  NOTE: z.string().optional(),
});
const HEADER = 'TRANSACTION_ID,CUSTOMER_ID,TX_AMOUNT,NOTE';

/** A CSV of `rows` good rows (id i on line i + 2), with `edit` applied to some lines. */
function transactions(rows: number, edit: (id: number, line: string) => string = (_, l) => l) {
  const lines = [HEADER];
  for (let id = 0; id < rows; id++)
    lines.push(edit(id, `${id},${id % 97},${(id % 500) + 0.25},ok`));
  return `${lines.join('\n')}\n`;
}

/** Ids read into the table. */
async function read(text: string, chunk = 1 << 16, maxRecordChars?: number) {
  const chunks: string[] = [];
  for (let i = 0; i < text.length; i += chunk) chunks.push(text.slice(i, i + chunk));
  const result = await readCsv(chunks, schema, {
    columns: { TRANSACTION_ID: 'int32', CUSTOMER_ID: 'int32' },
    ...(maxRecordChars === undefined ? {} : { maxRecordChars }),
  });
  return { ...result, ids: Array.from(result.table.numeric('TRANSACTION_ID')) };
}

describe('a broken quote costs its own line, never the tail (issue 13, item 13)', () => {
  it('quarantines only the line with an unterminated quote near the end and reads the 1,126 after it', async () => {
    const rows = 1_200;
    const broken = rows - 1_126 - 1;
    const text = transactions(rows, (id, line) => (id === broken ? `${id},5,"12.5,note` : line));
    const { stats, quarantine, ids } = await read(text);
    expect(stats.read).toBe(rows);
    expect(stats.accepted).toBe(rows - 1);
    expect(stats.quarantined).toBe(1);
    expect(stats.read).toBe(stats.accepted + stats.quarantined);
    expect(quarantine[0]).toMatchObject({ line: broken + 2, raw: `${broken},5,"12.5,note` });
    expect(quarantine[0]!.reason).toMatch(
      /unterminated quoted field.*only this line was set aside/,
    );
    expect(ids).toEqual(Array.from({ length: rows }, (_, i) => i).filter((i) => i !== broken));
  });

  it('resynchronises when the stray quote closes on a later line (text after the closing quote)', async () => {
    // Line of id 10 opens a quote that the quoted NOTE of id 13 closes.
    const text = transactions(20, (id, line) =>
      id === 10 ? '10,1,"2.5,x' : id === 13 ? '13,1,2.5,"quoted"' : line,
    );
    const { stats, quarantine, ids } = await read(text);
    expect(stats.read).toBe(20);
    expect(quarantine.map((q) => q.line)).toEqual([12]);
    expect(ids).toEqual(Array.from({ length: 20 }, (_, i) => i).filter((i) => i !== 10));
  });

  it('resynchronises a multi-line record of the wrong width, and keeps good multi-line records', async () => {
    // id 3's quote closes on the next line, giving a 5-field record under a 4-field header;
    // id 6 holds a real line break in its quoted NOTE.
    const text = transactions(10, (id, line) =>
      id === 3 ? '3,1,"2.5' : id === 4 ? '4",1,2.5,ok' : id === 6 ? '6,1,2.5,"two\nlines"' : line,
    );
    const { stats, quarantine, ids, table } = await read(text);
    expect(quarantine.map((q) => q.line)).toEqual([5, 6]);
    expect(stats.read).toBe(stats.accepted + stats.quarantined);
    expect(ids).toEqual([0, 1, 2, 5, 6, 7, 8, 9]);
    expect(table.strings('NOTE')[4]).toBe('two\nlines');
    expect(stats.multiLineRecords).toBe(1);
  });

  it('resynchronises a multi-line record of the right width that the schema refuses', async () => {
    // id 3 opens a quote in TX_AMOUNT that a stray quote on a later line closes, giving a
    // well-formed 4-field record whose amount is "2.5\n4,...\nx".
    const text = transactions(10, (id, line) =>
      id === 3 ? '3,1,"2.5' : id === 7 ? 'x",ok' : line,
    );
    const { stats, quarantine, ids } = await read(text);
    expect(quarantine.map((q) => q.line)).toEqual([5, 9]);
    expect(quarantine[0]!.reason).toMatch(/record spanning 5 lines is refused \(TX_AMOUNT/);
    expect(ids).toEqual([0, 1, 2, 4, 5, 6, 8, 9]);
    expect(stats.read).toBe(10);
    expect(stats.multiLineRecords).toBe(0);
  });

  it('gives the same records whatever the chunk boundaries', async () => {
    const text = transactions(30, (id, line) =>
      id === 7 ? '7,1,"3' : id === 20 ? '20,1,"4.5,"x"' : id === 25 ? '25,2,1,"a\nb"' : line,
    );
    const whole = await read(text);
    for (const chunk of [1, 2, 3, 7, 64]) {
      const parts = await read(text, chunk);
      expect(parts.ids).toEqual(whole.ids);
      expect(parts.quarantine).toEqual(whole.quarantine);
    }
  });

  it('bounds a quote left open or a line longer than maxRecordChars, and goes on', async () => {
    const open = transactions(40, (id, line) => (id === 2 ? '2,1,"3' : line));
    const opened = await read(open, 16, 100);
    expect(opened.quarantine.map((q) => q.line)).toEqual([4]);
    expect(opened.ids).toHaveLength(39);

    const long = transactions(5, (id, line) => (id === 1 ? `1,1,2,${'x'.repeat(5_000)}` : line));
    const skipped = await read(long, 64, 1_000);
    expect(skipped.quarantine.map((q) => q.line)).toEqual([3]);
    expect(skipped.quarantine[0]!.reason).toMatch(/longer than 1000 characters/);
    expect(skipped.quarantine[0]!.raw.length).toBeLessThan(300);
    expect(skipped.ids).toEqual([0, 2, 3, 4]);
  });

  it('the parser counts every physical line once', () => {
    const text = 'a,b\n1,"x\n2,2\n\n3,"y\nz",q"\n4,4';
    const lines: number[] = [];
    const parser = new CsvParser((_fields, line) => {
      lines.push(line);
      return undefined;
    });
    parser.expectFields(2);
    parser.push(text);
    parser.end();
    // Line 2 opens a quote that line 5 closes with stray text: set aside, then 3 resumes.
    expect(lines).toEqual([1, 2, 3, 5, 6, 7]);
    expect(parser.blankLines).toBe(1);
  });
});

describe('readJsonl bounds a line', () => {
  it('quarantines a line longer than maxRecordChars and reads the lines after it', async () => {
    const lines = [0, 1, 2].map((id) =>
      JSON.stringify({ TRANSACTION_ID: id, CUSTOMER_ID: 1, TX_AMOUNT: 2 }),
    );
    const text = `${lines[0]}\n{"TRANSACTION_ID": 9, "NOTE": "${'y'.repeat(4_000)}"}\n${lines[1]}\n${lines[2]}\n`;
    for (const chunk of [16, 1_000, text.length]) {
      const chunks: string[] = [];
      for (let i = 0; i < text.length; i += chunk) chunks.push(text.slice(i, i + chunk));
      const result = await readJsonl(chunks, schema, { maxRecordChars: 500 });
      expect(Array.from(result.table.numeric('TRANSACTION_ID'))).toEqual([0, 1, 2]);
      expect(result.quarantine.map((q) => [q.line, q.reason])).toEqual([
        [2, 'line longer than 500 characters (skipped)'],
      ]);
      expect(result.stats.read).toBe(4);
    }
  });
});
