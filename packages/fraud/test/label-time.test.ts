import { Table } from '@mlsd/core';
import { simulateTransactions, toPublicLayout } from '@mlsd/datasets';
import { describe, expect, it } from 'vitest';
import { normalizeTable } from '../src/config/normalize-table.js';
import { resolveFraudConfig } from '../src/config/resolve-fraud-config.js';
import { trainFraudModel } from '../src/train-fraud-model.js';

describe('a label-time column instead of a fixed label delay', () => {
  it('is read as epoch seconds, handed to the features and trained on', async () => {
    const log = toPublicLayout(
      simulateTransactions({ customers: 120, terminals: 240, days: 40, seed: 2, progress: false }),
    ).toTable();
    // Each label becomes known three days after its transaction.
    const labelTime = Float64Array.from(log.numeric('unix_time'), (t) => t + 3 * 86_400);
    const table = new Table(
      Object.fromEntries([
        ...log.columnNames.map((name) => [name, log.column(name)]),
        ['label_known_at', labelTime],
      ]),
    );
    const config = resolveFraudConfig({
      columns: {
        transactionId: 'trans_num',
        time: { column: 'unix_time', format: 'epoch-seconds' },
        amount: 'amt',
        label: { column: 'is_fraud' },
        labelDelay: { column: 'label_known_at', format: 'epoch-seconds' },
        entities: { card: ['cc_num'], merchant: ['merchant'] },
      },
      features: [
        { kind: 'numeric', column: 'amt' },
        { kind: 'risk', entity: 'merchant', windowDays: 7, delayDays: 0 },
      ],
      protocol: { delayDays: 3 },
    });
    const normalized = normalizeTable(table, config.columns);
    expect(Array.from(normalized.table.numeric('label_known_at').subarray(0, 3))).toEqual(
      Array.from(labelTime.subarray(0, 3)),
    );
    const { model } = await trainFraudModel(normalized, config);
    expect(model.features.spec.columns.labelTime).toBe('label_known_at');
    expect(model.features.names).toEqual(['amt', 'merchant_risk_7d_delay0d']);
    expect(model.protocol.delayDays).toBe(3);
  });
});
