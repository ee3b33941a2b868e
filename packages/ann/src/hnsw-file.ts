import { CorruptFileError } from '@mlsd/core';

/**
 * hnswlib's index file, the one place its layout is written down: our graph (`HnswGraph`)
 * writes and reads it, hnswlib-node's `writeIndex` / `readIndex` do the same, so an index moves
 * between the two engines as bytes. Layout of hnswlib 0.7–0.8 (`HierarchicalNSW::saveIndex` in
 * `hnswalg.h`), all little-endian:
 *
 * ```
 * header, 96 bytes                       byte offset  type  field
 *   offsetLevel0 (always 0)                        0  u64
 *   maxElements: capacity                          8  u64
 *   count: nodes, deleted ones included           16  u64
 *   sizeDataPerElement = L0 + 4·dim + 8           24  u64
 *   labelOffset = L0 + 4·dim                      32  u64
 *   offsetData = L0                               40  u64
 *   maxLevel (−1 when empty)                      48  i32
 *   entryPoint (node id)                          52  u32
 *   maxM (= M, links per upper level)             56  u64
 *   maxM0 (= 2M, links on level 0)                64  u64
 *   M                                             72  u64
 *   mult = 1 / ln M (level draw)                  80  f64
 *   efConstruction                                88  u64
 * level 0: count records of sizeDataPerElement bytes, node i at 96 + i·sizeDataPerElement
 *   u32 link count in bits 0–15, deleted mark in bit 16
 *   maxM0 × u32 neighbour ids (the first `count` used)           L0 = 4 + 4·maxM0 bytes
 *   dim × f32 vector (normalised for cosine)
 *   u64 label
 * upper levels, node by node after level 0:
 *   u32 byte length = level(node) · (4 + 4·maxM)
 *   per level 1 … level(node): u32 link count, maxM × u32 neighbour ids
 * ```
 *
 * Neighbour lists are stored farthest first (the order hnswlib's heap pops them in).
 */

/** Bytes of the header before the level-0 records. */
export const HNSW_HEADER_BYTES = 96;
/** Bit of a level-0 record's first u32 that marks the node deleted. */
const DELETED_BIT = 0x10000;
/** Bits of a link-list header that hold the link count. */
const COUNT_MASK = 0xffff;

/** Header fields at their byte offsets (see the table above). */
const AT = {
  offsetLevel0: 0,
  capacity: 8,
  count: 16,
  sizeDataPerElement: 24,
  labelOffset: 32,
  offsetData: 40,
  maxLevel: 48,
  entryPoint: 52,
  maxM: 56,
  maxM0: 64,
  M: 72,
  mult: 80,
  efConstruction: 88,
} as const;

/** A graph as flat arrays: what the file holds, in the shape `HnswGraph` keeps in memory. */
export interface HnswGraphArrays {
  dim: number;
  M: number;
  /** Links per node on level 0 (2M). */
  maxM0: number;
  /** Level multiplier, 1 / ln M. */
  mult: number;
  efConstruction: number;
  /** Nodes the file declares room for (hnswlib's max_elements; ≥ count). */
  capacity: number;
  /** Nodes, deleted ones included. */
  count: number;
  /** Top level of the graph; −1 when empty. */
  maxLevel: number;
  entryPoint: number;
  /** Level-0 link counts, one per node. */
  counts0: Uint16Array;
  /** Level-0 links: node i's at links0[i · maxM0 …]. */
  links0: Int32Array;
  /** 1 for a deleted node. */
  deleted: Uint8Array;
  /** hnswlib's label of each node. */
  labels: Int32Array;
  /** Top level of each node. */
  levels: Uint8Array;
  /** Upper levels: node i's level-l block at upper[upperAt[i] + (l − 1)(M + 1)]: count, M ids. */
  upper: Int32Array;
  /** Start of each node's blocks in `upper` (−1 for a node on level 0 only). */
  upperAt: Int32Array;
  /** Vectors, node i's at vectors[i · rowFloats …] (rows may be padded past dim). */
  vectors: Float32Array;
  rowFloats: number;
}

/** Bytes of one level-0 record for `dim` and `maxM0`. */
function recordBytes(dim: number, maxM0: number): number {
  return 4 + 4 * maxM0 + 4 * dim + 8;
}

/** Encodes a graph as hnswlib's index file. */
export function encodeHnswFile(graph: HnswGraphArrays): Uint8Array {
  const { count, dim, M, maxM0 } = graph;
  const record = recordBytes(dim, maxM0);
  const dataAt = 4 + 4 * maxM0;
  const labelAt = dataAt + 4 * dim;
  const levelBytes = 4 + 4 * M;
  let upperBytes = 0;
  for (let i = 0; i < count; i++) upperBytes += 4 + graph.levels[i]! * levelBytes;
  const file = new Uint8Array(HNSW_HEADER_BYTES + count * record + upperBytes);
  const view = new DataView(file.buffer);
  const size = (at: number, value: number) => view.setBigUint64(at, BigInt(value), true);
  size(AT.offsetLevel0, 0);
  size(AT.capacity, Math.max(graph.capacity, count));
  size(AT.count, count);
  size(AT.sizeDataPerElement, record);
  size(AT.labelOffset, labelAt);
  size(AT.offsetData, dataAt);
  view.setInt32(AT.maxLevel, graph.maxLevel, true);
  view.setUint32(AT.entryPoint, graph.entryPoint < 0 ? 0xffffffff : graph.entryPoint, true);
  size(AT.maxM, M);
  size(AT.maxM0, maxM0);
  size(AT.M, M);
  view.setFloat64(AT.mult, graph.mult, true);
  size(AT.efConstruction, graph.efConstruction);
  const { vectors, rowFloats } = graph;
  for (let i = 0; i < count; i++) {
    const at = HNSW_HEADER_BYTES + i * record;
    const links = graph.counts0[i]!;
    view.setUint32(at, links | (graph.deleted[i] === 1 ? DELETED_BIT : 0), true);
    for (let j = 0; j < links; j++)
      view.setInt32(at + 4 + 4 * j, graph.links0[i * maxM0 + j]!, true);
    for (let j = 0; j < dim; j++)
      view.setFloat32(at + dataAt + 4 * j, vectors[i * rowFloats + j]!, true);
    view.setBigUint64(at + labelAt, BigInt(graph.labels[i]!), true);
  }
  let at = HNSW_HEADER_BYTES + count * record;
  for (let i = 0; i < count; i++) {
    const levels = graph.levels[i]!;
    view.setUint32(at, levels * levelBytes, true);
    at += 4;
    const from = graph.upperAt[i]!;
    for (let l = 0; l < levels; l++) {
      const block = from + l * (M + 1);
      const links = graph.upper[block]!;
      view.setUint32(at, links, true);
      for (let j = 0; j < links; j++)
        view.setInt32(at + 4 + 4 * j, graph.upper[block + 1 + j]!, true);
      at += levelBytes;
    }
  }
  return file;
}

/**
 * Decodes hnswlib's index file for `dim`-dimensional vectors. `vectorsFor` is told the graph's
 * shape once the header is read and provides where the vectors go (so they can land straight
 * in WebAssembly memory).
 * @throws CorruptFileError when the bytes are not such a file.
 */
export function decodeHnswFile(
  file: Uint8Array,
  dim: number,
  vectorsFor: (shape: { count: number; M: number; efConstruction: number }) => {
    vectors: Float32Array;
    rowFloats: number;
  },
): HnswGraphArrays {
  if (file.byteLength < HNSW_HEADER_BYTES) throw corrupt('it is shorter than its header');
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const size = (at: number) => Number(view.getBigUint64(at, true));
  const count = size(AT.count);
  const maxM = size(AT.maxM);
  const maxM0 = size(AT.maxM0);
  const record = recordBytes(dim, maxM0);
  const dataAt = 4 + 4 * maxM0;
  const labelAt = dataAt + 4 * dim;
  if (
    size(AT.offsetLevel0) !== 0 ||
    size(AT.offsetData) !== dataAt ||
    size(AT.labelOffset) !== labelAt ||
    size(AT.sizeDataPerElement) !== record ||
    maxM < 1 ||
    maxM0 !== 2 * maxM ||
    file.byteLength < HNSW_HEADER_BYTES + count * record + count * 4
  ) {
    throw corrupt(`its layout does not fit ${dim}-dimensional vectors`);
  }
  const maxLevel = count === 0 ? -1 : view.getInt32(AT.maxLevel, true);
  const entryPoint = count === 0 ? -1 : view.getUint32(AT.entryPoint, true);
  if (count > 0 && entryPoint >= count)
    throw corrupt(`its entry point ${entryPoint} is not a node`);
  const efConstruction = size(AT.efConstruction);
  const { vectors, rowFloats } = vectorsFor({ count, M: maxM, efConstruction });
  const counts0 = new Uint16Array(count);
  const links0 = new Int32Array(count * maxM0);
  const deleted = new Uint8Array(count);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const at = HNSW_HEADER_BYTES + i * record;
    const header = view.getUint32(at, true);
    const links = header & COUNT_MASK;
    if (links > maxM0) throw corrupt(`node ${i} lists ${links} level-0 links (max ${maxM0})`);
    counts0[i] = links;
    deleted[i] = (header & DELETED_BIT) === 0 ? 0 : 1;
    for (let j = 0; j < links; j++)
      links0[i * maxM0 + j] = checkedId(view.getInt32(at + 4 + 4 * j, true), count, i);
    for (let j = 0; j < dim; j++)
      vectors[i * rowFloats + j] = view.getFloat32(at + dataAt + 4 * j, true);
    const label = size(at + labelAt);
    if (label > 0x7fffffff) throw corrupt(`node ${i} has label ${label}, beyond 2^31`);
    labels[i] = label;
  }
  const levelBytes = 4 + 4 * maxM;
  const levels = new Uint8Array(count);
  const upperAt = new Int32Array(count).fill(-1);
  let at = HNSW_HEADER_BYTES + count * record;
  let upperInts = 0;
  for (let i = 0; i < count; i++) {
    if (at + 4 > file.byteLength) throw corrupt('it ends inside the upper levels');
    const bytes = view.getUint32(at, true);
    const level = bytes / levelBytes;
    if (!Number.isInteger(level) || level > 255 || at + 4 + bytes > file.byteLength) {
      throw corrupt(`node ${i} has a partial or oversized upper level`);
    }
    levels[i] = level;
    if (level > 0) {
      upperAt[i] = upperInts;
      upperInts += level * (maxM + 1);
    }
    at += 4 + bytes;
  }
  const upper = new Int32Array(upperInts);
  at = HNSW_HEADER_BYTES + count * record;
  for (let i = 0; i < count; i++) {
    at += 4;
    for (let l = 0; l < levels[i]!; l++) {
      const block = upperAt[i]! + l * (maxM + 1);
      const links = view.getUint32(at, true) & COUNT_MASK;
      if (links > maxM)
        throw corrupt(`node ${i} lists ${links} links on level ${l + 1} (max ${maxM})`);
      upper[block] = links;
      for (let j = 0; j < links; j++)
        upper[block + 1 + j] = checkedId(view.getInt32(at + 4 + 4 * j, true), count, i);
      at += levelBytes;
    }
  }
  return {
    dim,
    M: maxM,
    maxM0,
    mult: view.getFloat64(AT.mult, true),
    efConstruction,
    capacity: size(AT.capacity),
    count,
    maxLevel,
    entryPoint,
    counts0,
    links0,
    deleted,
    labels,
    levels,
    upper,
    upperAt,
    vectors,
    rowFloats,
  };
}

function checkedId(id: number, count: number, node: number): number {
  if (id < 0 || id >= count) throw corrupt(`node ${node} links to ${id}, not a node`);
  return id;
}

function corrupt(reason: string): CorruptFileError {
  return new CorruptFileError(
    `The HNSW index file cannot be read: ${reason}. Re-create the index artifact.`,
  );
}
