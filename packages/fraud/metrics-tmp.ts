import { simulateTransactions } from '@mlsd/datasets';
import { evaluateFraudModel, trainFraudModel } from './src/index.js';
const { table } = simulateTransactions({ customers: 400, terminals: 800, days: 140, seed: 3, progress: false });
for (const model of ['logreg', 'gbdt'] as const) {
  const trained = await trainFraudModel(table, { model, seed: 1, warmOnlineState: false });
  const m = evaluateFraudModel(trained.model, table, { data: trained.data, bootstrap: 0 }).metrics;
  console.log(JSON.stringify({ model, threshold: trained.model.threshold, auc: m.auc, ap: m.ap, cpAtK: m.cpAtK, recallAtBudget: m.recallAtBudget, v: trained.validation.auc }));
}
