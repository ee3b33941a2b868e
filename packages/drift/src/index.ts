export { type ChiSquareResult, chiSquareHomogeneity } from './chi-square.js';
export { benjaminiHochberg, bonferroni } from './corrections.js';
export { chiSquareSf, logGamma, regularizedGammaQ } from './gamma.js';
export { jensenShannonDistance, jensenShannonSamples } from './jensen-shannon.js';
export {
  asymptoticPValue,
  exactOneSidedPValue,
  exactTwoSidedPValue,
  KS_MAX_AUTO_EXACT_SIZE,
  KS_MAX_EXACT_LATTICE_STEPS,
  type KsAlternative,
  type KsMethod,
  type KsOptions,
  type KsResult,
  type KsStatistic,
  kolmogorovSf,
  ksStatistic,
  ksTwoSample,
  ksTwoSampleSorted,
  numericColumnSchema,
  smirnovSf,
  sortFloat64,
} from './ks/index.js';
export type {
  DriftColumnPlan,
  PlanDriftColumnsOptions,
  SkippedColumn,
} from './monitor/column-plan.js';
export { findOrderingColumns, planDriftColumns } from './monitor/column-plan.js';
export { renderDriftReport, writeDriftReport } from './monitor/drift-html-report.js';
export { DriftMonitor } from './monitor/drift-monitor.js';
export type { ColumnDrift, DriftReport } from './monitor/drift-report.js';
export type {
  CategoricalDriftTest,
  DriftTest,
  DriftTestInput,
  DriftTestResult,
  NumericDriftTest,
} from './monitor/drift-test.js';
export {
  driftTest,
  driftTestNames,
  registerDriftTest,
  unregisterDriftTest,
} from './monitor/drift-test-registry.js';
export type {
  ColumnTest,
  DriftMonitorOptions,
  ResolvedDriftMonitorOptions,
} from './monitor/monitor-options.js';
export { DriftMonitorOptionsSchema } from './monitor/monitor-options.js';
export type { QualityWindow } from './monitor/quality-tracker.js';
export { QualityTracker } from './monitor/quality-tracker.js';
export { type PsiOptions, type PsiResult, populationStabilityIndex, psiBand } from './psi.js';
export { binCounts, quantileEdges } from './quantile-bins.js';
export { type WassersteinResult, wassersteinDistance } from './wasserstein.js';
