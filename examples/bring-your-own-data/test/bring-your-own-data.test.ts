import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runBringYourOwnData } from '../src/bring-your-own-data.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('bring-your-own-data example', () => {
  it('runs init → edit → train → evaluate → predict → serve → drift on a public-layout log', async () => {
    const outDir = await mkdtemp(join(tmpdir(), 'mlsd-byod-'));
    dirs.push(outDir);
    const lines: string[] = [];
    const summary = await runBringYourOwnData({
      outDir,
      customers: 300,
      terminals: 600,
      days: 60,
      seed: 5,
      log: (line) => lines.push(line),
    });
    expect(summary.log.columns.slice(0, 3)).toEqual(['trans_date', 'trans_time', 'cc_num']);
    // init: the time, the zone and the entities inferred; personal data left out.
    const draft = JSON.parse(await readFile(summary.init.configPath, 'utf8'));
    expect(draft.columns.timezone).toBe('America/New_York');
    expect(draft.columns.entities).toEqual({ card: ['cc_num'], merchant: ['merchant'] });
    expect(summary.init.leftOut).toEqual(
      expect.arrayContaining(['first', 'last', 'dob', 'street']),
    );
    // The edit adds two features; both are computed.
    expect(summary.train.features).toEqual(
      expect.arrayContaining(['card_distinct_merchant_7d', 'home_to_merchant_km']),
    );
    expect(summary.train.features).not.toContain('first');
    // The test period is the last 7 local days of the log.
    expect(summary.train.periods.test[1]).toBe('2018-05-30');
    expect(summary.evaluation.auc).toBeGreaterThan(0.6);
    expect(summary.evaluation.truePositives + summary.evaluation.falseNegatives).toBe(
      summary.evaluation.frauds,
    );
    // predict scores every row of the log, one line each.
    expect(summary.predict.scored).toBe(summary.log.transactions);
    const scores = (await readFile(summary.predict.scoresPath, 'utf8')).trimEnd().split('\n');
    expect(scores[0]).toBe('trans_num,score,decision');
    expect(scores).toHaveLength(summary.log.transactions + 1);
    // Serving takes the log's columns and refuses a misspelt one by name.
    expect(summary.serving.scored).toBe(5);
    expect(summary.serving.refused).toMatchObject({ status: 400, code: 'INVALID_TRANSACTION' });
    expect(summary.serving.refused.message).toMatch(
      /unknown field "amount" \(did you mean "amt"\?\)/,
    );
    expect(summary.serving.openApiFields).toEqual(
      expect.arrayContaining(['trans_num', 'cc_num', 'amt']),
    );
    expect(await readFile(summary.drift.reportPath, 'utf8')).toContain('<svg');
    expect(lines.join('\n')).toContain('mlsd fraud init');
  });
});
