/**
 * Property tests of the Resources algebra with seeded random inputs: any
 * failure prints the seed and iteration so it can be replayed.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { SeededRng } from '../lib/rng.js';
import { parseResourcesText } from './parse-text.js';
import { type Resource, rangesResource, scalarResourceMilli, setResource } from './resource.js';
import { Resources } from './resources.js';

const ROLES = ['*', '*', 'ops', 'eng/ml'];
const NAMES = ['cpus', 'mem', 'disk'];

function randomResources(rng: SeededRng): Resources {
  const parts: Resource[] = [];
  const n = rng.int(6);
  for (let i = 0; i < n; i++) {
    const role = ROLES[rng.int(ROLES.length)]!;
    const options = role === '*' ? undefined : { role };
    switch (rng.int(3)) {
      case 0:
        parts.push(scalarResourceMilli(NAMES[rng.int(NAMES.length)]!, rng.int(5000), options));
        break;
      case 1: {
        const pairs: [number, number][] = [];
        for (let k = rng.int(4); k > 0; k--) {
          const b = 31000 + rng.int(200);
          pairs.push([b, b + rng.int(20)]);
        }
        parts.push(rangesResource('ports', pairs, options));
        break;
      }
      default:
        parts.push(setResource('gpus-set', ['a', 'b', 'c', 'd'].filter(() => rng.int(2) === 0), options));
    }
  }
  return Resources.of(parts);
}

const ITERATIONS = 400;

function forAll(seed: number, check: (rng: SeededRng, iteration: number) => void): void {
  const rng = new SeededRng(seed);
  for (let i = 0; i < ITERATIONS; i++) {
    try {
      check(rng, i);
    } catch (err) {
      throw new Error(`property failed (seed ${seed}, iteration ${i}): ${(err as Error).message}`, { cause: err });
    }
  }
}

describe('Resources properties', () => {
  it('(a + b) - b == a (ranges and sets of b made disjoint from a)', () => {
    forAll(1, (rng) => {
      const a = randomResources(rng);
      // A union has no multiplicity, so for RANGES and SET values the identity
      // only holds when b does not overlap a; scalars always satisfy it.
      const b = randomResources(rng).subtract(a.filter((r) => r.type !== 'SCALAR'));
      assert.ok(a.add(b).subtract(b).equals(a), `${a} + ${b}`);
    });
  });

  it('(a + b) - b == a for scalar-only resources, always', () => {
    forAll(2, (rng) => {
      const a = randomResources(rng).filter((r) => r.type === 'SCALAR');
      const b = randomResources(rng).filter((r) => r.type === 'SCALAR');
      assert.ok(a.add(b).subtract(b).equals(a), `${a} + ${b}`);
    });
  });

  it('a + b contains a and b; a contains a - b; contains is reflexive', () => {
    forAll(3, (rng) => {
      const a = randomResources(rng);
      const b = randomResources(rng);
      const sum = a.add(b);
      assert.ok(sum.contains(a), `${sum} ⊇ ${a}`);
      assert.ok(sum.contains(b), `${sum} ⊇ ${b}`);
      assert.ok(a.contains(a.subtract(b)), `${a} ⊇ ${a} - ${b}`);
      assert.ok(a.contains(a));
      assert.ok(a.contains(Resources.EMPTY));
    });
  });

  it('add is commutative and associative', () => {
    forAll(4, (rng) => {
      const a = randomResources(rng);
      const b = randomResources(rng);
      const c = randomResources(rng);
      assert.ok(a.add(b).equals(b.add(a)));
      assert.ok(a.add(b).add(c).equals(a.add(b.add(c))));
    });
  });

  it('if a contains b then (a - b) + b == a', () => {
    forAll(5, (rng) => {
      const a = randomResources(rng);
      // A subset of a: each entry scaled down / trimmed.
      const b = a.filter(() => rng.int(2) === 0);
      assert.ok(a.contains(b));
      assert.ok(a.subtract(b).add(b).equals(a), `${a} - ${b}`);
    });
  });

  it('ranges stay sorted and coalesced through any sequence of adds', () => {
    forAll(6, (rng) => {
      let acc = Resources.EMPTY;
      for (let k = 0; k < 8; k++) acc = acc.add(randomResources(rng).filter((r) => r.type === 'RANGES'));
      for (const r of acc) {
        for (let i = 0; i < r.ranges.length; i += 2) {
          assert.ok(r.ranges[i]! <= r.ranges[i + 1]!);
          if (i > 0) assert.ok(r.ranges[i]! > r.ranges[i - 1]! + 1, `not coalesced: ${acc}`);
        }
      }
    });
  });

  it('text form round-trips', () => {
    forAll(7, (rng) => {
      const a = randomResources(rng);
      assert.ok(parseResourcesText(a.toString()).equals(a), a.toString());
    });
  });

  it('scalar sums are exact in milli-units', () => {
    forAll(8, (rng) => {
      let acc = Resources.EMPTY;
      let expected = 0;
      for (let k = 0; k < 20; k++) {
        const milli = rng.int(1000);
        acc = acc.add(scalarResourceMilli('cpus', milli));
        expected += milli;
      }
      assert.equal(acc.scalarMilli('cpus'), expected);
    });
  });
});
