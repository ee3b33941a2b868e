/**
 * Row numbers grouped by entity (customer or terminal), in compressed rows: the rows of entity
 * `e` are `rows[offsets[e] … offsets[e + 1])`, ascending, so in time order when the table is.
 */
export interface RowsByEntity {
  /** Length entities + 1. */
  offsets: Int32Array;
  rows: Int32Array;
}

/** Groups row numbers by `ids[row]` (ids in [0, entities)) with a stable counting sort. */
export function groupRowsByEntity(ids: Int32Array, entities: number): RowsByEntity {
  const offsets = new Int32Array(entities + 1);
  for (let i = 0; i < ids.length; i++) offsets[ids[i]! + 1]!++;
  for (let e = 0; e < entities; e++) offsets[e + 1]! += offsets[e]!;
  const next = offsets.slice(0, entities);
  const rows = new Int32Array(ids.length);
  for (let i = 0; i < ids.length; i++) rows[next[ids[i]!]!++] = i;
  return { offsets, rows };
}

/**
 * Calls `visit(row)` for each row of `entity` whose day is in [fromDay, toDay), in row order.
 * `days` must be non-decreasing along the entity's rows (true for a time-sorted table).
 */
export function forEachRowInDays(
  index: RowsByEntity,
  days: Int32Array,
  entity: number,
  fromDay: number,
  toDay: number,
  visit: (row: number) => void,
): void {
  const { offsets, rows } = index;
  let low = offsets[entity]!;
  let high = offsets[entity + 1]!;
  // First row with day >= fromDay.
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (days[rows[mid]!]! < fromDay) low = mid + 1;
    else high = mid;
  }
  const end = offsets[entity + 1]!;
  for (let k = low; k < end; k++) {
    const row = rows[k]!;
    if (days[row]! >= toDay) break;
    visit(row);
  }
}
