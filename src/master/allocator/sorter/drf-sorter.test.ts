import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { SeededRng } from '../../../lib/rng.js';
import { type Resources, parseResourcesText } from '../../../resources/index.js';
import { DrfSorter } from './drf-sorter.js';
import { SortedBlockList } from './sorted-block-list.js';
import { ScalarTotals } from './sorter.js';

const R = (text: string): Resources => parseResourcesText(text);

function sorterWith(total: string, clients: string[]): DrfSorter {
  const totals = new ScalarTotals();
  totals.add(R(total));
  const s = new DrfSorter(totals);
  for (const c of clients) {
    s.add(c);
    s.activate(c);
  }
  return s;
}

describe('DrfSorter shares (table)', () => {
  const cases: { name: string; total: string; allocation: string; weight?: number; share: number }[] = [
    { name: 'nothing allocated', total: 'cpus:10;mem:100', allocation: '', share: 0 },
    { name: 'cpu dominant', total: 'cpus:10;mem:100', allocation: 'cpus:5;mem:10', share: 0.5 },
    { name: 'mem dominant', total: 'cpus:10;mem:100', allocation: 'cpus:1;mem:80', share: 0.8 },
    { name: 'weight divides', total: 'cpus:10;mem:100', allocation: 'cpus:5', weight: 2, share: 0.25 },
    { name: 'non-scalars ignored', total: 'cpus:10;ports:[1-10]', allocation: 'cpus:1;ports:[1-10]', share: 0.1 },
    { name: 'reservations count', total: 'cpus:10', allocation: 'cpus(ops):3', share: 0.3 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const s = sorterWith(c.total, ['a']);
      if (c.weight !== undefined) s.updateWeight('a', c.weight);
      s.allocated('a', R(c.allocation));
      assert.equal(s.share('a'), c.share);
    });
  }

  it('excludes fair_sharing_excluded_resource_names', () => {
    const totals = new ScalarTotals();
    totals.add(R('cpus:10;gpus:1'));
    const s = new DrfSorter(totals, { excludedResourceNames: ['gpus'] });
    s.add('a');
    s.allocated('a', R('cpus:1;gpus:1'));
    assert.equal(s.share('a'), 0.1);
  });
});

describe('DrfSorter order', () => {
  it('orders by share, then allocation count, then name', () => {
    const s = sorterWith('cpus:100', ['c', 'b', 'a']);
    assert.deepEqual(s.sort(), ['a', 'b', 'c']);
    s.allocated('a', R('cpus:10'));
    assert.deepEqual(s.sort(), ['b', 'c', 'a']);
    s.allocated('b', R('cpus:10'));
    s.unallocated('b', R('cpus:10')); // same share as c, but one allocation more
    assert.deepEqual(s.sort(), ['c', 'b', 'a']);
  });

  it('leaves inactive clients out and puts them back on activation', () => {
    const s = sorterWith('cpus:100', ['a', 'b']);
    s.allocated('b', R('cpus:50'));
    s.deactivate('a');
    assert.deepEqual(s.sort(), ['b']);
    s.activate('a');
    assert.deepEqual(s.sort(), ['a', 'b']);
    assert.equal(s.isActive('a'), true);
  });

  it('re-sorts everyone when cluster totals change', () => {
    const totals = new ScalarTotals();
    totals.add(R('cpus:10;mem:100'));
    const s = new DrfSorter(totals);
    for (const c of ['a', 'b']) {
      s.add(c);
      s.activate(c);
    }
    s.allocated('a', R('cpus:4')); // 0.4
    s.allocated('b', R('mem:50')); // 0.5
    assert.deepEqual(s.sort(), ['a', 'b']);
    totals.add(R('mem:100')); // b: 0.25
    assert.deepEqual(s.sort(), ['b', 'a']);
  });

  it('findInOrder visits in sort order and passes the payload', () => {
    const totals = new ScalarTotals();
    totals.add(R('cpus:10'));
    const s = new DrfSorter<number>(totals);
    s.add('x', 1);
    s.add('y', 2);
    s.activate('x');
    s.activate('y');
    s.allocated('x', R('cpus:1'));
    const seen: [string, number][] = [];
    assert.equal(
      s.findInOrder((name, data) => {
        seen.push([name, data]);
        return name === 'x';
      }),
      'x',
    );
    assert.deepEqual(seen, [['y', 2], ['x', 1]]);
    assert.equal(s.findInOrder(() => false), undefined);
  });

  it('rejects unknown and duplicate clients as invariant errors', () => {
    const s = sorterWith('cpus:1', ['a']);
    assert.throws(() => s.add('a'), { code: 'INVARIANT_BROKEN' });
    assert.throws(() => s.share('nope'), { code: 'INVARIANT_BROKEN' });
  });

  it('incremental re-placement always matches a full sort (property, SeededRng)', () => {
    const rng = new SeededRng(11);
    const totals = new ScalarTotals();
    totals.add(R('cpus:100;mem:1000;disk:1000'));
    const s = new DrfSorter(totals);
    const names = Array.from({ length: 40 }, (_, i) => `c${String(i).padStart(2, '0')}`);
    const model = new Map<string, { cpus: number; mem: number; count: number; weight: number; active: boolean }>();
    for (const n of names) {
      s.add(n);
      model.set(n, { cpus: 0, mem: 0, count: 0, weight: 1, active: false });
    }
    const share = (m: { cpus: number; mem: number; weight: number }) => Math.max(m.cpus / 100_000, m.mem / 1_000_000) / m.weight;
    for (let step = 0; step < 3000; step++) {
      const n = names[rng.int(names.length)]!;
      const m = model.get(n)!;
      switch (rng.int(6)) {
        case 0:
          s.activate(n);
          m.active = true;
          break;
        case 1:
          s.deactivate(n);
          m.active = false;
          break;
        case 2: {
          const w = 1 + rng.int(4);
          s.updateWeight(n, w);
          m.weight = w;
          break;
        }
        case 3:
          if (m.cpus >= 1000) {
            s.unallocated(n, R('cpus:1'));
            m.cpus -= 1000;
          }
          break;
        default: {
          const cpus = rng.int(3);
          const mem = rng.int(30);
          s.allocated(n, R(`cpus:${cpus};mem:${mem}`));
          m.cpus += cpus * 1000;
          m.mem += mem * 1000;
          m.count++;
        }
      }
      if (step % 7 === 0) {
        const expected = [...model]
          .filter(([, v]) => v.active)
          .sort(([an, a], [bn, b]) => share(a) - share(b) || a.count - b.count || (an < bn ? -1 : 1))
          .map(([k]) => k);
        assert.deepEqual([...s.sort()], expected, `step ${step}`);
      }
    }
  });
});

describe('SortedBlockList (property, SeededRng)', () => {
  it('matches a sorted array through random inserts and removes', () => {
    const rng = new SeededRng(5);
    const list = new SortedBlockList<number>((a, b) => a - b, 4);
    const model: number[] = [];
    for (let step = 0; step < 4000; step++) {
      if (model.length > 0 && rng.int(3) === 0) {
        const x = model[rng.int(model.length)]!;
        assert.equal(list.remove(x), true);
        model.splice(model.indexOf(x), 1);
      } else {
        let x = rng.int(100_000);
        while (model.includes(x)) x++;
        list.insert(x);
        model.push(x);
        model.sort((a, b) => a - b);
      }
      assert.equal(list.size, model.length);
      if (step % 50 === 0) assert.deepEqual(list.toArray(), model);
    }
    assert.equal(list.remove(-1), false);
    assert.equal(list.find((x) => x > model[0]!), model[1]);
    list.reset([1, 2, 3]);
    assert.deepEqual(list.toArray(), [1, 2, 3]);
  });
});
