/**
 * Scikit-learn's stopping rule: with `losses[0]` the loss before any tree, stop when none of the
 * last `patience` losses beat the one `patience` iterations earlier by more than `tol`.
 */
export function shouldStopEarly(losses: readonly number[], patience: number, tol: number): boolean {
  if (losses.length <= patience) return false;
  const reference = losses[losses.length - patience - 1]!;
  for (let k = losses.length - patience; k < losses.length; k++) {
    if (losses[k]! < reference - tol) return false;
  }
  return true;
}
