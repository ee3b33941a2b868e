/**
 * Alternative hypothesis of a two-sample KS test, with scipy's meaning (F, G the CDFs of
 * samples 1 and 2): 'two-sided' F ≠ G; 'less' F < G somewhere (H₀: F ≥ G, statistic D⁻);
 * 'greater' F > G somewhere (H₀: F ≤ G, statistic D⁺).
 */
export type KsAlternative = 'two-sided' | 'less' | 'greater';

/**
 * How the p-value is computed: 'exact' (the null distribution on the lattice of
 * achievable values), 'asymp' (large-sample), or 'auto' (exact when both sizes are ≤ 10,000).
 */
export type KsMethod = 'auto' | 'exact' | 'asymp';

/** Options of {@link ksTwoSample}. */
export interface KsOptions {
  /** Default 'two-sided'. */
  alternative?: KsAlternative;
  /** Default 'auto'. */
  method?: KsMethod;
}

/** Result of {@link ksTwoSample}; the first fields mirror scipy's `KstestResult`. */
export interface KsResult {
  /** The KS statistic (snapped to the h/lcm(n₁, n₂) lattice when the exact method ran). */
  statistic: number;
  /** p-value in [0, 1] (NaN only for the asymptotic two-sided test with n₁ = n₂ = 1, as scipy). */
  pvalue: number;
  /** The method that produced the p-value. */
  method: 'exact' | 'asymp';
  /** The method that was asked for. */
  requestedMethod: KsMethod;
  /** Why the exact method was not used although it was asked for (absent otherwise). */
  fallbackReason?: string;
  alternative: KsAlternative;
  /** Pooled value at which the statistic is reached. */
  statisticLocation: number;
  /** +1 when the statistic is D⁺ (F₁ above F₂ there), −1 when it is D⁻. */
  statisticSign: 1 | -1;
  n1: number;
  n2: number;
  /**
   * Whether some value occurs in both samples. The p-value assumes continuous data; with ties
   * it is conservative (scipy neither corrects nor warns).
   */
  tiesAcrossSamples: boolean;
}
