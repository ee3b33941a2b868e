/**
 * Finds the candidate closest to `name` by edit distance (case-insensitive), for messages
 * such as "no column TX_AMOUT; nearest is TX_AMOUNT". Returns undefined when nothing is
 * reasonably close (distance above half the name's length, at least 2).
 */
export function findNearestName(name: string, candidates: Iterable<string>): string | undefined {
  const target = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = editDistance(target, candidate.toLowerCase());
    if (distance < bestDistance) {
      bestDistance = distance;
      best = candidate;
    }
  }
  const limit = Math.max(2, Math.ceil(name.length / 2));
  return bestDistance <= limit ? best : undefined;
}

/** Levenshtein distance with two rolling rows. */
function editDistance(a: string, b: string): number {
  let previous = new Uint32Array(b.length + 1);
  let current = new Uint32Array(b.length + 1);
  for (let j = 0; j <= b.length; j++) previous[j] = j;
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution);
    }
    [previous, current] = [current, previous];
  }
  return previous[b.length]!;
}

/** "name (nearest: X)" or "name" when nothing is close; for error messages. */
export function describeWithNearest(name: string, candidates: Iterable<string>): string {
  const nearest = findNearestName(name, candidates);
  return nearest === undefined ? `"${name}"` : `"${name}" (did you mean "${nearest}"?)`;
}
