import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { SeededRng } from '../lib/rng.js';
import {
  addItems,
  addRanges,
  containsItems,
  containsRanges,
  formatRanges,
  normalizeItems,
  normalizeRanges,
  rangesCount,
  subtractItems,
  subtractRanges,
} from './values.js';

const R = (...pairs: [number, number][]) => normalizeRanges(pairs);

describe('normalizeRanges', () => {
  const cases: { name: string; input: [number, number][]; want: number[] }[] = [
    { name: 'empty', input: [], want: [] },
    { name: 'single', input: [[1, 5]], want: [1, 5] },
    { name: 'sorts', input: [[10, 12], [1, 2]], want: [1, 2, 10, 12] },
    { name: 'merges overlap', input: [[1, 5], [3, 8]], want: [1, 8] },
    { name: 'merges adjacent', input: [[1, 2], [3, 4]], want: [1, 4] },
    { name: 'keeps gap', input: [[1, 2], [4, 5]], want: [1, 2, 4, 5] },
    { name: 'contained', input: [[1, 10], [2, 3]], want: [1, 10] },
    { name: 'point ranges', input: [[7, 7], [5, 5], [6, 6]], want: [5, 7] },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual([...normalizeRanges(c.input)], c.want));
  }
});

describe('range arithmetic', () => {
  const cases: { name: string; a: number[]; b: number[]; add: number[]; sub: number[]; contains: boolean }[] = [
    { name: 'disjoint', a: [1, 5], b: [10, 12], add: [1, 5, 10, 12], sub: [1, 5], contains: false },
    { name: 'adjacent', a: [1, 5], b: [6, 9], add: [1, 9], sub: [1, 5], contains: false },
    { name: 'inner hole', a: [1, 10], b: [4, 6], add: [1, 10], sub: [1, 3, 7, 10], contains: true },
    { name: 'left overlap', a: [5, 10], b: [1, 6], add: [1, 10], sub: [7, 10], contains: false },
    { name: 'right overlap', a: [5, 10], b: [9, 20], add: [5, 20], sub: [5, 8], contains: false },
    { name: 'equal', a: [5, 10], b: [5, 10], add: [5, 10], sub: [], contains: true },
    { name: 'b spans two', a: [1, 3, 5, 7], b: [2, 6], add: [1, 7], sub: [1, 1, 7, 7], contains: false },
    { name: 'b empty', a: [1, 3], b: [], add: [1, 3], sub: [1, 3], contains: true },
    { name: 'a empty', a: [], b: [1, 3], add: [1, 3], sub: [], contains: false },
    { name: 'many holes', a: [31000, 32000], b: [31000, 31000, 31005, 31010, 32000, 32000], add: [31000, 32000], sub: [31001, 31004, 31011, 31999], contains: true },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual([...addRanges(c.a, c.b)], c.add, 'add');
      assert.deepEqual([...subtractRanges(c.a, c.b)], c.sub, 'subtract');
      assert.equal(containsRanges(c.a, c.b), c.contains, 'contains');
    });
  }

  it('counts and formats', () => {
    assert.equal(rangesCount(R([31000, 32000])), 1001);
    assert.equal(formatRanges(R([1, 2], [5, 9])), '[1-2,5-9]');
  });
});

describe('set arithmetic', () => {
  it('normalizes, adds, subtracts, contains', () => {
    assert.deepEqual(normalizeItems(['b', 'a', 'b']), ['a', 'b']);
    assert.deepEqual(addItems(['a', 'c'], ['b', 'c']), ['a', 'b', 'c']);
    assert.deepEqual(subtractItems(['a', 'b', 'c'], ['b', 'z']), ['a', 'c']);
    assert.equal(containsItems(['a', 'b', 'c'], ['a', 'c']), true);
    assert.equal(containsItems(['a', 'c'], ['b']), false);
    assert.equal(containsItems([], []), true);
  });
});

/** Property tests against a brute-force model: ranges as sets of numbers. */
describe('range properties (SeededRng)', () => {
  const toSet = (r: readonly number[]) => {
    const s = new Set<number>();
    for (let i = 0; i < r.length; i += 2) for (let n = r[i]!; n <= r[i + 1]!; n++) s.add(n);
    return s;
  };
  const randomRanges = (rng: SeededRng) => {
    const pairs: [number, number][] = [];
    const n = rng.int(5);
    for (let i = 0; i < n; i++) {
      const b = rng.int(60);
      pairs.push([b, b + rng.int(8)]);
    }
    return normalizeRanges(pairs);
  };
  const isNormalized = (r: readonly number[]) => {
    for (let i = 0; i < r.length; i += 2) {
      if (r[i]! > r[i + 1]!) return false;
      if (i > 0 && r[i]! <= r[i - 1]! + 1) return false; // sorted and coalesced
    }
    return true;
  };

  it('add/subtract/contains agree with the set model over 500 random cases', () => {
    const rng = new SeededRng(42);
    for (let iter = 0; iter < 500; iter++) {
      const a = randomRanges(rng);
      const b = randomRanges(rng);
      const sa = toSet(a);
      const sb = toSet(b);
      const sum = addRanges(a, b);
      const diff = subtractRanges(a, b);
      assert.ok(isNormalized(sum) && isNormalized(diff), `normalized for ${formatRanges(a)} ${formatRanges(b)}`);
      assert.deepEqual(toSet(sum), new Set([...sa, ...sb]));
      assert.deepEqual(toSet(diff), new Set([...sa].filter((n) => !sb.has(n))));
      assert.equal(containsRanges(a, b), [...sb].every((n) => sa.has(n)));
      assert.equal(rangesCount(sum), toSet(sum).size);
      // (a ∪ b) − b ∪ (a ∩ b) == a, i.e. subtracting then re-adding the overlap restores a.
      assert.deepEqual([...addRanges(subtractRanges(a, b), subtractRanges(a, diff))], [...a]);
    }
  });
});
