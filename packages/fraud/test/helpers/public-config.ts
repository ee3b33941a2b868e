import type { FraudPipelineConfigInput } from '../../src/config/fraud-config-schema.js';

/** A config for the public-layout log the simulator adapter writes. */
export function publicLayoutConfig(
  overrides: Partial<FraudPipelineConfigInput['columns'] & object> = {},
): FraudPipelineConfigInput {
  return {
    version: 1,
    columns: {
      transactionId: 'trans_num',
      time: { column: 'trans_date_trans_time', format: 'YYYY-MM-DD HH:mm:ss' },
      timezone: 'America/New_York',
      amount: 'amt',
      label: { column: 'is_fraud', fraud: ['1'], genuine: ['0'] },
      labelDelay: { days: 7 },
      entities: { card: ['cc_num'], merchant: ['merchant'] },
      numeric: ['city_pop'],
      categorical: ['category', 'gender'],
      ignore: ['first', 'last', 'street', 'dob', 'job', 'zip', 'city', 'state'],
      ...overrides,
    },
  };
}
