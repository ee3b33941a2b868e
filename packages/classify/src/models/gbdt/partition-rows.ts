/**
 * Reorders `rows[start..end)` so the rows that go left (`goesLeft[column[row]] === 1`) come
 * first, both sides keeping their ascending order (so later passes read the binned columns
 * front to back). Returns the index where the right side starts.
 *
 * The larger side is compacted in place and only the smaller one goes through `scratch` and is
 * copied back, so a split that peels a few rows off a big node costs one read per row and few
 * copies. `expectedLeft` (the left count the histogram predicted) only picks the direction.
 * The loops are branch-free: each row is written to both destinations and only the matching
 * cursor advances, as a data-dependent branch would mispredict on balanced splits.
 */
export function partitionRows(
  rows: Uint32Array,
  start: number,
  end: number,
  column: Uint8Array,
  goesLeft: Uint8Array,
  expectedLeft: number,
  scratch: Uint32Array,
): number {
  if (2 * expectedLeft >= end - start) {
    // Left in place from the front, right rows to scratch.
    let leftEnd = start;
    let rightCount = 0;
    for (let k = start; k < end; k++) {
      const row = rows[k]!;
      const left = goesLeft[column[row]!]!;
      rows[leftEnd] = row;
      scratch[rightCount] = row;
      leftEnd += left;
      rightCount += 1 - left;
    }
    rows.set(scratch.subarray(0, rightCount), leftEnd);
    return leftEnd;
  }
  // Right in place from the back, left rows to the back of scratch; both walked backwards.
  let rightStart = end;
  let leftStart = scratch.length;
  for (let k = end - 1; k >= start; k--) {
    const row = rows[k]!;
    const left = goesLeft[column[row]!]!;
    rows[rightStart - 1] = row;
    scratch[leftStart - 1] = row;
    rightStart -= 1 - left;
    leftStart -= left;
  }
  rows.set(scratch.subarray(leftStart), start);
  return rightStart;
}
