import { type Column, parseOptions, Rng, Table, TimeZone } from '@mlsd/core';
import { z } from 'zod';
import { MAP_SIZE } from '../simulator/customer-profiles.js';
import { DateTimeFormatter } from '../simulator/format-datetime.js';
import type { Simulation } from '../simulator/simulate-transactions.js';
import { dateToEpochSeconds } from '../simulator/simulator-options.js';
import { generateCardNumbers } from './card-numbers.js';
import {
  CATEGORIES,
  FIRST_NAMES,
  JOBS,
  LAST_NAMES,
  MERCHANT_FIRST,
  MERCHANT_SECOND,
  MERCHANT_SUFFIX,
  ONLINE_CATEGORIES,
  STATES,
  STREET_KINDS,
  STREET_NAMES,
  TOWN_ENDS,
  TOWN_STARTS,
} from './name-lists.js';

/**
 * The columns of the transaction-log layout most public card-fraud data sets use, in order.
 * With `splitDateTime` the first one is replaced by `trans_date` and `trans_time`.
 */
export const PUBLIC_LAYOUT_COLUMNS = Object.freeze([
  'trans_date_trans_time',
  'cc_num',
  'merchant',
  'category',
  'amt',
  'first',
  'last',
  'gender',
  'street',
  'city',
  'state',
  'zip',
  'lat',
  'long',
  'city_pop',
  'job',
  'dob',
  'trans_num',
  'unix_time',
  'merch_lat',
  'merch_long',
  'is_fraud',
] as const);

/** Options of {@link toPublicLayout}. */
export const PublicLayoutOptionsSchema = z
  .object({
    /** IANA zone the wall-clock time text is written in (the simulator's days are local days there). */
    timezone: z.string().min(1).default('America/New_York'),
    /** Write the time as a `trans_date` (YYYY-MM-DD) and a `trans_time` (HH:MM:SS) column. */
    splitDateTime: z.boolean().default(false),
    /** Share of cards with 19-digit numbers (the rest have 16). */
    longCardShare: z.number().min(0).max(1).default(0.05),
    /** Chance that a terminal the simulator compromised is an online (card-not-present) merchant. */
    compromisedOnlineShare: z.number().min(0).max(1).default(0.6),
  })
  .strict();

/** Options of {@link toPublicLayout} as written (all optional). */
export type PublicLayoutOptions = z.input<typeof PublicLayoutOptionsSchema>;

/** Box of the map: latitude 38°–42° N, longitude 80°–74° W (a stretch of the US north-east). */
const LAT_ORIGIN = 38;
const LAT_SPAN = 4;
const LONG_ORIGIN = -80;
const LONG_SPAN = 6;
const TOWNS_PER_SIDE = 10;
const STATES_PER_SIDE = 3;

/** Customer columns, in layout order, from `first` to `dob`. */
const CUSTOMER_COLUMNS = PUBLIC_LAYOUT_COLUMNS.slice(
  PUBLIC_LAYOUT_COLUMNS.indexOf('first'),
  PUBLIC_LAYOUT_COLUMNS.indexOf('dob') + 1,
) as readonly CustomerColumn[];
const NUMERIC = new Set([
  'amt',
  'lat',
  'long',
  'city_pop',
  'unix_time',
  'merch_lat',
  'merch_long',
  'is_fraud',
]);

type CustomerColumn =
  | 'first'
  | 'last'
  | 'gender'
  | 'street'
  | 'city'
  | 'state'
  | 'zip'
  | 'lat'
  | 'long'
  | 'city_pop'
  | 'job'
  | 'dob';

/**
 * A simulated transaction log in the public layout: one row per simulated transaction, in
 * time order, with the simulator's customers as cards (16- or 19-digit numbers and a person
 * with a name, address, job and birth date) and its terminals as merchants (a name, a category
 * and a location). Cells are made on demand, so a log of millions of rows costs its per-entity
 * tables and the simulation's columns, not a string per cell.
 */
export class PublicTransactionLog {
  /** Column names in file order. */
  readonly columns: readonly string[];
  /** Number of transactions. */
  readonly length: number;
  /** Instant of each transaction, seconds since the epoch (UTC). */
  readonly epochSeconds: Float64Array;
  readonly #wallClock: Float64Array;
  readonly #customers: Int32Array;
  readonly #terminals: Int32Array;
  readonly #amounts: Float64Array;
  readonly #fraud: Uint8Array;
  readonly #cardNumbers: readonly string[];
  readonly #customer: Readonly<Record<CustomerColumn, readonly (string | number)[]>>;
  readonly #customerCsv: readonly string[];
  readonly #merchant: readonly string[];
  readonly #category: readonly string[];
  readonly #merchantLat: Float64Array;
  readonly #merchantLong: Float64Array;
  readonly #split: boolean;
  readonly #seed: number;
  readonly #formatter = new DateTimeFormatter();

  /** @internal built by {@link toPublicLayout}. */
  constructor(parts: {
    columns: readonly string[];
    epochSeconds: Float64Array;
    wallClock: Float64Array;
    customers: Int32Array;
    terminals: Int32Array;
    amounts: Float64Array;
    fraud: Uint8Array;
    cardNumbers: readonly string[];
    customer: Record<CustomerColumn, (string | number)[]>;
    merchant: string[];
    category: string[];
    merchantLat: Float64Array;
    merchantLong: Float64Array;
    split: boolean;
    seed: number;
  }) {
    this.columns = parts.columns;
    this.length = parts.epochSeconds.length;
    this.epochSeconds = parts.epochSeconds;
    this.#wallClock = parts.wallClock;
    this.#customers = parts.customers;
    this.#terminals = parts.terminals;
    this.#amounts = parts.amounts;
    this.#fraud = parts.fraud;
    this.#cardNumbers = parts.cardNumbers;
    this.#customer = parts.customer;
    this.#merchant = parts.merchant;
    this.#category = parts.category;
    this.#merchantLat = parts.merchantLat;
    this.#merchantLong = parts.merchantLong;
    this.#split = parts.split;
    this.#seed = parts.seed;
    const customerCount = parts.cardNumbers.length;
    const csv: string[] = [];
    for (let c = 0; c < customerCount; c++) {
      csv.push(CUSTOMER_COLUMNS.map((name) => csvCell(parts.customer[name][c]!)).join(','));
    }
    this.#customerCsv = csv;
  }

  /** The value of one cell: a number for numeric columns, text otherwise. */
  cell(row: number, column: string): string | number {
    const customer = this.#customers[row]!;
    const terminal = this.#terminals[row]!;
    switch (column) {
      case 'trans_date_trans_time':
        return this.#formatter.format(this.#wallClock[row]!);
      case 'trans_date':
        return this.#formatter.format(this.#wallClock[row]!).slice(0, 10);
      case 'trans_time':
        return this.#formatter.format(this.#wallClock[row]!).slice(11);
      case 'cc_num':
        return this.#cardNumbers[customer]!;
      case 'merchant':
        return this.#merchant[terminal]!;
      case 'category':
        return this.#category[terminal]!;
      case 'amt':
        return this.#amounts[row]!;
      case 'trans_num':
        return transactionNumber(row, this.#seed);
      case 'unix_time':
        return this.epochSeconds[row]!;
      case 'merch_lat':
        return this.#merchantLat[terminal]!;
      case 'merch_long':
        return this.#merchantLong[terminal]!;
      case 'is_fraud':
        return this.#fraud[row]!;
      default: {
        const values = this.#customer[column as CustomerColumn];
        if (values === undefined) throw new RangeError(`No column "${column}" in the log.`);
        return values[customer]!;
      }
    }
  }

  /** Row `row` as one CSV line (no line break), cells in {@link columns} order. */
  csvLine(row: number): string {
    const customer = this.#customers[row]!;
    const terminal = this.#terminals[row]!;
    const stamp = this.#formatter.format(this.#wallClock[row]!);
    const time = this.#split ? `${stamp.slice(0, 10)},${stamp.slice(11)}` : stamp;
    return (
      `${time},${this.#cardNumbers[customer]},${csvCell(this.#merchant[terminal]!)},${this.#category[terminal]},` +
      `${this.#amounts[row]},${this.#customerCsv[customer]},${transactionNumber(row, this.#seed)},` +
      `${this.epochSeconds[row]},${this.#merchantLat[terminal]},${this.#merchantLong[terminal]},${this.#fraud[row]}`
    );
  }

  /** Row `row` as one JSON object line: numbers for numeric columns, text (card numbers included) otherwise. */
  jsonLine(row: number): string {
    const parts = this.columns.map((column) => {
      const value = this.cell(row, column);
      return `${JSON.stringify(column)}:${JSON.stringify(value)}`;
    });
    return `{${parts.join(',')}}`;
  }

  /** The whole log as a Table (text as string arrays, numbers as Float64Array); for small logs. */
  toTable(): Table {
    const columns: Record<string, Column> = {};
    for (const name of this.columns) {
      if (NUMERIC.has(name)) {
        const values = new Float64Array(this.length);
        for (let i = 0; i < this.length; i++) values[i] = this.cell(i, name) as number;
        columns[name] = values;
      } else {
        columns[name] = Array.from({ length: this.length }, (_, i) => String(this.cell(i, name)));
      }
    }
    return new Table(columns);
  }
}

/**
 * Turns a simulation into a log in the public layout (see {@link PUBLIC_LAYOUT_COLUMNS}):
 * the simulator's seconds are read as time elapsed since local midnight of its start date in
 * `timezone`, so `unix_time` is the true instant and the text column the local wall clock;
 * map positions become latitude/longitude in a box of the US north-east, towns and states are
 * cells of the map, and the people, streets, jobs, merchants and categories are drawn from
 * short lists written for this project. Deterministic for the simulation's seed.
 * @throws InvalidArgumentError for bad options or an unknown time zone.
 */
export function toPublicLayout(
  simulation: Simulation,
  options: PublicLayoutOptions = {},
): PublicTransactionLog {
  const o = parseOptions(PublicLayoutOptionsSchema, options, 'toPublicLayout options');
  const zone = TimeZone.of(o.timezone);
  const { table, customers, terminals, config } = simulation;
  const rng = new Rng(config.seed).fork('public-layout');

  const seconds = table.numeric('TX_TIME_SECONDS');
  const origin = zone.fromWallClock(dateToEpochSeconds(config.startDate));
  const epochSeconds = new Float64Array(seconds.length);
  const wallClock = new Float64Array(seconds.length);
  for (let i = 0; i < seconds.length; i++) {
    const instant = origin + seconds[i]!;
    epochSeconds[i] = instant;
    wallClock[i] = zone.toWallClock(instant);
  }

  const customer = drawPeople(rng.fork('people'), customers.x, customers.y);
  const merchants = drawMerchants(rng.fork('merchants'), terminals.count);
  const compromised = new Set(simulation.compromised.terminals);
  const categoryRng = rng.fork('categories');
  const category = Array.from({ length: terminals.count }, (_, t) => {
    const online = compromised.has(t) && categoryRng.next() < o.compromisedOnlineShare;
    return online
      ? CATEGORIES[categoryRng.integer(0, ONLINE_CATEGORIES)]!
      : CATEGORIES[categoryRng.integer(0, CATEGORIES.length)]!;
  });
  const columns: string[] = o.splitDateTime
    ? ['trans_date', 'trans_time', ...PUBLIC_LAYOUT_COLUMNS.slice(1)]
    : [...PUBLIC_LAYOUT_COLUMNS];
  return new PublicTransactionLog({
    columns,
    epochSeconds,
    wallClock,
    customers: table.numeric('CUSTOMER_ID') as Int32Array,
    terminals: table.numeric('TERMINAL_ID') as Int32Array,
    amounts: table.numeric('TX_AMOUNT') as Float64Array,
    fraud: table.numeric('TX_FRAUD') as Uint8Array,
    cardNumbers: generateCardNumbers(rng.fork('cards'), customers.count, o.longCardShare),
    customer,
    merchant: merchants,
    category,
    merchantLat: Float64Array.from(terminals.y, latitude),
    merchantLong: Float64Array.from(terminals.x, longitude),
    split: o.splitDateTime,
    seed: config.seed,
  });
}

function latitude(y: number): number {
  return round6(LAT_ORIGIN + (y / MAP_SIZE) * LAT_SPAN);
}

function longitude(x: number): number {
  return round6(LONG_ORIGIN + (x / MAP_SIZE) * LONG_SPAN);
}

function round6(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

/** One person per customer: name, gender, street, the town and state of their map cell, job, birth date. */
function drawPeople(
  rng: Rng,
  x: Float64Array,
  y: Float64Array,
): Record<CustomerColumn, (string | number)[]> {
  const towns = TOWNS_PER_SIDE * TOWNS_PER_SIDE;
  const townPopulation = Array.from({ length: towns }, () =>
    Math.round(Math.exp(rng.uniform(Math.log(200), Math.log(2_000_000)))),
  );
  const out: Record<CustomerColumn, (string | number)[]> = {
    first: [],
    last: [],
    gender: [],
    street: [],
    city: [],
    state: [],
    zip: [],
    lat: [],
    long: [],
    city_pop: [],
    job: [],
    dob: [],
  };
  const firstBirth = Date.UTC(1940, 0, 1) / 86_400_000;
  const lastBirth = Date.UTC(2003, 11, 31) / 86_400_000;
  for (let c = 0; c < x.length; c++) {
    const gender = rng.next() < 0.5 ? 'F' : 'M';
    const cellX = Math.min(TOWNS_PER_SIDE - 1, Math.floor((x[c]! / MAP_SIZE) * TOWNS_PER_SIDE));
    const cellY = Math.min(TOWNS_PER_SIDE - 1, Math.floor((y[c]! / MAP_SIZE) * TOWNS_PER_SIDE));
    const town = cellY * TOWNS_PER_SIDE + cellX;
    const stateX = Math.min(STATES_PER_SIDE - 1, Math.floor((x[c]! / MAP_SIZE) * STATES_PER_SIDE));
    const stateY = Math.min(STATES_PER_SIDE - 1, Math.floor((y[c]! / MAP_SIZE) * STATES_PER_SIDE));
    out.gender.push(gender);
    out.first.push(rng.choice(FIRST_NAMES[gender]));
    out.last.push(rng.choice(LAST_NAMES));
    out.street.push(
      `${rng.integer(1, 10_000)} ${rng.choice(STREET_NAMES)} ${rng.choice(STREET_KINDS)}`,
    );
    out.city.push(`${TOWN_STARTS[cellY]}${TOWN_ENDS[cellX]}`);
    out.state.push(STATES[stateY * STATES_PER_SIDE + stateX]!);
    out.zip.push(String(10_100 + town * 199));
    out.lat.push(latitude(y[c]!));
    out.long.push(longitude(x[c]!));
    out.city_pop.push(townPopulation[town]!);
    out.job.push(rng.choice(JOBS));
    const birthDay = rng.integer(firstBirth, lastBirth + 1);
    out.dob.push(new Date(birthDay * 86_400_000).toISOString().slice(0, 10));
  }
  return out;
}

/** Distinct merchant names: a shuffled walk over the word combinations, numbered once they run out. */
function drawMerchants(rng: Rng, count: number): string[] {
  const combos = MERCHANT_FIRST.length * MERCHANT_SECOND.length * MERCHANT_SUFFIX.length;
  const order = rng.shuffle(Int32Array.from({ length: combos }, (_, i) => i));
  return Array.from({ length: count }, (_, t) => {
    const combo = order[t % combos]!;
    const suffix = MERCHANT_SUFFIX[combo % MERCHANT_SUFFIX.length]!;
    const rest = Math.floor(combo / MERCHANT_SUFFIX.length);
    const second = MERCHANT_SECOND[rest % MERCHANT_SECOND.length]!;
    const first = MERCHANT_FIRST[Math.floor(rest / MERCHANT_SECOND.length)]!;
    const round = Math.floor(t / combos);
    return `${first} ${second} ${suffix}${round === 0 ? '' : ` ${round + 1}`}`;
  });
}

/**
 * A 32-hex-digit transaction number. The first 8 digits are a bijection of the row (XOR with a
 * seed word, then murmur3's finaliser), so numbers are distinct without a set; the rest are
 * further mixes of it, for looks.
 */
export function transactionNumber(row: number, seed: number): string {
  const key = mix32(Math.imul(seed | 0, 0x9e3779b1) ^ 0x5bd1e995);
  const a = mix32((row ^ key) >>> 0);
  const b = mix32((a + 0x85ebca6b) >>> 0);
  const c = mix32((b ^ 0xc2b2ae35) >>> 0);
  const d = mix32((c + 0x27d4eb2f) >>> 0);
  return hex8(a) + hex8(b) + hex8(c) + hex8(d);
}

function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

function hex8(value: number): string {
  return value.toString(16).padStart(8, '0');
}

function csvCell(value: string | number): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
