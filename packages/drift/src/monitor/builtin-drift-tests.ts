import { chiSquareHomogeneity } from '../chi-square.js';
import { jensenShannonSamples } from '../jensen-shannon.js';
import { ksTwoSampleSorted } from '../ks/ks-two-sample.js';
import { populationStabilityIndex } from '../psi.js';
import { wassersteinDistance } from '../wasserstein.js';
import type { CategoricalDriftTest, DriftTest, NumericDriftTest } from './drift-test.js';

/** Two-sample Kolmogorov–Smirnov on the sorted reference, with the monitor's `ksMethod`. */
const ks: NumericDriftTest<Float64Array> = {
  name: 'ks',
  input: 'numeric',
  description: 'two-sample Kolmogorov–Smirnov; effect size: D, the largest gap between the ECDFs',
  defaultMinEffect: 0.1,
  // Sorted once: memory is the size of the reference whatever the stream's length.
  prepare: (reference) => reference.sort(),
  compare: (sorted, current, options) => {
    const result = ksTwoSampleSorted(sorted, current.sort(), 'two-sided', options.ksMethod);
    return { statistic: result.statistic, pvalue: result.pvalue, effectSize: result.statistic };
  },
};

/** Chi-square homogeneity of the category counts. */
const chiSquare: CategoricalDriftTest<string[]> = {
  name: 'chi-square',
  input: 'categorical',
  description: "chi-square homogeneity of the category counts; effect size: Cramér's V",
  defaultMinEffect: 0.1,
  prepare: (reference) => reference,
  compare: (reference, current) => {
    const result = chiSquareHomogeneity(reference, current);
    return {
      statistic: result.statistic,
      pvalue: result.pvalue,
      effectSize: result.cramersV,
      unseenCategories: result.unseenCategories,
    };
  },
};

/** Population stability index over ten bins at the reference's deciles; no p-value. */
const psi: NumericDriftTest<Float64Array> = {
  name: 'psi',
  input: 'numeric',
  description:
    'population stability index over 10 reference-quantile bins; effect size: the PSI (0.1 moderate, 0.25 significant)',
  defaultMinEffect: 0.1,
  // The statistic sorts its own copy; a sorted reference makes that sort cheap.
  prepare: (reference) => reference.sort(),
  compare: (reference, current) => {
    const value = populationStabilityIndex(reference, current).psi;
    return { statistic: value, effectSize: value };
  },
};

/** Wasserstein-1 distance; the effect size is in reference standard deviations. */
const wasserstein: NumericDriftTest<Float64Array> = {
  name: 'wasserstein',
  input: 'numeric',
  description:
    "Wasserstein-1 distance; effect size: the distance in reference standard deviations (infinite when a constant reference's value moves)",
  defaultMinEffect: 0.1,
  prepare: (reference) => reference.sort(),
  compare: (reference, current) => {
    const { distance, normalized } = wassersteinDistance(reference, current);
    // A constant reference has no spread to scale by: any move is a change of kind.
    const effectSize = Number.isNaN(normalized)
      ? distance > 0
        ? Number.POSITIVE_INFINITY
        : 0
      : normalized;
    return { statistic: distance, effectSize };
  },
};

/** Jensen–Shannon distance over ten bins at the reference's deciles; no p-value. */
const jensenShannon: NumericDriftTest<Float64Array> = {
  name: 'jensen-shannon',
  input: 'numeric',
  description:
    'Jensen–Shannon distance (base 2, in [0, 1]) over 10 reference-quantile bins; effect size: the distance',
  defaultMinEffect: 0.1,
  prepare: (reference) => reference.sort(),
  compare: (reference, current) => {
    const value = jensenShannonSamples(reference, current, 10);
    return { statistic: value, effectSize: value };
  },
};

/** The tests registered when `@mlsd/drift` loads, in the order `driftTestNames` lists them. */
export const BUILTIN_DRIFT_TESTS: readonly DriftTest[] = [
  ks,
  chiSquare,
  psi,
  wasserstein,
  jensenShannon,
];
