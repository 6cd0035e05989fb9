/**
 * The allocator's bookkeeping: agents, frameworks, roles, who holds what
 * where, and the sorters that must agree with it. Internal to the allocator
 * folder (not exported from index.ts); hierarchical.ts decides, this file
 * records.
 *
 *   Role ──sorter──▶ FrameworkRole (one per framework and role) ──▶ Framework
 *     ▲                    │ filters (by agent id)
 *   roleSorter             ▼
 *                  Agent.allocations: FrameworkRole → Resources (allocated form)
 *
 * Invariants:
 *  - agent.available is undefined or equals total minus the sum of
 *    agent.allocations (saturating; `overcommitted` when the sum does not fit);
 *  - every allocation is also counted in the role sorter (client = role) and
 *    in its role's framework sorter (client = framework id);
 *  - a FrameworkRole exists while it is subscribed or holds something; a
 *    Role exists while it has a FrameworkRole; a framework that was never
 *    added (only seen in an agent's `used`) exists while it holds something.
 */
import { type Attribute, Resources, roleError } from '../../resources/index.js';
import { InvalidRoleError, InvalidWeightError, UnknownAgentError, UnknownFrameworkError } from './errors.js';
import { type FilterOwner, type OfferFilter, OfferFilterStore } from './filters.js';
import { DrfSorter } from './sorter/drf-sorter.js';
import { ScalarTotals } from './sorter/sorter.js';

export interface Agent {
  readonly id: string;
  hostname: string;
  attributes: readonly Attribute[];
  total: Resources;
  /**
   * total minus everything allocated, kept up to date incrementally;
   * undefined when it must be recomputed (see AllocatorState.available).
   */
  available: Resources | undefined;
  /** Allocations exceed the total (it shrank): available must be recomputed, not patched. */
  overcommitted: boolean;
  active: boolean;
  /** Has cpus and mem; agents without either are never offered. */
  offerable: boolean;
  /** Allocated form, per (framework, role). */
  readonly allocations: SmallMap<FrameworkRole, Resources>;
}

export interface Framework {
  readonly id: string;
  /** False while only known from an agent's `used` resources. */
  added: boolean;
  active: boolean;
  roles: readonly string[];
  suppressed: Set<string>;
  readonly byRole: Map<string, FrameworkRole>;
}

/** A framework under one role: the unit that is sorted, offered, suppressed and filtered. */
export interface FrameworkRole extends FilterOwner {
  readonly framework: Framework;
  readonly role: string;
  readonly roleState: Role;
  subscribed: boolean;
  /** Number of agents where this pair holds resources. */
  agentCount: number;
  readonly filters: Map<string, OfferFilter[]>;
  readonly roleFilterCount: { value: number };
}

export interface Role {
  readonly name: string;
  /** Frameworks of the role, by framework id. */
  readonly sorter: DrfSorter<FrameworkRole>;
  readonly members: Map<string, FrameworkRole>;
  /** Active decline filters of the role's frameworks. */
  readonly filterCount: { value: number };
}

/**
 * A Map for a handful of entries: one flat array, linear lookups by
 * identity, insertion order kept. An agent holds a few allocations that
 * come and go every round; a real Map would keep rehashing its table.
 */
export class SmallMap<K, V> implements Iterable<[K, V]> {
  /** [key0, value0, key1, value1, ...] */
  readonly #items: (K | V)[] = [];

  get size(): number {
    return this.#items.length >>> 1;
  }

  get(key: K): V | undefined {
    const items = this.#items;
    for (let i = 0; i < items.length; i += 2) if (items[i] === key) return items[i + 1] as V;
    return undefined;
  }

  set(key: K, value: V): void {
    const items = this.#items;
    for (let i = 0; i < items.length; i += 2) {
      if (items[i] === key) {
        items[i + 1] = value;
        return;
      }
    }
    items.push(key, value);
  }

  delete(key: K): boolean {
    const items = this.#items;
    for (let i = 0; i < items.length; i += 2) {
      if (items[i] === key) {
        items.splice(i, 2);
        return true;
      }
    }
    return false;
  }

  *values(): IterableIterator<V> {
    for (let i = 1; i < this.#items.length; i += 2) yield this.#items[i] as V;
  }

  *[Symbol.iterator](): Iterator<[K, V]> {
    for (let i = 0; i < this.#items.length; i += 2) yield [this.#items[i] as K, this.#items[i + 1] as V];
  }
}

export function checkRole(role: string): void {
  const err = roleError(role);
  if (err !== undefined) throw new InvalidRoleError(role, err);
}

export function checkWeight(role: string, weight: number): void {
  checkRole(role);
  if (!Number.isFinite(weight) || weight <= 0) throw new InvalidWeightError(role, weight);
}

/** Everything allocated on the agent, unallocated form (comparable with its total). */
export function sumUnallocated(agent: Agent): Resources {
  let sum = Resources.EMPTY;
  for (const res of agent.allocations.values()) sum = sum.add(res.unallocate());
  return sum;
}

export function isOfferable(total: Resources): boolean {
  return total.scalarMilli('cpus') > 0 && total.scalarMilli('mem') > 0;
}

export class AllocatorState {
  /** Cluster scalar totals: the denominator of every share. */
  readonly totals = new ScalarTotals();
  readonly roleSorter: DrfSorter<Role>;
  readonly weights = new Map<string, number>();
  readonly agents = new Map<string, Agent>();
  readonly frameworks = new Map<string, Framework>();
  readonly roles = new Map<string, Role>();
  readonly filters = new OfferFilterStore();
  readonly #excluded: readonly string[];

  constructor(fairSharingExcludedResourceNames: readonly string[]) {
    this.#excluded = fairSharingExcludedResourceNames;
    this.roleSorter = new DrfSorter<Role>(this.totals, { excludedResourceNames: this.#excluded });
  }

  agent(agentId: string): Agent {
    const a = this.agents.get(agentId);
    if (a === undefined) throw new UnknownAgentError(agentId);
    return a;
  }

  /** An added framework (placeholders from `used` do not count). */
  framework(frameworkId: string): Framework {
    const fw = this.frameworks.get(frameworkId);
    if (fw === undefined || !fw.added) throw new UnknownFrameworkError(frameworkId);
    return fw;
  }

  /** The framework, or a not-yet-added placeholder for one seen only in `used` resources. */
  placeholder(frameworkId: string): Framework {
    let fw = this.frameworks.get(frameworkId);
    if (fw === undefined) {
      fw = { id: frameworkId, added: false, active: false, roles: [], suppressed: new Set(), byRole: new Map() };
      this.frameworks.set(frameworkId, fw);
    }
    return fw;
  }

  /**
   * What `fw` holds, as [agent, pair, resources]. Scans the agents:
   * allocation keeps no per-framework index, to keep the hot path lean, so
   * this is for removal and views only.
   */
  holdings(fw: Framework): [Agent, FrameworkRole, Resources][] {
    const out: [Agent, FrameworkRole, Resources][] = [];
    let remaining = 0;
    for (const fr of fw.byRole.values()) remaining += fr.agentCount;
    if (remaining === 0) return out;
    for (const agent of this.agents.values()) {
      for (const fr of fw.byRole.values()) {
        const res = agent.allocations.get(fr);
        if (res === undefined) continue;
        out.push([agent, fr, res]);
        if (--remaining === 0) return out;
      }
    }
    return out;
  }

  role(name: string): Role {
    let role = this.roles.get(name);
    if (role === undefined) {
      role = {
        name,
        sorter: new DrfSorter<FrameworkRole>(this.totals, { excludedResourceNames: this.#excluded }),
        members: new Map(),
        filterCount: { value: 0 },
      };
      this.roles.set(name, role);
      this.roleSorter.add(name, role);
      this.roleSorter.updateWeight(name, this.weights.get(name) ?? 1);
      this.roleSorter.activate(name);
    }
    return role;
  }

  /** The (framework, role) pair, created (unsubscribed, inactive) if needed. */
  frameworkRole(fw: Framework, roleName: string): FrameworkRole {
    let fr = fw.byRole.get(roleName);
    if (fr === undefined) {
      const role = this.role(roleName);
      fr = {
        framework: fw,
        role: roleName,
        roleState: role,
        subscribed: false,
        agentCount: 0,
        filters: new Map(),
        roleFilterCount: role.filterCount,
      };
      fw.byRole.set(roleName, fr);
      role.members.set(fw.id, fr);
      role.sorter.add(fw.id, fr);
    }
    return fr;
  }

  /** Drop a pair that is neither subscribed nor holding anything; then empty roles and placeholders. */
  dropIfIdle(fr: FrameworkRole): void {
    if (fr.subscribed || fr.agentCount > 0) return;
    const fw = fr.framework;
    if (fw.byRole.get(fr.role) !== fr) return;
    this.filters.clearOwner(fr);
    fw.byRole.delete(fr.role);
    const role = fr.roleState;
    role.members.delete(fw.id);
    role.sorter.remove(fw.id);
    if (role.members.size === 0) {
      this.roleSorter.remove(role.name);
      this.roles.delete(role.name);
    }
    if (!fw.added && fw.byRole.size === 0) this.frameworks.delete(fw.id);
  }

  /** Offer to the pair only while the framework is added and active and the role subscribed and not suppressed. */
  refreshActivation(fr: FrameworkRole): void {
    const fw = fr.framework;
    const want = fw.added && fw.active && fr.subscribed && !fw.suppressed.has(fr.role);
    const sorter = fr.roleState.sorter;
    if (want) sorter.activate(fw.id);
    else sorter.deactivate(fw.id);
  }

  available(agent: Agent): Resources {
    if (agent.available === undefined) {
      const used = sumUnallocated(agent);
      agent.available = agent.total.subtract(used);
      agent.overcommitted = !agent.total.contains(used);
    }
    return agent.available;
  }

  /**
   * Record an allocation (allocated form). The caller takes the resources
   * out of agent.available itself, or leaves it undefined.
   */
  track(agent: Agent, fr: FrameworkRole, allocated: Resources): void {
    const prev = agent.allocations.get(fr);
    if (prev === undefined) {
      agent.allocations.set(fr, allocated);
      fr.agentCount++;
    } else {
      agent.allocations.set(fr, prev.add(allocated));
    }
    this.roleSorter.allocated(fr.role, allocated);
    fr.roleState.sorter.allocated(fr.framework.id, allocated);
  }

  /** Reverse of track; `allocated` must be held by `fr` on `agent`. */
  untrack(agent: Agent, fr: FrameworkRole, allocated: Resources, unallocated = allocated.unallocate()): void {
    const left = agent.allocations.get(fr)!.subtract(allocated);
    if (left.isEmpty()) {
      agent.allocations.delete(fr);
      fr.agentCount--;
    } else {
      agent.allocations.set(fr, left);
    }
    // Giving back what was taken from available restores it exactly, unless the total shrank below the allocations.
    agent.available = agent.available === undefined || agent.overcommitted ? undefined : agent.available.add(unallocated);
    this.roleSorter.unallocated(fr.role, allocated);
    fr.roleState.sorter.unallocated(fr.framework.id, allocated);
  }
}
