/**
 * Which feature groups the "handbook+" preset keeps: an ablation on the prequential validation
 * folds `mlsd fraud tune` searches, the test week never looked at to choose.
 *
 * Data: the default simulated world (`mlsd fraud simulate`, seed 0), the handbook protocol (train
 * 7 days from 2018-07-25, 7-day label delay, test the next 7 days, known compromised cards
 * dropped). Features: the handbook's 15 plus every candidate group of `HANDBOOK_PLUS_CANDIDATES`
 * (one point-in-time computation over the union; each variant is a subset of its columns, which
 * is the same as computing the subset alone, since every feature reads only its own state).
 * Model: the tuned trees `mlsd fraud train` uses by default (`TUNED_FRAUD_MODEL`, seed 0), no
 * search, so that the features are what changes.
 *
 * Variants: the handbook's 15; the 15 plus each group alone; all groups; all groups but one.
 * For each: average precision, card precision@100 and AUC, mean ± std over 3 folds, and the
 * per-fold differences against the baseline of its direction. A group is kept when both
 * directions agree that it helps AP: adding it to the 15 raises the mean AP over the folds, and
 * taking it out of the full set lowers it. The kept set is then scored the same way. Test-week
 * figures of every variant are recorded for the record, not to choose.
 *
 * Run: node --import tsx --conditions=@mlsd/source benchmarks/fraud/ablation.bench.ts
 * Writes benchmarks/results/fraud-ablation.json; a table on stdout, progress on stderr.
 * FRAUD_ABLATION_SEED=<n> runs another world (results in fraud-ablation-seed<n>.json).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { meanStd } from '@mlsd/classify';
import { type Matrix, toMatrix } from '@mlsd/core';
import { simulateTransactions } from '@mlsd/datasets';
import {
  ColumnsSchema,
  HANDBOOK_COLUMNS,
  HANDBOOK_PLUS_CANDIDATES,
  HANDBOOK_PLUS_GROUPS,
  handbookEntities,
  handbookFeatures,
  handbookPlusFeatures,
  prepareFraudLog,
  TUNED_FRAUD_MODEL,
} from '@mlsd/fraud';
import { describeMachine } from '../machine.js';
import { type FoldScores, fitAndScore, protocolFolds } from './fold-scores.js';

const FOLDS = 3;
const SEED = Number(process.env.FRAUD_ABLATION_SEED ?? '0');
const MODEL = { ...TUNED_FRAUD_MODEL, seed: 0 };
const log = (message: string) => process.stderr.write(`[fraud-ablation] ${message}\n`);
const load = () => loadavg().map((v) => Math.round(v * 100) / 100);

/** The columns `names` pick out of `X`, in that order. */
function pickColumns(X: Matrix<Float32Array>, all: readonly string[], names: readonly string[]) {
  const index = names.map((name) => {
    const at = all.indexOf(name);
    if (at < 0) throw new Error(`no feature ${name}`);
    return at;
  });
  const data = new Float32Array(X.rows * index.length);
  for (let r = 0; r < X.rows; r++) {
    const from = r * X.cols;
    const to = r * index.length;
    for (let c = 0; c < index.length; c++) data[to + c] = X.data[from + index[c]!]!;
  }
  return toMatrix(data, X.rows, index.length, names);
}

const loadBefore = load();
const cpuBefore = process.cpuUsage();
const started = performance.now();
log(`seed ${SEED}: simulating, computing the 15 + every candidate group (load ${loadBefore})`);
const { table } = simulateTransactions({ seed: SEED, progress: false });
const pairEntity = handbookEntities(ColumnsSchema.parse(HANDBOOK_COLUMNS)).pair;
const columns = ColumnsSchema.parse({
  ...HANDBOOK_COLUMNS,
  entities: { ...HANDBOOK_COLUMNS.entities, [pairEntity]: ['CUSTOMER_ID', 'TERMINAL_ID'] },
});
const allGroups = HANDBOOK_PLUS_CANDIDATES.map((group) => group.name);
const { data, protocol } = prepareFraudLog(table, {
  version: 1,
  preset: 'handbook',
  columns,
  features: handbookPlusFeatures(columns, allGroups),
});
const featureSeconds = (performance.now() - started) / 1000;
const { folds, split } = protocolFolds(data, protocol, FOLDS);
const entities = handbookEntities(columns);
const baseNames = handbookFeatures(columns).map((feature) => feature.name!);
const groupNames = new Map(
  HANDBOOK_PLUS_CANDIDATES.map((group) => [
    group.name,
    group.features(entities).map((feature) => feature.name!),
  ]),
);
const namesOf = (groups: readonly string[]) => [
  ...baseNames,
  ...allGroups.filter((name) => groups.includes(name)).flatMap((name) => groupNames.get(name)!),
];

interface Variant {
  name: string;
  groups: string[];
  features: number;
  validation: { ap: Stat; cpAt100: Stat; auc: Stat; perFold: (FoldScores & Fit)[] };
  test: FoldScores & Fit;
}
type Stat = { mean: number; std: number };
type Fit = { fitSeconds: number };

async function score(name: string, groups: string[]): Promise<Variant> {
  const names = namesOf(groups);
  log(`${name}: ${names.length} features, ${FOLDS} folds then the test week (load ${load()})`);
  const X = pickColumns(data.X, data.names, names);
  const perFold: (FoldScores & Fit)[] = [];
  for (const fold of folds) perFold.push(await fitAndScore(MODEL, data, fold.train, fold.test, X));
  const test = await fitAndScore(MODEL, data, split.train, split.test, X);
  const stat = (key: keyof FoldScores) => meanStd(perFold.map((fold) => fold[key]));
  return {
    name,
    groups,
    features: names.length,
    validation: { ap: stat('ap'), cpAt100: stat('cpAt100'), auc: stat('auc'), perFold },
    test,
  };
}

/** Per-fold `a − b` of a metric, mean ± std: paired, so fold-to-fold level shifts cancel. */
function delta(a: Variant, b: Variant, key: keyof FoldScores): Stat {
  return meanStd(a.validation.perFold.map((fold, k) => fold[key] - b.validation.perFold[k]![key]));
}

const base = await score('handbook (15)', []);
const all = await score('all groups', allGroups);
const groupRows = [];
for (const group of allGroups) {
  const added = await score(`handbook + ${group}`, [group]);
  const removed = await score(
    `all − ${group}`,
    allGroups.filter((name) => name !== group),
  );
  const addAp = delta(added, base, 'ap');
  const dropAp = delta(all, removed, 'ap');
  groupRows.push({
    group,
    description: HANDBOOK_PLUS_CANDIDATES.find((g) => g.name === group)!.description,
    features: groupNames.get(group)!,
    added,
    removed,
    gainWhenAdded: { ap: addAp, cpAt100: delta(added, base, 'cpAt100') },
    lossWhenRemoved: { ap: dropAp, cpAt100: delta(all, removed, 'cpAt100') },
    kept: addAp.mean > 0 && dropAp.mean > 0,
  });
}
const keptGroups = groupRows.filter((row) => row.kept).map((row) => row.group);
const keptIsKnown =
  keptGroups.length === 0 || keptGroups.length === allGroups.length || keptGroups.length === 1;
const kept = keptIsKnown
  ? keptGroups.length === 0
    ? base
    : keptGroups.length === allGroups.length
      ? all
      : groupRows.find((row) => row.group === keptGroups[0])!.added
  : await score(`handbook+ (kept: ${keptGroups.join(', ')})`, keptGroups);
const loadAfter = load();
const cpu = process.cpuUsage(cpuBefore);
const wallSeconds = (performance.now() - started) / 1000;
const presetMatches =
  keptGroups.length === HANDBOOK_PLUS_GROUPS.length &&
  keptGroups.every((group) => HANDBOOK_PLUS_GROUPS.includes(group));

const f = (x: number) => x.toFixed(3);
const pm = (s: Stat) => `${f(s.mean)} ± ${f(s.std)}`;
const signed = (s: Stat) => `${s.mean >= 0 ? '+' : ''}${f(s.mean)} ± ${f(s.std)}`;
const out = (line: string) => process.stdout.write(`${line}\n`);
out(
  `\nValidation: mean ± std over ${FOLDS} prequential folds (validation days ${folds.map((s) => s.testStartDay).join(', ')} +6), model TUNED_FRAUD_MODEL; test week from day ${split.testStartDay} (for the record)\n`,
);
out('| features | n | val AP | val CP@100 | val AUC | test AP | test CP@100 |');
out('|---|---|---|---|---|---|---|');
const variants = [base, all, ...groupRows.flatMap((row) => [row.added, row.removed])];
if (!keptIsKnown) variants.push(kept);
for (const v of variants) {
  out(
    `| ${v.name} | ${v.features} | ${pm(v.validation.ap)} | ${pm(v.validation.cpAt100)} | ${pm(v.validation.auc)} | ${f(v.test.ap)} | ${f(v.test.cpAt100)} |`,
  );
}
out('\nPer group: paired per-fold differences of validation AP (and CP@100)\n');
out('| group | AP gain when added to the 15 | AP loss when removed from all | kept |');
out('|---|---|---|---|');
for (const row of groupRows) {
  out(
    `| ${row.group} | ${signed(row.gainWhenAdded.ap)} (CP ${signed(row.gainWhenAdded.cpAt100)}) | ${signed(row.lossWhenRemoved.ap)} (CP ${signed(row.lossWhenRemoved.cpAt100)}) | ${row.kept ? 'yes' : 'no'} |`,
  );
}
out(
  `\nkept: ${keptGroups.join(', ') || '(none)'}; HANDBOOK_PLUS_GROUPS ${presetMatches ? 'matches' : `differs (${HANDBOOK_PLUS_GROUPS.join(', ')}): update the preset`}`,
);
out(
  `wall ${wallSeconds.toFixed(0)} s, CPU ${((cpu.user + cpu.system) / 1e6).toFixed(0)} s, load ${loadBefore.join(' ')} → ${loadAfter.join(' ')}`,
);

const results = fileURLToPath(new URL('../results/', import.meta.url));
mkdirSync(results, { recursive: true });
writeFileSync(
  join(results, SEED === 0 ? 'fraud-ablation.json' : `fraud-ablation-seed${SEED}.json`),
  `${JSON.stringify(
    {
      benchmark: 'fraud-ablation',
      date: new Date().toISOString(),
      machine: describeMachine(),
      command: 'node --import tsx --conditions=@mlsd/source benchmarks/fraud/ablation.bench.ts',
      seed: SEED,
      model: MODEL,
      rule: 'kept when adding the group to the 15 raises the mean validation AP and removing it from all groups lowers it (paired per-fold differences)',
      loadAverage: { before: loadBefore, after: loadAfter },
      wallSeconds,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      featureSeconds,
      transactions: table.length,
      folds: folds.map((s) => ({ trainStartDay: s.trainStartDay, testStartDay: s.testStartDay })),
      testStartDay: split.testStartDay,
      kept: keptGroups,
      presetMatches,
      base,
      all,
      keptScores: kept,
      groups: groupRows,
    },
    null,
    2,
  )}\n`,
);
