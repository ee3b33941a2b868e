export { asymptoticPValue } from './asymptotic.js';
export { exactOneSidedPValue } from './exact-one-sided.js';
export { exactTwoSidedPValue } from './exact-two-sided.js';
export { kolmogorovSf } from './kolmogorov-distribution.js';
export { type KsStatistic, ksStatistic } from './ks-statistic.js';
export {
  KS_MAX_AUTO_EXACT_SIZE,
  KS_MAX_EXACT_LATTICE_STEPS,
  ksTwoSample,
  ksTwoSampleSorted,
} from './ks-two-sample.js';
export type { KsAlternative, KsMethod, KsOptions, KsResult } from './ks-types.js';
export { numericColumnSchema } from './sample-schema.js';
export { smirnovSf } from './smirnov.js';
export { sortFloat64 } from './sort-float64.js';
