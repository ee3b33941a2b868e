import { type ResolvedFraudConfig, TIME_FORMAT_KEYWORDS } from '@mlsd/fraud';

/** What a field of a scoring request is for. */
export type TransactionFieldRole =
  | 'transactionId'
  | 'time'
  | 'date'
  | 'timeOfDay'
  | 'amount'
  | 'label'
  | 'labelTime'
  | 'entity'
  | 'categorical'
  | 'numeric'
  | 'ignored';

/** One field of a scoring request: a column of the log, as the model's config reads it. */
export interface TransactionField {
  /** The column's name, as the log spells it. */
  name: string;
  role: TransactionFieldRole;
  /** JSON types accepted. */
  types: ('string' | 'number' | 'boolean')[];
  required: boolean;
  /** What the value looks like, for people and forms. */
  description: string;
}

/**
 * The fields of a scoring request for a model's config, in the log's terms: the transaction id
 * and entity keys (text, or whole numbers), the time as its format writes it, the amount, the
 * optional label, categorical and numeric columns (optional), and the columns the config leaves
 * out (accepted and ignored). The form of the web page and `/openapi.json` follow it.
 */
export function transactionFields(config: ResolvedFraudConfig): TransactionField[] {
  const { columns, layout } = config;
  const time = columns.time;
  const numericTime =
    (TIME_FORMAT_KEYWORDS as readonly string[]).includes(time.format) && time.format !== 'iso';
  const timeText = time.format === 'iso' ? 'ISO 8601 date-time' : `text like "${time.format}"`;
  const zone = `wall-clock time in ${columns.timezone} unless it carries an offset`;
  const fields: TransactionField[] = [
    {
      name: layout.transactionId,
      role: 'transactionId',
      types: ['string', 'number'],
      required: true,
      description: 'Transaction id: new for every transaction (text; whole numbers accepted).',
    },
  ];
  if (time.column !== undefined) {
    fields.push({
      name: time.column,
      role: 'time',
      types: numericTime ? ['number', 'string'] : ['string'],
      required: true,
      description: numericTime
        ? time.format === 'seconds-since'
          ? `Event time: seconds since ${time.origin} 00:00 (${columns.timezone}).`
          : `Event time: ${time.format === 'epoch-millis' ? 'milliseconds' : 'seconds'} since 1970-01-01 UTC.`
        : `Event time: ${timeText}, ${zone}.`,
    });
  } else {
    fields.push(
      {
        name: time.date!,
        role: 'date',
        types: ['string'],
        required: true,
        description: `Date of the event; with ${time.time} it reads as "${time.format}" (${zone}).`,
      },
      {
        name: time.time!,
        role: 'timeOfDay',
        types: ['string'],
        required: true,
        description: `Time of day of the event; with ${time.date} it reads as "${time.format}".`,
      },
    );
  }
  fields.push({
    name: layout.amount,
    role: 'amount',
    types: ['number', 'string'],
    required: true,
    description: 'Amount of the transaction.',
  });
  for (const [entity, keys] of Object.entries(columns.entities)) {
    for (const key of keys) {
      if (fields.some((field) => field.name === key)) continue;
      fields.push({
        name: key,
        role: 'entity',
        types: ['string', 'number'],
        required: true,
        description: `Key of the ${entity} entity (text; send long card numbers as strings).`,
      });
    }
  }
  for (const name of layout.categorical) {
    fields.push({
      name,
      role: 'categorical',
      types: ['string', 'number', 'boolean'],
      required: false,
      description: 'Categorical value (text); missing is allowed.',
    });
  }
  for (const name of layout.numeric) {
    fields.push({
      name,
      role: 'numeric',
      types: ['number', 'string'],
      required: false,
      description: 'Number; missing is allowed.',
    });
  }
  if (columns.label !== undefined) {
    fields.push({
      name: columns.label.column,
      role: 'label',
      types: ['string', 'number', 'boolean'],
      required: false,
      description: `Fraud label when already known (a replay): fraud ${columns.label.fraud.join(', ')}, genuine ${columns.label.genuine.join(', ')}. It only reaches windows that end the label delay later.`,
    });
  }
  if (layout.labelTime !== undefined) {
    fields.push({
      name: layout.labelTime,
      role: 'labelTime',
      types: ['string', 'number'],
      required: false,
      description: `When the label became known (format "${columns.labelDelay.format}").`,
    });
  }
  for (const name of layout.ignored) {
    fields.push({
      name,
      role: 'ignored',
      types: ['string', 'number', 'boolean'],
      required: false,
      description: 'Accepted and left out (the config ignores this column).',
    });
  }
  return fields;
}

/**
 * The JSON Schema of one scoring request for these fields: what `/openapi.json` documents.
 * The service checks requests with the config's row normalizer, which also explains problems.
 */
export function transactionJsonSchema(
  fields: readonly TransactionField[],
  example?: Record<string, string | number>,
): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (const field of fields) {
    properties[field.name] = {
      description: field.description,
      ...(field.types.length === 1 ? { type: field.types[0] } : { type: field.types }),
    };
  }
  return {
    type: 'object',
    description: "One transaction, with the log's own column names (the model's config reads it).",
    properties,
    required: fields.filter((field) => field.required).map((field) => field.name),
    additionalProperties: false,
    ...(example === undefined ? {} : { example }),
  };
}
