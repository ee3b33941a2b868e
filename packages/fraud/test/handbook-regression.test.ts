import { simulateTransactions } from '@mlsd/datasets';
import { describe, expect, it } from 'vitest';
import { evaluateFraudModel, trainFraudModel } from '../src/index.js';

describe('the handbook preset reproduces the metrics of the fixed v1 features', () => {
  it('gives the same threshold and test-week metrics as before FeatureSpec v2', async () => {
    // Measured with the v1 feature engine (commit da91a1a) on this world; the v2 handbook preset
    // must reproduce them to every printed digit (here: to 12 significant digits).
    const { table } = simulateTransactions({
      customers: 400,
      terminals: 800,
      days: 140,
      seed: 3,
      progress: false,
    });
    const trained = await trainFraudModel(
      table,
      { preset: 'handbook', model: { kind: 'logreg', seed: 1 } },
      { warmOnlineState: false },
    );
    const m = evaluateFraudModel(trained.model, table, {
      data: trained.data,
      bootstrap: 0,
    }).metrics;
    const digits = (x: number) => Number(x.toPrecision(12));
    expect({
      threshold: digits(trained.model.threshold),
      validationAuc: digits(trained.validation.auc),
      auc: digits(m.auc),
      ap: digits(m.ap),
      cpAtK: digits(m.cpAtK),
      recallAtBudget: digits(m.recallAtBudget),
    }).toEqual({
      threshold: 0.0320669357572,
      validationAuc: 0.80053351757,
      auc: 0.71160406922,
      ap: 0.379417790974,
      cpAtK: 0.0728571428571,
      recallAtBudget: 0.796875,
    });
  });
});
