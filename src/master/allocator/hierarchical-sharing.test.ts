/** Who gets offered what: DRF order, weights, reservations, minimum offer size. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ManualClock } from '../../lib/clock.js';
import { SeededRng } from '../../lib/rng.js';
import { createAllocator } from './index.js';
import { AGENT, R, addAgents, byFramework, countBy, setup } from './fixtures.js';

describe('fair sharing', () => {
  it('two frameworks in one role split identical agents evenly', () => {
    const { a } = setup();
    addAgents(a, 6);
    a.addFramework('f1', { roles: ['*'] });
    a.addFramework('f2', { roles: ['*'] });
    const offers = a.allocate();
    assert.deepEqual(countBy(offers, byFramework), { f1: 3, f2: 3 });
    for (const o of offers) {
      assert.equal(o.role, '*');
      assert.ok(o.resources.unallocate().equals(R(AGENT)), 'whole agent offered');
      assert.deepEqual([...o.resources.allocationRoles()], ['*']);
    }
  });

  it('offers the lowest dominant share first', () => {
    const { a } = setup();
    a.addFramework('big', { roles: ['*'] });
    a.addFramework('small', { roles: ['*'] });
    // 'big' already runs a task using half of agent-0.
    a.addAgent('agent-0', { total: R(AGENT), used: { big: R('cpus:2;mem:512').allocate('*') } });
    a.addAgent('agent-1', { total: R(AGENT) });
    const offers = a.allocate(['agent-1']);
    assert.deepEqual(offers.map(byFramework), ['small']);
  });

  it('role weights shift shares (weight 3 vs 1 gives 6 of 8 agents)', () => {
    const { a } = setup({ weights: { heavy: 3 } });
    addAgents(a, 8);
    a.addFramework('fh', { roles: ['heavy'] });
    a.addFramework('fl', { roles: ['light'] });
    assert.deepEqual(countBy(a.allocate(), byFramework), { fh: 6, fl: 2 });
    const shares = Object.fromEntries(a.roleShares().map((s) => [s.role, s]));
    assert.equal(shares.heavy!.weight, 3);
    assert.equal(shares.heavy!.dominantShare, 0.75);
    assert.equal(shares.heavy!.weightedShare, 0.25);
    assert.equal(shares.light!.dominantShare, 0.25);
  });

  it('updateWeights applies to later rounds', () => {
    const { a } = setup();
    addAgents(a, 8);
    a.addFramework('fh', { roles: ['heavy'] });
    a.addFramework('fl', { roles: ['light'] });
    a.updateWeights({ light: 3 });
    assert.deepEqual(countBy(a.allocate(), byFramework), { fh: 2, fl: 6 });
    assert.equal(a.weight('light'), 3);
    assert.throws(() => a.updateWeights({ light: 0 }), { code: 'ALLOCATOR_INVALID_WEIGHT' });
    assert.throws(() => a.updateWeights([['ok', 2], ['bad//role', 2]]), { code: 'ALLOCATOR_INVALID_ROLE' });
    assert.equal(a.weight('ok'), 1, 'nothing applied when one entry is invalid');
  });

  it('is deterministic for a seed', () => {
    const run = (seed: number) => {
      const clock = new ManualClock(0);
      const a = createAllocator({ clock, rng: new SeededRng(seed) });
      addAgents(a, 20);
      for (let i = 0; i < 5; i++) a.addFramework(`f${i}`, { roles: ['*'] });
      return a.allocate().map((d) => `${d.frameworkId}@${d.agentId}`);
    };
    assert.deepEqual(run(1), run(1));
    assert.notDeepEqual(run(1), run(2), 'agents are shuffled with the seed');
    const perFramework = countBy(run(1), (s) => s.split('@')[0]!);
    assert.deepEqual(perFramework, { f0: 4, f1: 4, f2: 4, f3: 4, f4: 4 });
  });
});

describe('reservations', () => {
  const TOTAL = 'cpus:1;mem:256;cpus(ops):2;mem(ops):512';

  it('reserved resources only go to their role (and its descendants)', () => {
    const cases: { role: string; cpus: number; reserved: boolean }[] = [
      { role: 'web', cpus: 1, reserved: false },
      { role: 'ops', cpus: 3, reserved: true },
      { role: 'ops/batch', cpus: 3, reserved: true },
      { role: 'opsx', cpus: 1, reserved: false },
    ];
    for (const c of cases) {
      const { a } = setup();
      a.addAgent('agent-0', { total: R(TOTAL) });
      a.addFramework('f', { roles: [c.role] });
      const [offer] = a.allocate();
      assert.equal(offer!.resources.scalar('cpus'), c.cpus, c.role);
      assert.equal(offer!.resources.reserved().isEmpty(), !c.reserved, c.role);
    }
  });

  it('a role sorted first takes the unreserved part; the reservation still reaches its role', () => {
    const { a } = setup();
    a.addAgent('agent-0', { total: R(TOTAL) });
    a.addFramework('fa', { roles: ['analytics'] }); // sorts before 'ops' on a tie
    a.addFramework('fo', { roles: ['ops'] });
    const offers = Object.fromEntries(a.allocate().map((o) => [o.role, o.resources.unallocate().toString()]));
    assert.deepEqual(offers, { analytics: 'cpus:1;mem:256', ops: 'cpus(ops):2;mem(ops):512' });
  });

  it('the reservation role sorted first takes everything it may use', () => {
    const { a } = setup();
    a.addAgent('agent-0', { total: R(TOTAL) });
    a.addFramework('fw', { roles: ['web'] });
    a.addFramework('fo', { roles: ['ops'] });
    const offers = Object.fromEntries(a.allocate().map((o) => [o.role, o.resources.unallocate().toString()]));
    assert.deepEqual(offers, { ops: 'cpus:1;mem:256;cpus(ops):2;mem(ops):512' });
  });
});

describe('min_allocatable_resources and unofferable agents', () => {
  const cases: { name: string; total: string; min?: string; offered: boolean }[] = [
    { name: 'default: enough cpus', total: 'cpus:0.01;mem:1', offered: true },
    { name: 'default: enough mem', total: 'cpus:0.001;mem:32', offered: true },
    { name: 'default: too small', total: 'cpus:0.005;mem:16', offered: false },
    { name: 'custom AND set', total: 'cpus:1;mem:64', min: 'cpus:1;mem:128', offered: false },
    { name: 'custom OR set', total: 'cpus:1;mem:64;gpus:1', min: 'cpus:1;mem:128|gpus:1', offered: true },
    { name: 'no minimum', total: 'cpus:0.001;mem:0.001', min: '', offered: true },
    { name: 'no cpus', total: 'mem:1024;disk:100', offered: false },
    { name: 'no mem', total: 'cpus:4;disk:100', offered: false },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const { a } = setup(c.min === undefined ? {} : { minAllocatableResources: c.min });
      a.addAgent('agent-0', { total: R(c.total) });
      a.addFramework('f1', { roles: ['*'] });
      assert.equal(a.allocate().length, c.offered ? 1 : 0);
    });
  }

  it('smaller leftovers are not offered', () => {
    const { a } = setup();
    a.addFramework('f1', { roles: ['*'] });
    a.addFramework('f2', { roles: ['*'] });
    a.addAgent('agent-0', { total: R('cpus:4;mem:1024'), used: { f2: R('cpus:3.995;mem:1000').allocate('*') } });
    assert.deepEqual(a.allocate(), []);
  });

  it('rejects a bad flag value as invalid options', () => {
    assert.throws(() => setup({ minAllocatableResources: 'cpus:x' }), {
      code: 'ALLOCATOR_INVALID_OPTIONS',
      message: /Invalid min_allocatable_resources 'cpus:x'/,
    });
    assert.throws(() => setup({ allocationIntervalMs: 0 }), { code: 'ALLOCATOR_INVALID_OPTIONS' });
  });
});
