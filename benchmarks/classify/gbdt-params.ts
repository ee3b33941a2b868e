/**
 * The GBDT hyperparameters every classify benchmark fits with (scikit-learn's names and
 * defaults but l2 1: with l2 0 both libraries grow pure leaves near −1000 late in training, and
 * held-out AP then depends on where that happens).
 */
export const GBDT_BENCH_PARAMS = {
  maxIter: 100,
  learningRate: 0.1,
  maxLeafNodes: 31,
  minSamplesLeaf: 20,
  l2Regularization: 1,
  maxBins: 255,
};

/** The A/B scripts' fit: {@link GBDT_BENCH_PARAMS} with balanced class weights, every iteration. */
export const GBDT_AB_OPTIONS = {
  ...GBDT_BENCH_PARAMS,
  classWeight: 'balanced' as const,
  earlyStopping: false,
};
