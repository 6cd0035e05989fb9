import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { parseResourcesText } from '../../resources/index.js';
import { type FilterOwner, type OfferFilter, MAX_REFUSE_SECONDS, OfferFilterStore, filterDurationMs, isFiltered } from './filters.js';

describe('filterDurationMs (refuse_seconds semantics, table)', () => {
  const interval = 1000;
  const cases: { refuse: number | undefined; want: number | undefined; why: string }[] = [
    { refuse: undefined, want: undefined, why: 'no Filters: nothing was refused' },
    { refuse: 0, want: undefined, why: '0 installs no filter' },
    { refuse: 5, want: 5000, why: 'plain seconds' },
    { refuse: 0.25, want: 1000, why: 'never shorter than the allocation interval' },
    { refuse: -1, want: 5000, why: 'negative uses the default 5 s' },
    { refuse: Number.NaN, want: 5000, why: 'NaN uses the default' },
    { refuse: Number.POSITIVE_INFINITY, want: 5000, why: 'unrepresentable uses the default' },
    { refuse: 1e12, want: 5000, why: 'beyond int64 nanoseconds is unrepresentable' },
    { refuse: 2_147_483_647, want: MAX_REFUSE_SECONDS * 1000, why: 'INT_MAX is capped at 365 days' },
    { refuse: MAX_REFUSE_SECONDS, want: MAX_REFUSE_SECONDS * 1000, why: 'exactly 365 days' },
  ];
  for (const c of cases) {
    it(`${String(c.refuse)}: ${c.why}`, () => assert.equal(filterDurationMs(c.refuse, interval), c.want));
  }
});

function owner(): FilterOwner {
  return { filters: new Map<string, OfferFilter[]>(), roleFilterCount: { value: 0 } };
}

describe('OfferFilterStore', () => {
  const refused = parseResourcesText('cpus:2;mem:512');

  it('filters subsets of the refused resources only, while active', () => {
    const store = new OfferFilterStore();
    const o = owner();
    store.add(o, 'a1', refused, 10_000);
    assert.equal(isFiltered(o, 'a1', parseResourcesText('cpus:1;mem:512'), 0), true);
    assert.equal(isFiltered(o, 'a1', refused, 0), true);
    assert.equal(isFiltered(o, 'a1', parseResourcesText('cpus:3;mem:512'), 0), false, 'more cpus than refused');
    assert.equal(isFiltered(o, 'a1', parseResourcesText('cpus:1;disk:1'), 0), false, 'a resource that was not refused');
    assert.equal(isFiltered(o, 'a2', refused, 0), false, 'other agent');
    assert.equal(isFiltered(o, 'a1', refused, 10_000), false, 'expired at expiresAt');
  });

  it('expires in time order and keeps counts', () => {
    const store = new OfferFilterStore();
    const a = owner();
    const b = owner();
    store.add(a, 'x', refused, 300);
    store.add(b, 'x', refused, 100);
    store.add(a, 'y', refused, 200);
    assert.equal(store.size, 3);
    assert.equal(store.expire(150), 1);
    assert.equal(b.roleFilterCount.value, 0);
    assert.equal(b.filters.size, 0);
    assert.equal(store.expire(250), 1);
    assert.deepEqual([...a.filters.keys()], ['x']);
    assert.equal(a.roleFilterCount.value, 1);
    assert.equal(store.expire(1000), 1);
    assert.equal(store.size, 0);
  });

  it('clears one owner or one owner-agent, and cleared filters are not expired twice', () => {
    const store = new OfferFilterStore();
    const a = owner();
    store.add(a, 'x', refused, 100);
    store.add(a, 'x', refused, 100);
    store.add(a, 'y', refused, 100);
    store.clearOwnerAgent(a, 'x');
    assert.equal(store.size, 1);
    assert.equal(a.roleFilterCount.value, 1);
    store.clearOwner(a);
    assert.equal(store.size, 0);
    assert.equal(store.expire(1000), 0);
    assert.equal(a.roleFilterCount.value, 0);
  });

  it('compacts the heap after many cleared long-lived filters', () => {
    const store = new OfferFilterStore();
    const a = owner();
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 1000; i++) store.add(a, `agent-${i}`, refused, 1e12);
      store.clearOwner(a);
    }
    store.add(a, 'z', refused, 10);
    assert.equal(store.size, 1);
    assert.equal(store.expire(20), 1);
    assert.equal(store.size, 0);
  });
});
