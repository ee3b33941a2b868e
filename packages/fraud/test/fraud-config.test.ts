import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { fraudConfigJsonSchema } from '../src/config/fraud-config-json-schema.js';
import { parseFraudConfig } from '../src/config/parse-fraud-config.js';
import { publicLayoutConfig } from './helpers/public-config.js';

function problemsOf(input: unknown): string {
  try {
    parseFraudConfig(input, 'fraud.config.json');
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the config to be refused');
}

describe('parseFraudConfig', () => {
  it('fills defaults into a valid config', () => {
    const config = parseFraudConfig(publicLayoutConfig());
    expect(config.protocol).toEqual({
      trainDays: 7,
      testDays: 7,
      trainStart: 'auto',
      dailyBudget: 100,
      dropKnownCompromised: true,
    });
    expect(config.model).toEqual({ kind: 'logreg', classWeight: 'none', seed: 0 });
    expect(config.columns?.labelDelay).toEqual({ days: 7, format: 'iso' });
  });

  it('names the key path, what was found and what to do for each problem', () => {
    const base = publicLayoutConfig();
    const message = problemsOf({
      ...base,
      version: 2,
      columns: {
        ...base.columns,
        amount: 12,
        time: { column: 'unix_time', format: 'seconds-since' },
        label: { column: 'is_fraud', fraud: ['yes'], genuine: ['YES'] },
        numerc: ['city_pop'],
      },
      protocl: {},
      model: { kind: 'xgboost' },
    });
    // One line: the command line prints one line per failure.
    expect(message).not.toContain('\n');
    expect(message).toMatch(/^fraud.config.json has 7 problems: /);
    expect(message).toContain('version: found 2, expected 1');
    expect(message).toContain('columns.amount: expected string, found 12');
    expect(message).toContain(
      'columns.time.origin: format "seconds-since" needs the origin date, e.g. "origin": "2018-04-01"',
    );
    expect(message).toContain('columns.label.genuine: "YES" cannot mean both fraud and genuine');
    expect(message).toMatch(
      /columns: unknown key "numerc" \(did you mean "numeric"\?\) \(allowed keys: transactionId/,
    );
    expect(message).toMatch(/\(top level\): unknown key "protocl" \(did you mean "protocol"\?\)/);
    expect(message).toContain(
      'model.kind: found "xgboost", expected one of "gbdt", "mlp", "logreg"',
    );
  });

  it('asks for the columns unless a preset gives them', () => {
    expect(problemsOf({ version: 1 })).toMatch(
      /columns: say which columns are what \(`mlsd fraud init --in <file>` drafts this\), or start from "preset": "handbook"/,
    );
    expect(parseFraudConfig({ version: 1, preset: 'handbook' }).preset).toBe('handbook');
  });
});

describe('fraudConfigJsonSchema', () => {
  it('is the file the package ships (regenerate with packages/fraud/scripts/write-config-schema.ts)', async () => {
    const shipped = JSON.parse(
      await readFile(new URL('../fraud-config.schema.json', import.meta.url), 'utf8'),
    );
    expect(shipped).toEqual(fraudConfigJsonSchema());
    expect(shipped.properties.columns.properties.entities.description).toMatch(/Named keys/);
  });
});
