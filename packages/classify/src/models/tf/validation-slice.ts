import { InvalidArgumentError, type Rng } from '@mlsd/core';

/** Row numbers of a training / validation partition. */
export interface ValidationSlice {
  /** Rows kept for training, ascending. */
  trainRows: Int32Array;
  /** Rows held out for early stopping, ascending. */
  validationRows: Int32Array;
}

/**
 * Holds out `fraction` of the rows for early stopping, stratified by label so a rare fraud class
 * is represented in both parts (at least one positive on each side when there are two or more),
 * chosen at random with `rng`. For time-ordered data pass an explicit later validation period
 * to `fit` instead: a random slice of the same days is optimistic.
 * @throws InvalidArgumentError when either part would be empty.
 */
export function splitValidationSlice(
  y: ArrayLike<number>,
  fraction: number,
  rng: Rng,
  where: string,
): ValidationSlice {
  const positives: number[] = [];
  const negatives: number[] = [];
  for (let i = 0; i < y.length; i++) (y[i] === 1 ? positives : negatives).push(i);
  const held = new Uint8Array(y.length);
  let heldCount = 0;
  for (const group of [positives, negatives]) {
    if (group.length === 0) continue;
    let take = Math.round(group.length * fraction);
    if (group.length >= 2) take = Math.min(Math.max(take, 1), group.length - 1);
    else take = 0;
    const picked = rng.sample(group.length, take);
    for (const k of picked) held[group[k]!] = 1;
    heldCount += take;
  }
  if (heldCount === 0 || heldCount === y.length) {
    throw new InvalidArgumentError(
      `${where}: cannot hold out a validation slice of ${fraction} from ${y.length} rows; ` +
        'pass more rows, an explicit `validation` set to fit(), or earlyStopping: false.',
      { rows: y.length, validationFraction: fraction },
    );
  }
  const trainRows = new Int32Array(y.length - heldCount);
  const validationRows = new Int32Array(heldCount);
  let t = 0;
  let v = 0;
  for (let i = 0; i < y.length; i++) {
    if (held[i] === 1) validationRows[v++] = i;
    else trainRows[t++] = i;
  }
  return { trainRows, validationRows };
}
