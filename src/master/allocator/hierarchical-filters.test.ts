/** Decline filters, SUPPRESS and REVIVE. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { AGENT, R, addAgents, byFramework, countBy, declineAll, setup } from './fixtures.js';

describe('decline filters', () => {
  it('keep the agent from the framework for refuse_seconds, then it comes back', () => {
    const { a, clock } = setup();
    addAgents(a, 1);
    a.addFramework('f1', { roles: ['*'] });
    declineAll(a, a.allocate(), 5);
    assert.equal(a.activeFilterCount('*'), 1);
    for (let s = 1; s <= 4; s++) {
      clock.advance(1000);
      assert.deepEqual(a.allocate(), [], `still filtered after ${s}s`);
    }
    clock.advance(1000);
    assert.equal(a.allocate().length, 1, 'offered again after 5s');
    assert.equal(a.activeFilterCount(), 0);
  });

  it('filtered agents go to other frameworks meanwhile', () => {
    const { a } = setup();
    addAgents(a, 1);
    a.addFramework('f1', { roles: ['*'] });
    a.addFramework('f2', { roles: ['*'] });
    const first = a.allocate();
    assert.deepEqual(first.map(byFramework), ['f1']);
    declineAll(a, first, 60);
    assert.deepEqual(a.allocate().map(byFramework), ['f2']);
  });

  it('do not apply once the agent has more free resources than were refused', () => {
    const { a } = setup();
    a.addFramework('f1', { roles: ['*'] });
    a.addFramework('f2', { roles: ['*'], suppressedRoles: ['*'] });
    const task = R('cpus:2;mem:512').allocate('*');
    a.addAgent('agent-0', { total: R(AGENT), used: { f2: task } });
    const offers = a.allocate();
    assert.ok(offers[0]!.resources.unallocate().equals(R('cpus:2;mem:512')));
    declineAll(a, offers, 3600);
    assert.deepEqual(a.allocate(), [], 'same free resources: filtered');
    a.recoverResources('f2', 'agent-0', task); // the task ends
    const again = a.allocate();
    assert.equal(again.length, 1, 'more free resources than refused: offered before expiry');
    assert.ok(again[0]!.resources.unallocate().equals(R(AGENT)));
  });

  it('never expire before the next allocation interval', () => {
    const { a, clock } = setup({ allocationIntervalMs: 2000 });
    addAgents(a, 1);
    a.addFramework('f1', { roles: ['*'] });
    declineAll(a, a.allocate(), 0.1);
    clock.advance(1999);
    assert.deepEqual(a.allocate(), []);
    clock.advance(1);
    assert.equal(a.allocate().length, 1);
  });

  const refuseCases: { refuse: number | undefined; filteredAt: number[]; offeredAt: number }[] = [
    { refuse: undefined, filteredAt: [], offeredAt: 0 },
    { refuse: 0, filteredAt: [], offeredAt: 0 },
    { refuse: -3, filteredAt: [1000, 4999], offeredAt: 5000 },
    { refuse: Number.NaN, filteredAt: [4999], offeredAt: 5000 },
    { refuse: 10, filteredAt: [9999], offeredAt: 10_000 },
    { refuse: 2_147_483_647, filteredAt: [365 * 86_400_000 - 1], offeredAt: 365 * 86_400_000 },
  ];
  for (const c of refuseCases) {
    it(`refuse_seconds ${String(c.refuse)} → offered again at +${c.offeredAt} ms`, () => {
      const { a, clock } = setup();
      addAgents(a, 1);
      a.addFramework('f1', { roles: ['*'] });
      declineAll(a, a.allocate(), c.refuse);
      let t = 0;
      for (const at of c.filteredAt) {
        clock.advance(at - t);
        t = at;
        assert.deepEqual(a.allocate(), [], `filtered at +${at}`);
      }
      clock.advance(c.offeredAt - t);
      assert.equal(a.allocate().length, 1);
    });
  }

  it('are dropped when the framework is deactivated', () => {
    const { a } = setup();
    addAgents(a, 1);
    a.addFramework('f1', { roles: ['*'] });
    declineAll(a, a.allocate(), 3600);
    a.deactivateFramework('f1');
    assert.equal(a.activeFilterCount(), 0);
    assert.deepEqual(a.allocate(), [], 'inactive frameworks get nothing');
    a.activateFramework('f1');
    assert.equal(a.allocate().length, 1);
  });
});

describe('suppress and revive', () => {
  it('suppress stops offers until revive', () => {
    const { a } = setup();
    addAgents(a, 2);
    a.addFramework('f1', { roles: ['*'] });
    a.suppressOffers('f1');
    assert.equal(a.isSuppressed('f1', '*'), true);
    assert.deepEqual(a.allocate(), []);
    a.reviveOffers('f1', ['*']);
    assert.equal(a.isSuppressed('f1', '*'), false);
    assert.equal(a.allocate().length, 2);
  });

  it('is per framework and role', () => {
    const { a } = setup();
    addAgents(a, 2);
    a.addFramework('f1', { roles: ['web', 'batch'] });
    a.suppressOffers('f1', ['web']);
    const offers = a.allocate();
    assert.deepEqual(countBy(offers, (d) => d.role), { batch: 2 });
    assert.deepEqual(a.framework('f1')!.suppressedRoles, ['web']);
  });

  it('revive clears the framework filters for those roles', () => {
    const { a } = setup();
    addAgents(a, 1);
    a.addFramework('f1', { roles: ['*'] });
    declineAll(a, a.allocate(), 3600);
    assert.deepEqual(a.allocate(), []);
    a.reviveOffers('f1');
    assert.equal(a.activeFilterCount('*'), 0);
    assert.equal(a.allocate().length, 1);
  });

  it('rejects roles the framework is not subscribed to', () => {
    const { a } = setup();
    a.addFramework('f1', { roles: ['web'] });
    assert.throws(() => a.suppressOffers('f1', ['ops']), { code: 'ALLOCATOR_ROLE_NOT_SUBSCRIBED', message: /framework 'f1' is not subscribed to role 'ops'/ });
    assert.throws(() => a.reviveOffers('f1', ['ops']), { code: 'ALLOCATOR_ROLE_NOT_SUBSCRIBED' });
  });
});
