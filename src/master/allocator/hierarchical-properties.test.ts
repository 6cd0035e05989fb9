/**
 * Property tests: random operation sequences (seeded) against the
 * allocator's invariants. A failure names the seed and step to replay.
 *
 * Invariants checked after every step:
 *  - no agent is over-allocated: the allocations on it fit its total, and
 *    available + allocated == total exactly (totals only grow here);
 *  - every offer goes to an active, subscribed, unsuppressed (framework,
 *    role), carries only resources that role may use, at most one offer per
 *    (framework, role, agent) per round;
 *  - roles come out of the role sorter in non-decreasing weighted share;
 *  - filter counts agree between the total and the per-role view;
 *  - the same seeds give the same decisions (the whole run is replayed).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ManualClock } from '../../lib/clock.js';
import { SeededRng } from '../../lib/rng.js';
import { type Resources, isReservationUsableBy, parseResourcesText } from '../../resources/index.js';
import { type HierarchicalAllocator, type OfferDecision, createAllocator } from './index.js';

const ROLES = ['*', 'web', 'ops', 'ops/batch'];
const AGENT_SHAPES = [
  'cpus:4;mem:1024;ports:[31000-31009]',
  'cpus:2;mem:512;disk:100',
  'cpus:1;mem:256;cpus(ops):2;mem(ops):512',
  'cpus:8;mem:4096;gpus:{g0,g1}',
  'cpus:0.5;mem:64;disk(web):10',
];
const REFUSE = [undefined, 0, 1, 5, -1, Number.NaN, 30, 2_147_483_647];

interface Outstanding {
  frameworkId: string;
  agentId: string;
  resources: Resources;
}

function pick<T>(rng: SeededRng, xs: readonly T[]): T {
  return xs[rng.int(xs.length)]!;
}

/** Runs one random scenario; returns the log of decisions, checking invariants as it goes. */
function runScenario(seed: number, steps: number): string[] {
  const rng = new SeededRng(seed);
  const clock = new ManualClock(0);
  const a = createAllocator({ clock, rng: new SeededRng(seed * 31 + 1), allocationIntervalMs: 1000 });
  const log: string[] = [];
  const agents: string[] = [];
  const frameworks = new Map<string, string[]>();
  let outstanding: Outstanding[] = [];
  let nextId = 0;

  for (let step = 0; step < steps; step++) {
    const context = `seed ${seed}, step ${step}`;
    const op = rng.int(14);
    try {
      switch (op) {
        case 0:
        case 1: {
          const id = `agent-${nextId++}`;
          const total = parseResourcesText(pick(rng, AGENT_SHAPES));
          const fws = [...frameworks];
          // Sometimes the agent comes back with a task of a known framework already running.
          if (fws.length > 0 && rng.int(3) === 0) {
            const [fid, roles] = pick(rng, fws);
            const role = pick(rng, roles);
            const task = total.allocatableTo(role).filter((r) => r.type === 'SCALAR' && rng.int(2) === 0);
            const used = parseResourcesText(task.toString()).allocate(role);
            a.addAgent(id, { total, used: { [fid]: used } });
            if (!used.isEmpty()) outstanding.push({ frameworkId: fid, agentId: id, resources: used });
          } else {
            a.addAgent(id, { total });
          }
          agents.push(id);
          break;
        }
        case 2:
          if (agents.length > 0) {
            const id = agents.splice(rng.int(agents.length), 1)[0]!;
            a.removeAgent(id);
            outstanding = outstanding.filter((o) => o.agentId !== id);
          }
          break;
        case 3:
          if (agents.length > 0) {
            const id = pick(rng, agents);
            const view = a.agent(id)!;
            a.updateAgent(id, { total: view.total.add(parseResourcesText(`cpus:${rng.int(3)};mem:${32 * rng.int(4)}`)) });
          }
          break;
        case 4:
          if (agents.length > 0) {
            const id = pick(rng, agents);
            if (rng.int(2) === 0) a.deactivateAgent(id);
            else a.activateAgent(id);
          }
          break;
        case 5: {
          const id = `fw-${nextId++}`;
          const roles = ROLES.filter(() => rng.int(3) === 0);
          if (roles.length === 0) roles.push(pick(rng, ROLES));
          a.addFramework(id, { roles });
          frameworks.set(id, roles);
          break;
        }
        case 6:
          if (frameworks.size > 0 && rng.int(3) === 0) {
            const id = pick(rng, [...frameworks.keys()]);
            a.removeFramework(id);
            frameworks.delete(id);
            outstanding = outstanding.filter((o) => o.frameworkId !== id);
          }
          break;
        case 7:
          if (frameworks.size > 0) {
            const [id, roles] = pick(rng, [...frameworks]);
            const chosen = roles.filter(() => rng.int(2) === 0);
            if (rng.int(2) === 0) a.suppressOffers(id, chosen);
            else a.reviveOffers(id, chosen);
          }
          break;
        case 8:
          if (frameworks.size > 0) {
            const [id] = pick(rng, [...frameworks]);
            const roles = ROLES.filter(() => rng.int(2) === 0);
            if (roles.length > 0) {
              a.updateFramework(id, { roles });
              frameworks.set(id, roles);
            }
          }
          break;
        case 9:
          if (frameworks.size > 0) {
            const [id] = pick(rng, [...frameworks]);
            if (rng.int(3) === 0) a.deactivateFramework(id);
            else a.activateFramework(id);
          }
          break;
        case 10:
          a.updateWeights({ [pick(rng, ROLES)]: 0.5 + rng.int(4) });
          break;
        case 11:
          clock.advance(rng.int(4) * 700);
          break;
        case 12:
        case 13: {
          if (outstanding.length > 0 && rng.int(2) === 0) {
            // Give back some outstanding offers/tasks, fully or in part.
            for (let k = 1 + rng.int(outstanding.length); k > 0 && outstanding.length > 0; k--) {
              const i = rng.int(outstanding.length);
              const o = outstanding[i]!;
              const part = rng.int(3) === 0 ? o.resources.filter(() => rng.int(2) === 0) : o.resources;
              a.recoverResources(o.frameworkId, o.agentId, part, pick(rng, REFUSE));
              const left = o.resources.subtract(part);
              if (left.isEmpty()) outstanding.splice(i, 1);
              else outstanding[i] = { ...o, resources: left };
            }
          } else {
            const before = new Map(agents.map((id) => [id, a.agent(id)!.available]));
            const decisions = a.allocate();
            checkDecisions(a, decisions, before, context);
            for (const d of decisions) {
              outstanding.push({ frameworkId: d.frameworkId, agentId: d.agentId, resources: d.resources });
              log.push(`${step}:${d.frameworkId}/${d.role}@${d.agentId}=${d.resources}`);
            }
          }
          break;
        }
      }
      checkInvariants(a, agents, context);
    } catch (err) {
      throw new Error(`${context} (op ${op}): ${(err as Error).message}`, { cause: err });
    }
  }
  return log;
}

function checkDecisions(a: HierarchicalAllocator, decisions: OfferDecision[], before: Map<string, Resources>, context: string): void {
  const seen = new Set<string>();
  const offeredPerAgent = new Map<string, Resources>();
  for (const d of decisions) {
    const key = `${d.frameworkId}/${d.role}/${d.agentId}`;
    assert.ok(!seen.has(key), `${context}: two offers for ${key}`);
    seen.add(key);
    const fw = a.framework(d.frameworkId)!;
    assert.ok(fw.active && fw.added, `${context}: offer to inactive ${d.frameworkId}`);
    assert.ok(fw.roles.includes(d.role), `${context}: offer to unsubscribed role ${d.role}`);
    assert.ok(!fw.suppressedRoles.includes(d.role), `${context}: offer to suppressed ${key}`);
    assert.ok(a.agent(d.agentId)!.active, `${context}: offer from inactive agent`);
    for (const r of d.resources) {
      assert.equal(r.allocationRole, d.role);
      assert.ok(isReservationUsableBy(r.role, d.role), `${context}: ${r.role} reservation offered to ${d.role}`);
    }
    offeredPerAgent.set(d.agentId, (offeredPerAgent.get(d.agentId) ?? parseResourcesText('')).add(d.resources.unallocate()));
  }
  for (const [agentId, offered] of offeredPerAgent) {
    assert.ok(before.get(agentId)!.contains(offered), `${context}: offered more than available on ${agentId}`);
  }
}

function checkInvariants(a: HierarchicalAllocator, agents: string[], context: string): void {
  for (const id of agents) {
    const v = a.agent(id)!;
    assert.ok(v.total.contains(v.allocated), `${context}: ${id} over-allocated: ${v.allocated} > ${v.total}`);
    assert.ok(v.available.add(v.allocated).equals(v.total), `${context}: ${id} available ${v.available} + allocated ${v.allocated} != ${v.total}`);
    let sum = parseResourcesText('');
    for (const alloc of v.allocations) sum = sum.add(alloc.resources.unallocate());
    assert.ok(sum.equals(v.allocated), `${context}: ${id} allocations disagree`);
  }
  const shares = a.roleShares();
  for (let i = 1; i < shares.length; i++) {
    assert.ok(shares[i - 1]!.weightedShare <= shares[i]!.weightedShare, `${context}: role order not by share`);
  }
  const perRole = shares.reduce((n, s) => n + s.activeFilters, 0);
  assert.equal(a.activeFilterCount(), perRole, `${context}: filter counts disagree`);
}

describe('allocator properties (random operation sequences)', () => {
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    it(`seed ${seed}: invariants hold over 400 steps`, () => {
      runScenario(seed, 400);
    });
  }

  it('same seeds, same decisions', () => {
    for (const seed of [7, 8]) {
      const first = runScenario(seed, 300);
      assert.ok(first.length > 20, 'scenario makes offers');
      assert.deepEqual(runScenario(seed, 300), first);
    }
  });
});
