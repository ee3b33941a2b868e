import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simulateTransactions, writeTransactionsCsv } from '@mlsd/datasets';
import { afterAll, describe, expect, it } from 'vitest';
import { readFraudLog } from '../src/config/read-fraud-log.js';
import { resolveFraudConfig } from '../src/config/resolve-fraud-config.js';
import { evaluateFraudModel } from '../src/evaluate-fraud-model.js';
import { trainFraudModel } from '../src/train-fraud-model.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('the handbook preset read from a file', () => {
  it('gives the metrics the fixed pipeline gave before the config (commit e6344ea)', async () => {
    // Measured with `trainFraudModel` + `evaluateFraudModel` of commit e6344ea (the simulator's
    // fixed columns, v1 features, logistic regression seed 0) on this world; the preset read
    // back from the CSV the simulator writes must give the same numbers.
    const { table } = simulateTransactions({
      customers: 600,
      terminals: 1200,
      days: 135,
      seed: 2018,
      progress: false,
    });
    const dir = await mkdtemp(join(tmpdir(), 'mlsd-handbook-file-'));
    dirs.push(dir);
    const path = join(dir, 'transactions.csv');
    await writeTransactionsCsv(table, path);
    const config = resolveFraudConfig({ preset: 'handbook' });
    const log = await readFraudLog(path, config.columns);
    expect(log.stats).toMatchObject({ read: table.length, quarantined: 0 });
    const trained = await trainFraudModel(log, config, { warmOnlineState: false });
    const evaluation = evaluateFraudModel(trained.model, log, { data: trained.data, bootstrap: 0 });
    const m = evaluation.metrics;
    const digits = (x: number) => Number(x.toPrecision(12));
    expect({
      threshold: digits(trained.model.threshold),
      auc: digits(m.auc),
      ap: digits(m.ap),
      cpAtK: digits(m.cpAtK),
      recallAtBudget: digits(m.recallAtBudget),
      truePositives: m.truePositives,
      falsePositives: m.falsePositives,
      transactions: m.transactions,
      dropped: evaluation.droppedKnownCompromised,
    }).toEqual({
      threshold: digits(0.03006510198731595),
      auc: digits(0.8051360719184741),
      ap: digits(0.5443390253274214),
      cpAtK: digits(0.09333333333333334),
      recallAtBudget: digits(0.7567567567567568),
      truePositives: 118,
      falsePositives: 1175,
      transactions: 4194,
      dropped: 2841,
    });
  });
});
