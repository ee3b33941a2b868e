import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runGettingStarted } from '../src/getting-started.js';

describe('getting-started example', () => {
  it('runs end to end: backend, Fashion-MNIST, ingestion with quarantine, artifact', async () => {
    const outDir = await mkdtemp(join(tmpdir(), 'mlsd-getting-started-'));
    const lines: string[] = [];
    const summary = await runGettingStarted({ outDir, log: (line) => lines.push(line) });
    expect(['node', 'wasm', 'cpu']).toContain(summary.backend);
    expect(summary.fashionMnist.perClass).toEqual(new Array(10).fill(6000));
    // the fixture has 60 rows, 4 of them deliberately bad
    expect(summary.ingest).toMatchObject({ read: 60, accepted: 56, quarantined: 4 });
    expect(summary.ingest.reasons).toEqual([
      "TX_AMOUNT: expected a number, got '12,5O'",
      expect.stringMatching(/^TX_FRAUD: /),
      'expected 9 fields, found 6',
      expect.stringMatching(/^TX_AMOUNT: .*>=0/),
    ]);
    const quarantined = (await readFile(join(outDir, 'quarantine.jsonl'), 'utf8'))
      .trim()
      .split('\n');
    expect(quarantined.map((line) => JSON.parse(line).line)).toEqual([13, 25, 39, 50]);
    expect(summary.artifact.verified).toBe(true);
    expect(lines.join('\n')).toContain('read 60 = accepted 56 + quarantined 4');
  });
});
