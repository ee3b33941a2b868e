import { InvalidArgumentError } from '@mlsd/core';

/** Points on a plane, as parallel coordinate arrays. */
export interface Points {
  x: Float64Array;
  y: Float64Array;
}

/**
 * For each customer, the terminals it may use, in compressed rows: the terminals of customer
 * `c` are `terminals[offsets[c] … offsets[c + 1])`, in ascending id order.
 */
export interface NearbyTerminals {
  /** Length customers + 1; offsets[c + 1] − offsets[c] terminals for customer c. */
  offsets: Int32Array;
  /** Terminal ids, grouped by customer. */
  terminals: Int32Array;
}

/** Cells per terminal are capped so that a tiny radius does not allocate a huge grid. */
const MAX_CELLS_PER_TERMINAL = 4;

/**
 * Finds, for every customer, the terminals strictly closer than `radius` (Euclidean), using a
 * uniform grid over the terminals: cells of side `radius` (larger when that would make more
 * than a few cells per terminal), so each customer measures only the terminals of the cells
 * around its own. Cost ≈ customers × (terminals within reach), not customers × terminals.
 * @throws InvalidArgumentError when `radius` is not a positive finite number or a
 *   coordinate is not finite.
 */
export function findNearbyTerminals(
  customers: Points,
  terminals: Points,
  radius: number,
): NearbyTerminals {
  if (!(radius > 0 && Number.isFinite(radius))) {
    throw new InvalidArgumentError(
      `findNearbyTerminals: radius must be a positive finite number, got ${radius}.`,
    );
  }
  const grid = buildGrid(terminals, radius);
  const customerCount = customers.x.length;
  const offsets = new Int32Array(customerCount + 1);
  let found = new Int32Array(Math.max(1024, customerCount * 8));
  let size = 0;
  const radiusSquared = radius * radius;
  const { cellsX, cellsY, cellSize, minX, minY, cellStart, cellTerminals, reach } = grid;
  const tx = terminals.x;
  const ty = terminals.y;
  for (let c = 0; c < customerCount; c++) {
    const x = customers.x[c]!;
    const y = customers.y[c]!;
    if (!(Number.isFinite(x) && Number.isFinite(y))) {
      throw new InvalidArgumentError(
        `findNearbyTerminals: customer ${c} is at (${x}, ${y}); coordinates must be finite.`,
      );
    }
    const first = size;
    const cx = Math.floor((x - minX) / cellSize);
    const cy = Math.floor((y - minY) / cellSize);
    const x0 = Math.max(0, cx - reach);
    const x1 = Math.min(cellsX - 1, cx + reach);
    const y0 = Math.max(0, cy - reach);
    const y1 = Math.min(cellsY - 1, cy + reach);
    for (let gy = y0; gy <= y1; gy++) {
      for (let gx = x0; gx <= x1; gx++) {
        const cell = gy * cellsX + gx;
        const end = cellStart[cell + 1]!;
        for (let k = cellStart[cell]!; k < end; k++) {
          const t = cellTerminals[k]!;
          const dx = tx[t]! - x;
          const dy = ty[t]! - y;
          if (dx * dx + dy * dy < radiusSquared) {
            if (size === found.length) {
              const grown = new Int32Array(found.length * 2);
              grown.set(found);
              found = grown;
            }
            found[size++] = t;
          }
        }
      }
    }
    // Ascending ids, so the result does not depend on the grid's layout.
    if (size - first > 1) found.subarray(first, size).sort();
    offsets[c + 1] = size;
  }
  return { offsets, terminals: found.slice(0, size) };
}

interface Grid {
  cellsX: number;
  cellsY: number;
  cellSize: number;
  minX: number;
  minY: number;
  /** Cells within this many steps of a customer's cell can hold terminals within the radius. */
  reach: number;
  /** Length cells + 1: terminals of cell i are cellTerminals[cellStart[i] … cellStart[i + 1]). */
  cellStart: Int32Array;
  cellTerminals: Int32Array;
}

function buildGrid(terminals: Points, radius: number): Grid {
  const count = terminals.x.length;
  let minX = 0;
  let minY = 0;
  let maxX = 0;
  let maxY = 0;
  for (let t = 0; t < count; t++) {
    const x = terminals.x[t]!;
    const y = terminals.y[t]!;
    if (!(Number.isFinite(x) && Number.isFinite(y))) {
      throw new InvalidArgumentError(
        `findNearbyTerminals: terminal ${t} is at (${x}, ${y}); coordinates must be finite.`,
      );
    }
    if (t === 0 || x < minX) minX = x;
    if (t === 0 || x > maxX) maxX = x;
    if (t === 0 || y < minY) minY = y;
    if (t === 0 || y > maxY) maxY = y;
  }
  const extent = Math.max(maxX - minX, maxY - minY);
  // Cells of side `radius`, unless that gives more cells than a few per terminal.
  const maxCellsPerAxis = Math.max(1, Math.ceil(Math.sqrt(count * MAX_CELLS_PER_TERMINAL)));
  const cellSize = Math.max(radius, extent / maxCellsPerAxis);
  const cellsX = Math.floor((maxX - minX) / cellSize) + 1;
  const cellsY = Math.floor((maxY - minY) / cellSize) + 1;
  const reach = Math.ceil(radius / cellSize);
  const cells = cellsX * cellsY;
  const cellOf = new Int32Array(count);
  const cellStart = new Int32Array(cells + 1);
  for (let t = 0; t < count; t++) {
    const gx = Math.floor((terminals.x[t]! - minX) / cellSize);
    const gy = Math.floor((terminals.y[t]! - minY) / cellSize);
    const cell = gy * cellsX + gx;
    cellOf[t] = cell;
    cellStart[cell + 1]!++;
  }
  for (let i = 0; i < cells; i++) cellStart[i + 1]! += cellStart[i]!;
  const next = cellStart.slice(0, cells);
  const cellTerminals = new Int32Array(count);
  for (let t = 0; t < count; t++) cellTerminals[next[cellOf[t]!]!++] = t;
  return { cellsX, cellsY, cellSize, minX, minY, reach, cellStart, cellTerminals };
}
