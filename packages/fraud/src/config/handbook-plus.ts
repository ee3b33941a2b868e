import { handbookFeatureSpec } from '@mlsd/features';
import type { FeatureEntry, FraudColumns } from './fraud-config-schema.js';

/** The entities a handbook-style config names: the card, the terminal and the pair of both. */
export interface HandbookEntities {
  /** The card (the simulator's customer). */
  card: string;
  /** The card's key column (what distinct cards count). */
  cardColumn: string;
  /** The terminal (merchant). */
  terminal: string;
  /** The (card, terminal) pair: a compound entity keyed by both columns. */
  pair: string;
}

/** One group of features the "handbook+" preset may add to the handbook's 15. */
export interface HandbookPlusGroup {
  /** Stable name of the group (the ablation table's row). */
  name: string;
  /** What it measures and the fraud pattern it is after. */
  description: string;
  /** Whether it reads the (card, terminal) pair entity. */
  usesPair: boolean;
  /** The group's feature definitions over the config's entities. */
  features(entities: HandbookEntities): FeatureEntry[];
}

const HOUR_DAYS = 1 / 24;

/**
 * Every candidate group of the "handbook+" preset, in the order of the ablation table
 * (benchmarks/fraud/ablation.bench.ts). All are point-in-time: windows end at the transaction,
 * none reads a label, and the batch = online property tests cover each kind and a compound key.
 */
export const HANDBOOK_PLUS_CANDIDATES: readonly HandbookPlusGroup[] = Object.freeze([
  {
    name: 'amount-z-score',
    description:
      "the amount's z-score against the card's payments of the last 7 and 30 days before it (a stolen card spends more than its holder)",
    usesPair: false,
    features: ({ card }) => [
      {
        kind: 'amount-relative',
        name: `${card}_AMOUNT_ZSCORE_7DAY_WINDOW`,
        entity: card,
        windowDays: 7,
        relative: 'z-score',
      },
      {
        kind: 'amount-relative',
        name: `${card}_AMOUNT_ZSCORE_30DAY_WINDOW`,
        entity: card,
        windowDays: 30,
        relative: 'z-score',
      },
    ],
  },
  {
    name: 'time-since-previous',
    description: "seconds since the card's previous payment, capped at 30 days",
    usesPair: false,
    features: ({ card }) => [
      { kind: 'time-since-previous', name: `${card}_SECONDS_SINCE_PREVIOUS`, entity: card },
    ],
  },
  {
    name: 'distinct-cards-per-terminal',
    description:
      'distinct cards that paid at the terminal over 1 and 7 days (a compromised terminal sees many cards)',
    usesPair: false,
    features: ({ terminal, card, cardColumn }) =>
      [1, 7].map((days) => ({
        kind: 'distinct' as const,
        name: `${terminal}_NB_DISTINCT_${card}_${days}DAY_WINDOW`,
        entity: terminal,
        windowDays: days,
        of: cardColumn,
      })),
  },
  {
    name: 'first-at-terminal',
    description:
      "payments of the (card, terminal) pair over 30 days, this one included: 1 is the card's first payment there in 30 days",
    usesPair: true,
    features: ({ pair }) => [
      {
        kind: 'window',
        name: `${pair}_NB_TX_30DAY_WINDOW`,
        entity: pair,
        windowDays: 30,
        aggregate: 'count',
      },
    ],
  },
  {
    name: 'short-window-velocity',
    description: "the card's payments over the last hour and its amount sum over the last hour",
    usesPair: false,
    features: ({ card }) => [
      {
        kind: 'window',
        name: `${card}_NB_TX_1HOUR_WINDOW`,
        entity: card,
        windowDays: HOUR_DAYS,
        aggregate: 'count',
      },
      {
        kind: 'window',
        name: `${card}_SUM_AMOUNT_1HOUR_WINDOW`,
        entity: card,
        windowDays: HOUR_DAYS,
        aggregate: 'sum',
      },
    ],
  },
]);

/**
 * The groups the "handbook+" preset keeps: those the ablation on the default world's prequential
 * validation folds supports (benchmarks/fraud/ablation.bench.ts, results in
 * benchmarks/results/fraud-ablation.json): a group is kept when adding it to the handbook's 15
 * raises the mean validation AP and removing it from all the groups lowers it. Only the amount's
 * z-score passed (AP +0.011 ± 0.006 over the 3 folds, paired); the others moved AP by less than
 * their fold-to-fold spread, and in the opposite direction when taken out of the full set.
 */
export const HANDBOOK_PLUS_GROUPS: readonly string[] = Object.freeze(['amount-z-score']);

/** Name of the (card, terminal) pair entity the "handbook+" preset declares. */
export function pairEntityName(card: string, terminal: string): string {
  return `${card}_x_${terminal}`;
}

/** The card, terminal and pair entities of a handbook-style config (its first two entities). */
export function handbookEntities(columns: Pick<FraudColumns, 'entities'>): HandbookEntities {
  const names = Object.keys(columns.entities);
  const card = names[0] ?? 'CUSTOMER_ID';
  const terminal = names[1] ?? 'TERMINAL_ID';
  const cardColumn = columns.entities[card]?.[0] ?? card;
  return { card, cardColumn, terminal, pair: pairEntityName(card, terminal) };
}

/**
 * The handbook's 15 features over a config's columns (normalized times are epoch seconds, so no
 * time origin), named as the handbook names them: the card is the first entity, the terminal
 * the second.
 */
export function handbookFeatures(columns: FraudColumns): FeatureEntry[] {
  const { card, terminal } = handbookEntities(columns);
  const spec = handbookFeatureSpec({
    origin: null,
    delayDays: columns.labelDelay.days ?? 7,
    customerKey: card,
    terminalKey: terminal,
    columns: {
      transactionId: columns.transactionId,
      time: columns.time.column ?? 'time',
      amount: columns.amount,
      label: columns.label?.column ?? 'TX_FRAUD',
    },
  });
  return spec.features as FeatureEntry[];
}

/**
 * The "handbook+" features: the handbook's 15, then each named group's (default: the kept
 * {@link HANDBOOK_PLUS_GROUPS}) in the order of {@link HANDBOOK_PLUS_CANDIDATES}. A group that
 * `usesPair` reads the entity {@link pairEntityName}(card, terminal), which `columns.entities`
 * must declare (keyed by the card's and the terminal's columns).
 * @throws Error for a group name that is not a candidate (a programming error).
 */
export function handbookPlusFeatures(
  columns: FraudColumns,
  groups: readonly string[] = HANDBOOK_PLUS_GROUPS,
): FeatureEntry[] {
  for (const name of groups) {
    if (!HANDBOOK_PLUS_CANDIDATES.some((group) => group.name === name)) {
      throw new Error(`no handbook+ feature group "${name}"`);
    }
  }
  const entities = handbookEntities(columns);
  return [
    ...handbookFeatures(columns),
    ...HANDBOOK_PLUS_CANDIDATES.filter((group) => groups.includes(group.name)).flatMap((group) =>
      group.features(entities),
    ),
  ];
}
