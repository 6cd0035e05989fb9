/** Agents and frameworks coming and going, resources coming back, queries and errors. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { parseAttributes } from '../../resources/index.js';
import { AGENT, R, addAgents, byFramework, countBy, declineAll, setup } from './fixtures.js';

describe('agents', () => {
  it('removal frees allocations and filters', () => {
    const { a } = setup();
    addAgents(a, 2);
    a.addFramework('f1', { roles: ['*'] });
    const offers = a.allocate();
    assert.equal(a.framework('f1')!.allocated.get('*')!.size, 2);
    declineAll(a, offers.filter((o) => o.agentId === 'agent-1'), 3600);
    a.removeAgent('agent-0');
    a.removeAgent('agent-1');
    assert.equal(a.framework('f1')!.allocated.size, 0);
    assert.equal(a.activeFilterCount(), 0);
    assert.ok(a.frameworkAllocated('f1').isEmpty());
    assert.equal(a.metrics()['allocator/mesos/resources/cpus/total'], undefined);
    // Re-adding the same id starts clean: no stale filter.
    addAgents(a, 2);
    assert.equal(a.allocate().length, 2);
  });

  it('deactivated agents are not offered', () => {
    const { a } = setup();
    addAgents(a, 1);
    a.addFramework('f1', { roles: ['*'] });
    a.deactivateAgent('agent-0');
    assert.deepEqual(a.allocate(), []);
    a.activateAgent('agent-0');
    assert.equal(a.allocate().length, 1);
  });

  it('updateAgent changes totals, hostname and attributes', () => {
    const { a } = setup();
    a.addAgent('agent-0', { total: R(AGENT), hostname: 'h0', attributes: parseAttributes('rack:r1') });
    a.addFramework('f1', { roles: ['*'] });
    const [offer] = a.allocate();
    a.updateAgent('agent-0', { total: R('cpus:8;mem:2048'), hostname: 'h1', attributes: parseAttributes('rack:r2') });
    const view = a.agent('agent-0')!;
    assert.equal(view.hostname, 'h1');
    assert.deepEqual(view.attributes, [{ name: 'rack', type: 'TEXT', text: 'r2' }]);
    assert.ok(view.available.equals(R('cpus:4;mem:1024')));
    // Shrinking below what is allocated is allowed; nothing more is offered until it fits.
    a.updateAgent('agent-0', { total: R('cpus:2;mem:512') });
    assert.ok(a.agent('agent-0')!.available.isEmpty());
    assert.deepEqual(a.allocate(), []);
    a.recoverResources('f1', 'agent-0', offer!.resources);
    assert.ok(a.agent('agent-0')!.available.equals(R('cpus:2;mem:512')));
  });

  it('allocate(agentIds) only looks at those agents', () => {
    const { a } = setup();
    addAgents(a, 3);
    a.addFramework('f1', { roles: ['*'] });
    assert.deepEqual(a.allocate(['agent-2', 'agent-2']).map((d) => d.agentId), ['agent-2']);
    assert.throws(() => a.allocate(['nope']), { code: 'ALLOCATOR_UNKNOWN_AGENT' });
  });

  it('used resources of frameworks not yet added are tracked until they are', () => {
    const { a } = setup();
    a.addAgent('agent-0', { total: R(AGENT), used: { later: R('cpus:1;mem:100').allocate('web') } });
    assert.equal(a.framework('later')!.added, false);
    assert.throws(() => a.removeFramework('later'), { code: 'ALLOCATOR_UNKNOWN_FRAMEWORK' });
    a.addFramework('later', { roles: ['web'] });
    assert.ok(a.frameworkAllocated('later').equals(R('cpus:1;mem:100').allocate('web')));
    assert.ok(a.agent('agent-0')!.available.equals(R('cpus:3;mem:924')));
  });

  it('rejects used resources beyond the total or without a role', () => {
    const { a } = setup();
    assert.throws(() => a.addAgent('x', { total: R('cpus:1;mem:10'), used: { f: R('cpus:2').allocate('*') } }), {
      code: 'ALLOCATOR_INVALID_RESOURCES',
      message: /exceed its total/,
    });
    assert.throws(() => a.addAgent('x', { total: R('cpus:1;mem:10'), used: { f: R('cpus:1') } }), {
      code: 'ALLOCATOR_INVALID_RESOURCES',
      message: /lack an allocation role/,
    });
    assert.equal(a.agent('x'), undefined, 'nothing half-added');
  });
});

describe('frameworks', () => {
  it('removal releases everything it holds', () => {
    const { a } = setup();
    addAgents(a, 2);
    a.addFramework('f1', { roles: ['*'] });
    a.addFramework('f2', { roles: ['*'] });
    a.allocate();
    a.removeFramework('f1');
    assert.equal(a.framework('f1'), undefined);
    const offers = a.allocate();
    assert.deepEqual(countBy(offers, byFramework), { f2: 1 });
  });

  it('updateFramework changes roles; a role left keeps its allocation until recovered', () => {
    const { a } = setup();
    addAgents(a, 2);
    a.addFramework('f1', { roles: ['web'] });
    const [first] = a.allocate(['agent-0']);
    a.updateFramework('f1', { roles: ['batch'] });
    const offers = a.allocate();
    assert.deepEqual(offers.map((o) => `${o.role}@${o.agentId}`), ['batch@agent-1']);
    assert.deepEqual([...a.framework('f1')!.allocated.keys()].sort(), ['batch', 'web']);
    a.recoverResources('f1', 'agent-0', first!.resources, 60);
    assert.deepEqual([...a.framework('f1')!.allocated.keys()], ['batch']);
    assert.equal(a.activeFilterCount('web'), 0, 'no filter for a role the framework left');
    assert.deepEqual(a.roleShares().map((r) => r.role), ['batch'], 'role without frameworks is gone');
  });

  it('updateFramework sets the suppressed set; roles leaving it lose their filters', () => {
    const { a } = setup();
    addAgents(a, 1);
    a.addFramework('f1', { roles: ['web', 'batch'], suppressedRoles: ['batch'] });
    declineAll(a, a.allocate(), 3600);
    assert.equal(a.activeFilterCount('web'), 1);
    a.updateFramework('f1', { roles: ['web', 'batch'], suppressedRoles: ['web'] });
    assert.equal(a.isSuppressed('f1', 'web'), true);
    assert.equal(a.isSuppressed('f1', 'batch'), false);
    assert.equal(a.activeFilterCount('web'), 1, 'web entered the suppressed set: filters kept');
    a.updateFramework('f1', { roles: ['web', 'batch'], suppressedRoles: [] });
    assert.equal(a.activeFilterCount('web'), 0, 'web left the suppressed set: filters cleared');
  });

  it('validates roles', () => {
    const { a } = setup();
    assert.throws(() => a.addFramework('f', { roles: [] }), { code: 'ALLOCATOR_INVALID_ROLE' });
    assert.throws(() => a.addFramework('f', { roles: ['a', 'a'] }), { code: 'ALLOCATOR_INVALID_ROLE' });
    assert.throws(() => a.addFramework('f', { roles: ['/x'] }), { code: 'ALLOCATOR_INVALID_ROLE', message: /starts with/ });
    assert.throws(() => a.addFramework('f', { roles: ['a'], suppressedRoles: ['b'] }), { code: 'ALLOCATOR_ROLE_NOT_SUBSCRIBED' });
    a.addFramework('f', { roles: ['a'] });
    assert.throws(() => a.addFramework('f', { roles: ['a'] }), { code: 'ALLOCATOR_DUPLICATE_FRAMEWORK' });
  });
});

describe('recoverResources', () => {
  it('returns resources and validates what is recovered', () => {
    const { a } = setup();
    addAgents(a, 1);
    a.addFramework('f1', { roles: ['*'] });
    const [offer] = a.allocate();
    assert.throws(() => a.recoverResources('f1', 'agent-0', R('cpus:5').allocate('*')), {
      code: 'ALLOCATOR_RESOURCES_NOT_ALLOCATED',
      message: /cannot recover 'cpus\(allocated: \*\):5' for framework 'f1' role '\*' on agent 'agent-0'/,
    });
    // Part of the offer, without allocation role: the framework's only role is assumed.
    a.recoverResources('f1', 'agent-0', R('cpus:1'));
    assert.ok(a.agent('agent-0')!.available.equals(R('cpus:1')));
    a.recoverResources('f1', 'agent-0', offer!.resources.subtract(R('cpus:1').allocate('*')));
    assert.ok(a.agent('agent-0')!.available.equals(R(AGENT)));
  });

  it('ignores unknown frameworks and agents (already removed)', () => {
    const { a } = setup();
    addAgents(a, 1);
    a.addFramework('f1', { roles: ['*'] });
    a.recoverResources('gone', 'agent-0', R('cpus:1').allocate('*'), 5);
    a.recoverResources('f1', 'gone', R('cpus:1').allocate('*'), 5);
    assert.equal(a.activeFilterCount(), 0);
  });

  it('needs allocation roles for a multi-role framework', () => {
    const { a } = setup();
    addAgents(a, 1);
    a.addFramework('f1', { roles: ['x', 'y'] });
    a.allocate();
    assert.throws(() => a.recoverResources('f1', 'agent-0', R('cpus:1')), { code: 'ALLOCATOR_INVALID_RESOURCES' });
  });
});

describe('queries', () => {
  it('report shares, filters and Mesos-named metrics', () => {
    const { a } = setup();
    addAgents(a, 4);
    a.addFramework('f1', { roles: ['web'] });
    a.addFramework('f2', { roles: ['web'] });
    const offers = a.allocate();
    declineAll(a, offers.filter((o) => o.frameworkId === 'f2'), 60);
    const shares = a.frameworkShares('web');
    assert.deepEqual(shares.map((s) => [s.frameworkId, s.share]), [['f2', 0], ['f1', 0.5]]);
    const m = a.metrics();
    assert.equal(m['allocator/mesos/allocation_runs'], 1);
    assert.equal(m['allocator/mesos/resources/cpus/total'], 16);
    assert.equal(m['allocator/mesos/resources/cpus/offered_or_allocated'], 8);
    assert.equal(m['allocator/mesos/roles/web/shares/dominant'], 0.5);
    assert.equal(m['allocator/mesos/offer_filters/roles/web/active'], 2);
    const [role] = a.roleShares();
    assert.deepEqual(role, {
      role: 'web',
      weight: 1,
      dominantShare: 0.5,
      weightedShare: 0.5,
      allocated: { cpus: 8, mem: 2048 },
      frameworks: ['f1', 'f2'],
      activeFilters: 2,
    });
    assert.deepEqual(a.agentIds(), ['agent-0', 'agent-1', 'agent-2', 'agent-3']);
    assert.deepEqual(a.frameworkIds(), ['f1', 'f2']);
  });

  it('unknown ids give typed errors with actionable messages', () => {
    const { a } = setup();
    assert.throws(() => a.removeAgent('a9'), { code: 'ALLOCATOR_UNKNOWN_AGENT', message: "agent 'a9' is not known to the allocator; add it with addAgent first" });
    assert.throws(() => a.activateFramework('f9'), { code: 'ALLOCATOR_UNKNOWN_FRAMEWORK', httpStatus: 404 });
    addAgents(a, 1);
    assert.throws(() => addAgents(a, 1), { code: 'ALLOCATOR_DUPLICATE_AGENT' });
    assert.equal(a.agent('a9'), undefined);
    assert.equal(a.framework('f9'), undefined);
  });
});
