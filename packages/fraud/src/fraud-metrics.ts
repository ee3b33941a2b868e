import {
  averagePrecision,
  type BootstrapInterval,
  bootstrapInterval,
  cardPrecisionAtK,
  confusionMatrix,
  falseNegativeCost,
  rankCardsDaily,
  recallAtDailyBudget,
  rocAuc,
} from '@mlsd/classify';

/** Scored transactions of one evaluation period. */
export interface ScoredPeriod {
  day: Int32Array;
  card: Int32Array;
  label: Uint8Array;
  amount: Float64Array;
  score: Float64Array;
}

/** The figures fraud teams read, on one period, at one threshold. */
export interface FraudMetrics {
  transactions: number;
  frauds: number;
  auc: number;
  ap: number;
  /** Card precision@k, mean over days (k = the daily budget). */
  cpAtK: number;
  /** Share of compromised cards caught by alerting the k riskiest cards each day. */
  recallAtBudget: number;
  k: number;
  threshold: number;
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  trueNegatives: number;
  /** Fraud amount the threshold lets through. */
  missedFraudAmount: number;
  /** 95 % bootstrap intervals (seeded), so a reader can tell a gain from noise. */
  aucInterval?: BootstrapInterval;
  apInterval?: BootstrapInterval;
  /** Card precision of each test day. */
  daily: { day: number; cardPrecision: number; compromised: number }[];
}

/** Computes {@link FraudMetrics}; `bootstrap` resamples that many times (0 = no intervals). */
export function fraudMetrics(
  period: ScoredPeriod,
  threshold: number,
  k: number,
  bootstrap = 200,
  seed = 0,
): FraudMetrics {
  const { label, score } = period;
  const scored = { day: period.day, card: period.card, label, score };
  const confusion = confusionMatrix(label, score, threshold);
  const missed = falseNegativeCost(label, score, period.amount, threshold);
  const alerts = rankCardsDaily(scored, k);
  let frauds = 0;
  for (const value of label) frauds += value;
  const metrics: FraudMetrics = {
    transactions: label.length,
    frauds,
    auc: rocAuc(label, score),
    ap: averagePrecision(label, score),
    cpAtK: cardPrecisionAtK(scored, k),
    recallAtBudget: recallAtDailyBudget(scored, k),
    k,
    threshold,
    truePositives: confusion.truePositives,
    falsePositives: confusion.falsePositives,
    falseNegatives: confusion.falseNegatives,
    trueNegatives: confusion.trueNegatives,
    missedFraudAmount: missed.amount,
    daily: Array.from(alerts.days, (day, i) => ({
      day,
      cardPrecision: alerts.cardPrecision[i]!,
      compromised: alerts.compromised[i]!,
    })),
  };
  if (bootstrap > 0) {
    metrics.aucInterval = bootstrapInterval(label, score, rocAuc, { resamples: bootstrap, seed });
    metrics.apInterval = bootstrapInterval(label, score, averagePrecision, {
      resamples: bootstrap,
      seed,
    });
  }
  return metrics;
}
