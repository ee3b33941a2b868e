/**
 * Which model `mlsd fraud train` should use when the config names none: the candidates on the
 * same three prequential validation folds `mlsd fraud tune` searches (default world, handbook
 * preset), then — for the record, not to choose — trained on the training window and scored on
 * the test week.
 * - logistic regression with its defaults (the train default before tuning);
 * - the trees with their small-data defaults (`GBDT_SMALL_DATA_DEFAULTS`, early stopping);
 * - the trees with the hyperparameters `mlsd fraud tune` found on the default world
 *   (`TUNED_FRAUD_MODEL`).
 *
 * Run: node --import tsx --conditions=@mlsd/source benchmarks/fraud/train-defaults.bench.ts
 * Writes benchmarks/results/fraud-train-defaults.json; a table on stdout, progress on stderr.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { meanStd } from '@mlsd/classify';
import { simulateTransactions } from '@mlsd/datasets';
import { type ClassifierChoice, prepareFraudLog, TUNED_FRAUD_MODEL } from '@mlsd/fraud';
import { describeMachine } from '../machine.js';
import { fitAndScore, protocolFolds } from './fold-scores.js';

const FOLDS = 3;
const log = (message: string) => process.stderr.write(`[fraud-train-defaults] ${message}\n`);
const load = () => loadavg().map((v) => Math.round(v * 100) / 100);

const CANDIDATES: { name: string; choice: ClassifierChoice }[] = [
  { name: 'logreg, defaults', choice: { kind: 'logreg', classWeight: 'none', seed: 0 } },
  { name: 'gbdt, small-data defaults', choice: { kind: 'gbdt', seed: 0 } },
  { name: 'gbdt, tuned on the default world', choice: { ...TUNED_FRAUD_MODEL, seed: 0 } },
];

const loadBefore = load();
log(
  `simulating the default world and computing the handbook features (load ${loadBefore.join(' ')})`,
);
const { table } = simulateTransactions({ seed: 0, progress: false });
const { data, protocol } = prepareFraudLog(table);
const { folds, split } = protocolFolds(data, protocol, FOLDS);

const rows = [];
for (const { name, choice } of CANDIDATES) {
  log(`${name}: ${FOLDS} validation folds, then the test week`);
  const validation = [];
  for (const fold of folds) validation.push(await fitAndScore(choice, data, fold.train, fold.test));
  const test = await fitAndScore(choice, data, split.train, split.test);
  rows.push({
    name,
    choice,
    validation: {
      ap: meanStd(validation.map((v) => v.ap)),
      cpAt100: meanStd(validation.map((v) => v.cpAt100)),
      auc: meanStd(validation.map((v) => v.auc)),
      perFold: validation,
    },
    test,
  });
}
const loadAfter = load();

const f = (x: number) => x.toFixed(3);
const pm = (s: { mean: number; std: number }) => `${f(s.mean)} ± ${f(s.std)}`;
process.stdout.write(
  `\nValidation: mean ± std over ${FOLDS} prequential folds (validation days ${folds.map((s) => s.testStartDay).join(', ')} +6); test week from day ${split.testStartDay} (for the record)\n\n| model | val AP | val CP@100 | val AUC | test AP | test CP@100 | test AUC | fit s (test) |\n|---|---|---|---|---|---|---|---|\n`,
);
for (const row of rows) {
  const { validation: v, test: t } = row;
  process.stdout.write(
    `| ${row.name} | ${pm(v.ap)} | ${pm(v.cpAt100)} | ${pm(v.auc)} | ${f(t.ap)} | ${f(t.cpAt100)} | ${f(t.auc)} | ${t.fitSeconds.toFixed(1)} |\n`,
  );
}
process.stdout.write(`\nload average: ${loadBefore.join(' ')} → ${loadAfter.join(' ')}\n`);

const results = fileURLToPath(new URL('../results/', import.meta.url));
mkdirSync(results, { recursive: true });
writeFileSync(
  join(results, 'fraud-train-defaults.json'),
  `${JSON.stringify(
    {
      benchmark: 'fraud-train-defaults',
      date: new Date().toISOString(),
      machine: describeMachine(),
      loadAverage: { before: loadBefore, after: loadAfter },
      folds: folds.map((s) => ({ trainStartDay: s.trainStartDay, testStartDay: s.testStartDay })),
      testStartDay: split.testStartDay,
      rows,
    },
    null,
    2,
  )}\n`,
);
