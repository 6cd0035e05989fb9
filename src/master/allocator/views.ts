/**
 * Read-only views of the allocator state for /state, /roles and
 * /metrics/snapshot. Plain data out; nothing here changes the state (filter
 * expiry happens in the caller before a view is taken).
 */
import { Resources, fromMilli } from '../../resources/index.js';
import { type Agent, type AllocatorState, type Framework, sumUnallocated } from './state.js';
import type { AgentView, FrameworkShare, FrameworkView, RoleShare } from './types.js';

export function agentView(state: AllocatorState, a: Agent): AgentView {
  return {
    id: a.id,
    hostname: a.hostname,
    attributes: a.attributes,
    active: a.active,
    total: a.total,
    allocated: sumUnallocated(a),
    available: state.available(a),
    allocations: [...a.allocations].map(([fr, resources]) => ({ frameworkId: fr.framework.id, role: fr.role, resources })),
  };
}

export function frameworkView(state: AllocatorState, fw: Framework): FrameworkView {
  const allocated = new Map<string, Map<string, Resources>>();
  for (const [agent, fr, res] of state.holdings(fw)) {
    let byAgent = allocated.get(fr.role);
    if (byAgent === undefined) allocated.set(fr.role, (byAgent = new Map()));
    byAgent.set(agent.id, res);
  }
  return {
    id: fw.id,
    added: fw.added,
    active: fw.active,
    roles: fw.roles,
    suppressedRoles: fw.roles.filter((r) => fw.suppressed.has(r)),
    allocated,
  };
}

export function frameworkAllocated(state: AllocatorState, fw: Framework): Resources {
  let sum = Resources.EMPTY;
  for (const [, , res] of state.holdings(fw)) sum = sum.add(res);
  return sum;
}

/** Roles in role-sorter order (lowest weighted share first). */
export function roleShares(state: AllocatorState): RoleShare[] {
  const sorter = state.roleSorter;
  return [...sorter.sort()].map((name) => {
    const role = state.roles.get(name)!;
    const allocated: Record<string, number> = {};
    for (const [n, milli] of sorter.allocation(name)) allocated[n] = fromMilli(milli);
    return {
      role: name,
      weight: sorter.weight(name),
      dominantShare: sorter.dominantShare(name),
      weightedShare: sorter.share(name),
      allocated,
      frameworks: [...role.members.values()].filter((fr) => fr.subscribed).map((fr) => fr.framework.id),
      activeFilters: role.filterCount.value,
    };
  });
}

/** Frameworks of `role`: offer order first (active ones), then inactive ones by id. */
export function frameworkShares(state: AllocatorState, roleName: string): FrameworkShare[] {
  const role = state.roles.get(roleName);
  if (role === undefined) return [];
  const active = [...role.sorter.sort()];
  const inactive = [...role.members.keys()].filter((id) => !role.sorter.isActive(id)).sort();
  return [...active, ...inactive].map((frameworkId) => ({
    frameworkId,
    share: role.sorter.share(frameworkId),
    active: role.sorter.isActive(frameworkId),
  }));
}

/** Mesos-named allocator metrics (`allocator/mesos/...`) as numbers. */
export function allocatorMetrics(state: AllocatorState, allocationRuns: number): Record<string, number> {
  const out: Record<string, number> = { 'allocator/mesos/allocation_runs': allocationRuns };
  const allocated = new Map<string, number>();
  for (const a of state.agents.values()) {
    for (const r of sumUnallocated(a)) {
      if (r.type === 'SCALAR') allocated.set(r.name, (allocated.get(r.name) ?? 0) + r.milli);
    }
  }
  for (const [name, milli] of state.totals.entries()) {
    out[`allocator/mesos/resources/${name}/total`] = fromMilli(milli);
    out[`allocator/mesos/resources/${name}/offered_or_allocated`] = fromMilli(allocated.get(name) ?? 0);
  }
  for (const role of state.roles.values()) {
    out[`allocator/mesos/roles/${role.name}/shares/dominant`] = state.roleSorter.dominantShare(role.name);
    out[`allocator/mesos/offer_filters/roles/${role.name}/active`] = role.filterCount.value;
  }
  return out;
}
