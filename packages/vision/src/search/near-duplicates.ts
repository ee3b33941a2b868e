import { InvalidArgumentError } from '@mlsd/core';
import type { ImageMetadata, ImageSearch } from './image-search.js';

/** One member of a {@link DuplicateGroup}. */
export interface DuplicateMember {
  id: string;
  /** Cosine distance to the group's first member (0 for the first). */
  distance: number;
  metadata: ImageMetadata | undefined;
}

/** Images that are near-duplicates of each other (linked by distances ≤ the threshold). */
export interface DuplicateGroup {
  /** The first indexed member, then the others by distance to it. */
  members: DuplicateMember[];
  /** Largest distance to the first member. */
  maxDistance: number;
}

/** Options of {@link findNearDuplicates}. */
export interface NearDuplicateOptions {
  /** Largest cosine distance (1 − cos) of two near-duplicates; default 0.05. */
  maxDistance?: number;
  /** Neighbours examined per image; default 10. Larger finds bigger groups. */
  neighbours?: number;
}

/**
 * Groups the catalogue's near-duplicates: every image is linked to its `neighbours` nearest
 * within `maxDistance`, and linked images form one group (single linkage, union–find). Groups
 * come largest first. Runs one index search per image.
 * @throws InvalidArgumentError when the index cannot return stored vectors, or for bad options.
 */
export function findNearDuplicates(
  search: ImageSearch,
  options: NearDuplicateOptions = {},
): DuplicateGroup[] {
  const maxDistance = options.maxDistance ?? 0.05;
  const neighbours = options.neighbours ?? 10;
  if (!(maxDistance >= 0 && maxDistance <= 2) || !Number.isInteger(neighbours) || neighbours < 1) {
    throw new InvalidArgumentError(
      `findNearDuplicates: maxDistance must be in [0, 2] and neighbours a positive integer; got ${maxDistance} and ${neighbours}.`,
    );
  }
  const index = search.index as typeof search.index & { getVector?: (id: string) => Float32Array };
  if (typeof index.getVector !== 'function') {
    throw new InvalidArgumentError(
      'findNearDuplicates needs an index that returns its stored vectors (getVector): HNSW or exact.',
    );
  }
  const getVector = (id: string) => index.getVector!(id);
  const ids = [...search.ids()];
  const position = new Map(ids.map((id, i) => [id, i]));
  const parent = Int32Array.from(ids, (_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]!]!;
      i = parent[i]!;
    }
    return i;
  };
  for (let i = 0; i < ids.length; i++) {
    const result = search.index.search(getVector(ids[i]!), neighbours + 1);
    for (let h = 0; h < result.ids.length; h++) {
      if (result.distances[h]! > maxDistance) break;
      const j = position.get(result.ids[h]!);
      if (j === undefined || j === i) continue;
      // The earlier-indexed root wins, so a group's first member is its oldest image.
      const a = find(i);
      const b = find(j);
      if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
    }
  }
  const groups = new Map<number, number[]>();
  for (let i = 0; i < ids.length; i++) {
    const root = find(i);
    const members = groups.get(root);
    if (members === undefined) groups.set(root, [i]);
    else members.push(i);
  }
  const result: DuplicateGroup[] = [];
  for (const [root, members] of groups) {
    if (members.length < 2) continue;
    const first = getVector(ids[root]!);
    const scored = members.map((i) => {
      const id = ids[i]!;
      return {
        id,
        distance: i === root ? 0 : cosineDistance(first, getVector(id)),
        metadata: search.index.getMetadata(id),
      };
    });
    scored.sort((a, b) => a.distance - b.distance || position.get(a.id)! - position.get(b.id)!);
    result.push({ members: scored, maxDistance: scored.at(-1)!.distance });
  }
  return result.sort(
    (a, b) =>
      b.members.length - a.members.length ||
      position.get(a.members[0]!.id)! - position.get(b.members[0]!.id)!,
  );
}

function cosineDistance(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na === 0 || nb === 0 ? 1 : Math.max(0, 1 - dot / Math.sqrt(na * nb));
}
