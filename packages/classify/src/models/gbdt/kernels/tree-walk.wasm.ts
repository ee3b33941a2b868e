// Generated from tree-walk.wat by packages/core/scripts/build-wasm.ts: do not edit.
// Rebuild after changing the .wat: pnpm --filter @mlsd/core build:wasm

/** The WebAssembly module compiled from `tree-walk.wat`, as base64 (decode with `decodeWasm`). */
export const WASM_BASE64 = [
  'AGFzbQEAAAABCAFgA39/fAF8Ag8BA2VudgZtZW1vcnkCAAEDAgEABw4BCnByZWRpY3RSb3cAAArj',
  'AQHgAQEFfwJAIAAgAU8NAANAIAAoAgAhAyAAKAIEIQQgACgCCCEFIAAoAgwhBgJAIAAoAhAiB0UN',
  'AANAIAMoAgwgAygCCCsDACADKwMAZEEEdGohAyAEKAIMIAQoAggrAwAgBCsDAGRBBHRqIQQgBSgC',
  'DCAFKAIIKwMAIAUrAwBkQQR0aiEFIAYoAgwgBigCCCsDACAGKwMAZEEEdGohBiAHQQFrIgcNAAsL',
  'IAIgAysDAKAhAiACIAQrAwCgIQIgAiAFKwMAoCECIAIgBisDAKAhAiAAQRRqIgAgAUkNAAsLIAIL',
].join('');
