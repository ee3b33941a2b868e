import { loadHnswlibNode } from '../src/index.js';

/**
 * Whether the optional hnswlib-node package imports here. It is installed in this workspace
 * (CI has g++ and make); on a machine without them it is absent, and the tests that compare
 * with it check the clear error instead and say so on stderr.
 */
export const nativeAvailable = await loadHnswlibNode();

if (!nativeAvailable) {
  process.stderr.write(
    '[ann tests] hnswlib-node is not installed: the compatibility tests with it cannot run; ' +
      'they check the error a user gets instead.\n',
  );
}
