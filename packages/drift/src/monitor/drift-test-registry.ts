import { InvalidArgumentError } from '@mlsd/core';
import { BUILTIN_DRIFT_TESTS } from './builtin-drift-tests.js';
import type { DriftTest } from './drift-test.js';

const tests = new Map<string, DriftTest>(BUILTIN_DRIFT_TESTS.map((test) => [test.name, test]));

/**
 * Registers a drift test so `DriftMonitor` options can name it (`tests`, `defaultTests`,
 * `minEffect`), without editing `@mlsd/drift`.
 * @throws InvalidArgumentError for a bad name or a name registered already (unless `replace`).
 */
export function registerDriftTest(test: DriftTest, options: { replace?: boolean } = {}): void {
  if (!/^[a-z0-9][a-z0-9._-]*$/i.test(test.name)) {
    throw new InvalidArgumentError(
      `registerDriftTest: name "${test.name}" must be letters, digits, '.', '_' or '-'.`,
      { name: test.name },
    );
  }
  const input: string = test.input;
  if (input !== 'numeric' && input !== 'categorical') {
    throw new InvalidArgumentError(
      `registerDriftTest: test "${test.name}" has input '${input}'; use 'numeric' or 'categorical'.`,
      { name: test.name },
    );
  }
  if (!(test.defaultMinEffect >= 0)) {
    throw new InvalidArgumentError(
      `registerDriftTest: test "${test.name}" needs a defaultMinEffect >= 0, got ${test.defaultMinEffect}.`,
      { name: test.name },
    );
  }
  if (tests.has(test.name) && options.replace !== true) {
    throw new InvalidArgumentError(
      `registerDriftTest: a drift test named "${test.name}" is registered already; ` +
        'pass { replace: true } to replace it.',
      { name: test.name },
    );
  }
  tests.set(test.name, test);
}

/** Removes a registered drift test; returns whether there was one. */
export function unregisterDriftTest(name: string): boolean {
  return tests.delete(name);
}

/** The names of the registered drift tests, built-in ones first, then in registration order. */
export function driftTestNames(): string[] {
  return [...tests.keys()];
}

/**
 * The drift test registered as `name`.
 * @throws InvalidArgumentError naming the registered tests when there is none.
 */
export function driftTest(name: string): DriftTest {
  const test = tests.get(name);
  if (test === undefined) {
    throw new InvalidArgumentError(
      `There is no drift test "${name}" (registered: ${driftTestNames().join(', ')}); ` +
        'add one with registerDriftTest().',
      { name },
    );
  }
  return test;
}
