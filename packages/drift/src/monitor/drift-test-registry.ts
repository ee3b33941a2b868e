import { InvalidArgumentError } from '@mlsd/core';
import { Registry } from '@mlsd/core/internal';
import { BUILTIN_DRIFT_TESTS } from './builtin-drift-tests.js';
import type { DriftTest } from './drift-test.js';

const tests = new Registry<DriftTest>(
  { noun: 'drift test', howToAdd: 'registerDriftTest()' },
  BUILTIN_DRIFT_TESTS.map((test) => [test.name, test]),
);

/**
 * Registers a drift test so `DriftMonitor` options can name it (`tests`, `defaultTests`,
 * `minEffect`), without editing `@mlsd/drift`.
 * @throws InvalidArgumentError for a bad name, input or default effect, or a name registered
 *   already (unless `replace`).
 */
export function registerDriftTest(test: DriftTest, options: { replace?: boolean } = {}): void {
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
  tests.register(test.name, test, options);
}

/** Removes a registered drift test; returns whether there was one. */
export function unregisterDriftTest(name: string): boolean {
  return tests.unregister(name);
}

/** The names of the registered drift tests, built-in ones first, then in registration order. */
export function driftTestNames(): string[] {
  return tests.names();
}

/**
 * The drift test registered as `name`.
 * @throws InvalidArgumentError naming the registered tests when there is none.
 */
export function driftTest(name: string): DriftTest {
  return tests.get(name);
}
