import {
  compileWasm,
  createWasmMemory,
  decodeWasm,
  instantiateWasm,
  noteFallback,
  type WasmModule,
} from '@mlsd/core/internal';
import { WASM_BASE64 } from './kernels/tree-walk.wasm.js';
import type { TreeEnsemble } from './tree-ensemble.js';

/** Component name under which a tree walk in JavaScript instead of WebAssembly is logged and counted. */
export const TREE_WALK_FALLBACK = '@mlsd/classify tree walk';

const NODE_BYTES = 16;
const GROUP_BYTES = 20;
const TREES_PER_GROUP = 4;
/**
 * Cells of the expanded row per feature: the value with a missing one as −∞ (splits that send
 * missing left), as +∞ (splits that send it right), and two indicators (1 when present, 1 when
 * missing) for the splits whose threshold alone cannot decide (NaN, or +∞ with missing right).
 */
const CELL_BLOCKS = 4;

/** The kernel's export (see `kernels/tree-walk.wat`). */
interface TreeWalkKernel {
  predictRow(groups: number, groupsEnd: number, score: number): number;
}

let compiled: WasmModule | null | undefined;

function treeWalkModule(): WasmModule | null {
  if (compiled === undefined) {
    try {
      compiled = compileWasm(decodeWasm(WASM_BASE64));
    } catch (error) {
      compiled = null;
      noteFallback(
        TREE_WALK_FALLBACK,
        'WebAssembly is unavailable; single rows walk the trees in JavaScript',
        { reason: error instanceof Error ? error.message : String(error) },
      );
    }
  }
  return compiled;
}

/**
 * A fitted {@link TreeEnsemble} laid out for scoring one row at a time, as an online scorer
 * does: every node in 16 bytes of one buffer (threshold or leaf value, the cell it compares,
 * its children side by side, each tree breadth-first), walked four trees at a time by a small
 * WebAssembly kernel (`kernels/tree-walk.wat`) with no branch on the data and no allocation.
 * Built once per fitted model; gives the raw score {@link predictRaw} gives, to the bit.
 *
 * Missing values: each split compares one cell of an "expanded" row, chosen when packing so
 * that `cell > threshold` alone sends the row the way the parallel-array walk does — the value
 * with NaN as −∞ where the split sends missing values left, as +∞ where it sends them right,
 * or a presence indicator where the threshold itself is NaN or +∞.
 */
export class PackedTrees {
  readonly #baseline: number;
  readonly #featureCount: number;
  /** The expanded row's cells, `CELL_BLOCKS × featureCount` then the −∞ and +∞ constants. */
  readonly #cells: Float64Array;
  readonly #groupsAt: number;
  readonly #groupsEnd: number;
  readonly #kernel: TreeWalkKernel | undefined;
  readonly #f64: Float64Array;
  readonly #i32: Int32Array;

  private constructor(ensemble: TreeEnsemble, featureCount: number, useWasm: boolean) {
    this.#baseline = ensemble.baseline;
    this.#featureCount = featureCount;
    const trees = ensemble.treeStarts.length - 1;
    const groups = Math.ceil(trees / TREES_PER_GROUP);
    // One shared leaf of value −0 pads the last group (x + −0 = x for every x, −0 included).
    const nodes = ensemble.feature.length + 1;
    const cellsAt = nodes * NODE_BYTES;
    const cellCount = CELL_BLOCKS * featureCount + 2;
    this.#groupsAt = cellsAt + cellCount * 8;
    this.#groupsEnd = this.#groupsAt + groups * GROUP_BYTES;
    // Whole f64s, so the JavaScript fallback's buffer takes a Float64Array view.
    const bytes = Math.ceil(this.#groupsEnd / 8) * 8;

    const module = useWasm ? treeWalkModule() : null;
    let buffer: ArrayBuffer | undefined;
    if (module !== null) {
      try {
        const memory = createWasmMemory(bytes);
        this.#kernel = instantiateWasm<TreeWalkKernel>(module, memory);
        buffer = memory.buffer;
      } catch (error) {
        noteFallback(
          TREE_WALK_FALLBACK,
          'the WebAssembly memory could not be reserved; single rows walk the trees in JavaScript',
          { bytes, reason: error instanceof Error ? error.message : String(error) },
        );
      }
    }
    buffer ??= new ArrayBuffer(bytes);
    this.#f64 = new Float64Array(buffer);
    this.#i32 = new Int32Array(buffer);
    this.#cells = new Float64Array(buffer, cellsAt, cellCount);
    this.#cells[cellCount - 2] = Number.NEGATIVE_INFINITY;
    this.#cells[cellCount - 1] = Number.POSITIVE_INFINITY;
    this.#pack(ensemble, cellsAt);
  }

  /**
   * Packs `ensemble`, whose rows have `featureCount` features; with `useWasm` false (or where
   * WebAssembly cannot run, logged and counted) the same walk runs in JavaScript.
   * Needs well-formed trees: each node the child of at most one node, children after their
   * parent in the same tree (what fitting builds and `fromJSON` checks).
   */
  static from(ensemble: TreeEnsemble, featureCount: number, useWasm = true): PackedTrees {
    return new PackedTrees(ensemble, featureCount, useWasm);
  }

  /** True when the WebAssembly kernel walks the trees (false: the JavaScript loop). */
  get accelerated(): boolean {
    return this.#kernel !== undefined;
  }

  /**
   * Raw score (log-odds) of one row of `featureCount` values (NaN = missing): the baseline plus
   * every tree's leaf value, added in tree order. Allocates nothing; not reentrant (the
   * expanded row lives in the packed buffer), which a synchronous call never needs.
   */
  predictRawRow(row: ArrayLike<number>): number {
    const width = this.#featureCount;
    const cells = this.#cells;
    for (let j = 0; j < width; j++) {
      const x = row[j]!;
      if (!Number.isNaN(x)) {
        cells[j] = x;
        cells[width + j] = x;
        cells[2 * width + j] = 1;
        cells[3 * width + j] = 0;
      } else {
        cells[j] = Number.NEGATIVE_INFINITY;
        cells[width + j] = Number.POSITIVE_INFINITY;
        cells[2 * width + j] = 0;
        cells[3 * width + j] = 1;
      }
    }
    if (this.#kernel !== undefined) {
      return this.#kernel.predictRow(this.#groupsAt, this.#groupsEnd, this.#baseline);
    }
    return this.#walk();
  }

  /** The kernel's walk in JavaScript, on the same buffer (where WebAssembly cannot run). */
  #walk(): number {
    const f64 = this.#f64;
    const i32 = this.#i32;
    let score = this.#baseline;
    for (let g = this.#groupsAt >> 2; g < this.#groupsEnd >> 2; g += GROUP_BYTES >> 2) {
      const depth = i32[g + 4]!;
      for (let k = 0; k < TREES_PER_GROUP; k++) {
        let node = i32[g + k]!;
        for (let d = 0; d < depth; d++) {
          const cell = f64[i32[(node >> 2) + 2]! >> 3]!;
          node = i32[(node >> 2) + 3]! + (cell > f64[node >> 3]! ? NODE_BYTES : 0);
        }
        score += f64[node >> 3]!;
      }
    }
    return score;
  }

  /** Writes the nodes (each tree breadth-first, children side by side) and the groups. */
  #pack(ensemble: TreeEnsemble, cellsAt: number): void {
    const { treeStarts, feature, threshold, missingGoesLeft, left, right, value } = ensemble;
    const f64 = this.#f64;
    const i32 = this.#i32;
    const width = this.#featureCount;
    const cell = (block: number, f: number) => cellsAt + 8 * (block * width + f);
    const minusInfinity = cellsAt + 8 * (CELL_BLOCKS * width);
    const plusInfinity = minusInfinity + 8;
    const writeLeaf = (at: number, leafValue: number) => {
      f64[at >> 3] = leafValue;
      i32[(at >> 2) + 2] = minusInfinity;
      i32[(at >> 2) + 3] = at;
    };
    const padding = feature.length * NODE_BYTES;
    writeLeaf(padding, -0);

    const trees = treeStarts.length - 1;
    const roots = new Int32Array(trees);
    const depths = new Int32Array(trees);
    // Breadth-first per tree: original node, its address, its depth.
    const queue = new Int32Array(feature.length);
    const queueAt = new Int32Array(feature.length);
    const queueDepth = new Int32Array(feature.length);
    let next = 0;
    for (let t = 0; t < trees; t++) {
      let head = 0;
      let tail = 0;
      queue[tail] = treeStarts[t]!;
      queueAt[tail] = next;
      queueDepth[tail++] = 0;
      roots[t] = next;
      next += NODE_BYTES;
      let depth = 0;
      while (head < tail) {
        const node = queue[head]!;
        const at = queueAt[head]!;
        const nodeDepth = queueDepth[head++]!;
        if (nodeDepth > depth) depth = nodeDepth;
        const f = feature[node]!;
        if (f < 0) {
          writeLeaf(at, value[node]!);
          continue;
        }
        const t0 = threshold[node]!;
        const goesLeft = missingGoesLeft[node] === 1;
        // cell > threshold must hold exactly when the parallel-array walk goes right.
        let compared: number;
        let against = t0;
        if (Number.isNaN(t0)) {
          // x ≤ NaN is false: every present value goes right, a missing one as learned.
          if (goesLeft) {
            compared = cell(2, f);
            against = 0.5;
          } else {
            compared = plusInfinity;
            against = Number.NEGATIVE_INFINITY;
          }
        } else if (t0 === Number.POSITIVE_INFINITY && !goesLeft) {
          // x ≤ +∞ holds for every present value: only a missing one goes right.
          compared = cell(3, f);
          against = 0.5;
        } else {
          compared = goesLeft ? cell(0, f) : cell(1, f);
        }
        f64[at >> 3] = against;
        i32[(at >> 2) + 2] = compared;
        i32[(at >> 2) + 3] = next;
        queue[tail] = left[node]!;
        queueAt[tail] = next;
        queueDepth[tail++] = nodeDepth + 1;
        queue[tail] = right[node]!;
        queueAt[tail] = next + NODE_BYTES;
        queueDepth[tail++] = nodeDepth + 1;
        next += 2 * NODE_BYTES;
      }
      depths[t] = depth;
    }

    for (let g = 0; g * TREES_PER_GROUP < trees; g++) {
      const at = (this.#groupsAt + g * GROUP_BYTES) >> 2;
      let depth = 0;
      for (let k = 0; k < TREES_PER_GROUP; k++) {
        const t = g * TREES_PER_GROUP + k;
        i32[at + k] = t < trees ? roots[t]! : padding;
        if (t < trees && depths[t]! > depth) depth = depths[t]!;
      }
      i32[at + 4] = depth;
    }
  }
}
