/**
 * Value arithmetic for the non-scalar resource types.
 *
 * RANGES are flat number arrays `[begin0, end0, begin1, end1, ...]` with
 * inclusive bounds, sorted by begin and coalesced: no two ranges overlap or
 * touch (`[1-2]` and `[3-4]` become `[1-4]`, as Mesos does). A flat array is
 * much cheaper than an array of pairs on the allocator's hot path.
 *
 * SETs are arrays of strings sorted by code unit with no duplicates.
 *
 * Every function here takes normalized inputs, returns a normalized result and
 * never mutates its arguments. Results may share the input array when nothing
 * changed, so treat all arrays as read-only.
 */

export type FlatRanges = readonly number[];

export const EMPTY_RANGES: FlatRanges = Object.freeze([]) as FlatRanges;
export const EMPTY_ITEMS: readonly string[] = Object.freeze([]) as readonly string[];

/** Sort and coalesce `[begin, end]` pairs (inclusive). Pairs must have begin <= end. */
export function normalizeRanges(pairs: readonly (readonly [number, number])[]): FlatRanges {
  if (pairs.length === 0) return EMPTY_RANGES;
  const sorted = [...pairs].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const out: number[] = [];
  let begin = sorted[0]![0];
  let end = sorted[0]![1];
  for (let i = 1; i < sorted.length; i++) {
    const [b, e] = sorted[i]!;
    if (b <= end + 1) {
      if (e > end) end = e;
    } else {
      out.push(begin, end);
      begin = b;
      end = e;
    }
  }
  out.push(begin, end);
  return out;
}

/** Union of two normalized range lists. */
export function addRanges(a: FlatRanges, b: FlatRanges): FlatRanges {
  if (b.length === 0) return a;
  if (a.length === 0) return b;
  const out: number[] = [];
  let i = 0;
  let j = 0;
  let begin = -1;
  let end = -2;
  let started = false;
  while (i < a.length || j < b.length) {
    let nb: number;
    let ne: number;
    if (j >= b.length || (i < a.length && a[i]! <= b[j]!)) {
      nb = a[i]!;
      ne = a[i + 1]!;
      i += 2;
    } else {
      nb = b[j]!;
      ne = b[j + 1]!;
      j += 2;
    }
    if (!started) {
      begin = nb;
      end = ne;
      started = true;
    } else if (nb <= end + 1) {
      if (ne > end) end = ne;
    } else {
      out.push(begin, end);
      begin = nb;
      end = ne;
    }
  }
  out.push(begin, end);
  return out;
}

/** `a` minus `b`: every number of `b` removed from `a`. */
export function subtractRanges(a: FlatRanges, b: FlatRanges): FlatRanges {
  if (a.length === 0 || b.length === 0) return a;
  const out: number[] = [];
  let j = 0;
  for (let i = 0; i < a.length; i += 2) {
    let begin = a[i]!;
    const end = a[i + 1]!;
    // Skip subtrahend ranges entirely before this range.
    while (j < b.length && b[j + 1]! < begin) j += 2;
    let k = j;
    while (k < b.length && b[k]! <= end) {
      const sb = b[k]!;
      const se = b[k + 1]!;
      if (sb > begin) out.push(begin, sb - 1);
      if (se >= end) {
        begin = end + 1;
        break;
      }
      begin = se + 1;
      k += 2;
    }
    if (begin <= end) out.push(begin, end);
  }
  return out.length === a.length && out.every((v, idx) => v === a[idx]) ? a : out;
}

/** True if every number of `b` is in `a`. */
export function containsRanges(a: FlatRanges, b: FlatRanges): boolean {
  if (b.length === 0) return true;
  if (a.length === 0) return false;
  // `a` is coalesced, so each range of `b` must sit inside a single range of `a`.
  let i = 0;
  for (let j = 0; j < b.length; j += 2) {
    const begin = b[j]!;
    const end = b[j + 1]!;
    while (i < a.length && a[i + 1]! < begin) i += 2;
    if (i >= a.length || a[i]! > begin || a[i + 1]! < end) return false;
  }
  return true;
}

export function rangesEqual(a: FlatRanges, b: FlatRanges): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** How many numbers the ranges hold (Mesos' quantity of a RANGES resource). */
export function rangesCount(a: FlatRanges): number {
  let n = 0;
  for (let i = 0; i < a.length; i += 2) n += a[i + 1]! - a[i]! + 1;
  return n;
}

/** `[begin, end]` pairs of a flat list, for display and JSON. */
export function rangePairs(a: FlatRanges): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < a.length; i += 2) out.push([a[i]!, a[i + 1]!]);
  return out;
}

/** `[31000-32000,33000-33010]`: the text form the parsers read back. */
export function formatRanges(a: FlatRanges): string {
  const parts: string[] = [];
  for (let i = 0; i < a.length; i += 2) parts.push(`${a[i]}-${a[i + 1]}`);
  return `[${parts.join(',')}]`;
}

// ---------------------------------------------------------------------------
// Sets

/** Sorted, de-duplicated copy of `items`. */
export function normalizeItems(items: Iterable<string>): readonly string[] {
  const sorted = [...new Set(items)].sort(compareStrings);
  return sorted.length === 0 ? EMPTY_ITEMS : sorted;
}

export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function addItems(a: readonly string[], b: readonly string[]): readonly string[] {
  if (b.length === 0) return a;
  if (a.length === 0) return b;
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    if (x === y) {
      out.push(x);
      i++;
      j++;
    } else if (x < y) {
      out.push(x);
      i++;
    } else {
      out.push(y);
      j++;
    }
  }
  while (i < a.length) out.push(a[i++]!);
  while (j < b.length) out.push(b[j++]!);
  return out;
}

export function subtractItems(a: readonly string[], b: readonly string[]): readonly string[] {
  if (a.length === 0 || b.length === 0) return a;
  const out: string[] = [];
  let j = 0;
  for (const x of a) {
    while (j < b.length && b[j]! < x) j++;
    if (j < b.length && b[j] === x) continue;
    out.push(x);
  }
  return out.length === a.length ? a : out;
}

export function containsItems(a: readonly string[], b: readonly string[]): boolean {
  if (b.length > a.length) return false;
  let i = 0;
  for (const y of b) {
    while (i < a.length && a[i]! < y) i++;
    if (i >= a.length || a[i] !== y) return false;
    i++;
  }
  return true;
}

export function itemsEqual(a: readonly string[], b: readonly string[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
