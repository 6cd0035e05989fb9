/**
 * Hierarchical DRF allocator (Mesos `HierarchicalAllocatorProcess`), pure:
 * it is told about agents, frameworks and returned resources, and
 * `allocate()` returns offers to make as data. No I/O, no timers; time comes
 * from the injected Clock, randomness from the injected SeededRng.
 *
 * One allocation round (see README.md for the picture):
 *   1. Drop expired decline filters.
 *   2. Shuffle the candidate agents (seeded).
 *   3. For each agent that is active and has cpus and mem:
 *        for each role in role-sorter order (DRF share / weight):
 *          candidate = available resources usable by the role
 *                      (unreserved + reserved to the role or an ancestor);
 *          skip the role unless the candidate meets min_allocatable_resources;
 *          for each framework of the role in framework-sorter order
 *          (active, subscribed and not suppressed only):
 *            skip it if a decline filter covers the candidate;
 *            otherwise offer it the whole candidate, record the allocation
 *            (which moves the role and framework back in their sorters)
 *            and go to the next role.
 */
import type { Clock } from '../../lib/clock.js';
import type { SeededRng } from '../../lib/rng.js';
import {
  DEFAULT_MIN_ALLOCATABLE_RESOURCES,
  type MinAllocatableSet,
  type Resource,
  Resources,
  isAllocatable,
  parseMinAllocatableResources,
} from '../../resources/index.js';
import {
  DuplicateAgentError,
  DuplicateFrameworkError,
  InvalidAllocatorOptionsError,
  InvalidAllocatorResourcesError,
  InvalidRoleError,
  ResourcesNotAllocatedError,
  RoleNotSubscribedError,
} from './errors.js';
import { filterDurationMs, isFiltered } from './filters.js';
import {
  type Agent,
  AllocatorState,
  type Framework,
  type FrameworkRole,
  SmallMap,
  checkRole,
  checkWeight,
  isOfferable,
} from './state.js';
import type {
  AddAgentInput,
  AddFrameworkInput,
  AgentView,
  AllocatorOptions,
  FrameworkShare,
  FrameworkView,
  OfferDecision,
  RoleShare,
  UpdateAgentInput,
  UpdateFrameworkInput,
} from './types.js';
import { agentView, allocatorMetrics, frameworkAllocated, frameworkShares, frameworkView, roleShares } from './views.js';

function shuffle<T>(items: T[], rng: SeededRng): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = items[i]!;
    items[i] = items[j]!;
    items[j] = t;
  }
}

export class HierarchicalAllocator {
  readonly #clock: Clock;
  readonly #rng: SeededRng;
  readonly #intervalMs: number;
  readonly #minSets: readonly MinAllocatableSet[];
  readonly #state: AllocatorState;
  #allocationRuns = 0;

  constructor(options: AllocatorOptions) {
    this.#clock = options.clock;
    this.#rng = options.rng;
    this.#intervalMs = options.allocationIntervalMs ?? 1000;
    if (!Number.isFinite(this.#intervalMs) || this.#intervalMs <= 0) {
      throw new InvalidAllocatorOptionsError(`allocationIntervalMs must be a positive number, got ${this.#intervalMs}`);
    }
    const min = options.minAllocatableResources ?? DEFAULT_MIN_ALLOCATABLE_RESOURCES;
    try {
      this.#minSets = typeof min === 'string' ? parseMinAllocatableResources(min) : min;
    } catch (err) {
      throw new InvalidAllocatorOptionsError((err as Error).message, err);
    }
    this.#state = new AllocatorState([...(options.fairSharingExcludedResourceNames ?? [])]);
    for (const [role, weight] of Object.entries(options.weights ?? {})) {
      checkWeight(role, weight);
      this.#state.weights.set(role, weight);
    }
  }

  // -------------------------------------------------------------------------
  // Agents

  addAgent(agentId: string, input: AddAgentInput): void {
    if (this.#state.agents.has(agentId)) throw new DuplicateAgentError(agentId);
    const used = input.used instanceof Map ? [...input.used] : Object.entries(input.used ?? {});
    // Validate everything before changing anything.
    const plan: { frameworkId: string; role: string; resources: Resources }[] = [];
    let usedTotal = Resources.EMPTY;
    for (const [frameworkId, resources] of used) {
      for (const [role, res] of this.#groupByRole(frameworkId, resources, `used resources on agent '${agentId}'`)) {
        plan.push({ frameworkId, role, resources: res });
        usedTotal = usedTotal.add(res.unallocate());
      }
    }
    if (!input.total.contains(usedTotal)) {
      throw new InvalidAllocatorResourcesError(
        `used resources '${usedTotal}' on agent '${agentId}' exceed its total '${input.total}'`,
      );
    }
    const agent: Agent = {
      id: agentId,
      hostname: input.hostname ?? agentId,
      attributes: input.attributes ?? [],
      total: input.total,
      available: undefined,
      overcommitted: false,
      active: input.active ?? true,
      offerable: false,
      allocations: new SmallMap(),
    };
    agent.offerable = isOfferable(agent.total);
    this.#state.agents.set(agentId, agent);
    this.#state.totals.add(agent.total);
    for (const { frameworkId, role, resources } of plan) {
      const fr = this.#state.frameworkRole(this.#state.placeholder(frameworkId), role);
      this.#state.track(agent, fr, resources);
    }
    agent.available = agent.total.subtract(usedTotal);
  }

  /** Forget an agent, everything allocated on it and every filter for it. */
  removeAgent(agentId: string): void {
    const agent = this.#state.agent(agentId);
    const touched = [...agent.allocations];
    for (const [fr, res] of touched) this.#state.untrack(agent, fr, res);
    for (const fw of this.#state.frameworks.values()) {
      for (const fr of fw.byRole.values()) this.#state.filters.clearOwnerAgent(fr, agentId);
    }
    this.#state.totals.subtract(agent.total);
    this.#state.agents.delete(agentId);
    for (const [fr] of touched) this.#state.dropIfIdle(fr);
  }

  updateAgent(agentId: string, input: UpdateAgentInput): void {
    const agent = this.#state.agent(agentId);
    if (input.hostname !== undefined) agent.hostname = input.hostname;
    if (input.attributes !== undefined) agent.attributes = input.attributes;
    if (input.total !== undefined && !input.total.equals(agent.total)) {
      this.#state.totals.subtract(agent.total);
      this.#state.totals.add(input.total);
      agent.total = input.total;
      agent.available = undefined;
      agent.offerable = isOfferable(agent.total);
    }
  }

  activateAgent(agentId: string): void {
    this.#state.agent(agentId).active = true;
  }

  deactivateAgent(agentId: string): void {
    this.#state.agent(agentId).active = false;
  }

  // -------------------------------------------------------------------------
  // Frameworks

  addFramework(frameworkId: string, input: AddFrameworkInput): void {
    const existing = this.#state.frameworks.get(frameworkId);
    if (existing?.added) throw new DuplicateFrameworkError(frameworkId);
    const roles = this.#checkRoles(frameworkId, input.roles, input.suppressedRoles);
    const fw = existing ?? this.#state.placeholder(frameworkId);
    fw.added = true;
    fw.active = input.active ?? true;
    fw.roles = roles;
    fw.suppressed = new Set(input.suppressedRoles ?? []);
    for (const role of roles) this.#state.frameworkRole(fw, role).subscribed = true;
    for (const fr of fw.byRole.values()) this.#state.refreshActivation(fr);
  }

  /** Forget a framework and release everything it still holds. */
  removeFramework(frameworkId: string): void {
    const fw = this.#state.framework(frameworkId);
    for (const [agent, fr, res] of this.#state.holdings(fw)) this.#state.untrack(agent, fr, res);
    for (const fr of [...fw.byRole.values()]) {
      fr.subscribed = false;
      this.#state.dropIfIdle(fr);
    }
    this.#state.frameworks.delete(frameworkId);
  }

  /** Change subscribed roles (UPDATE_FRAMEWORK). Roles left keep their allocations until recovered. */
  updateFramework(frameworkId: string, input: UpdateFrameworkInput): void {
    const fw = this.#state.framework(frameworkId);
    const roles = this.#checkRoles(frameworkId, input.roles, input.suppressedRoles);
    const keep = new Set(roles);
    const suppressed =
      input.suppressedRoles === undefined
        ? new Set([...fw.suppressed].filter((r) => keep.has(r)))
        : new Set(input.suppressedRoles);
    for (const role of fw.suppressed) {
      const fr = fw.byRole.get(role);
      if (fr !== undefined && !suppressed.has(role)) this.#state.filters.clearOwner(fr);
    }
    fw.suppressed = suppressed;
    fw.roles = roles;
    for (const role of roles) this.#state.frameworkRole(fw, role).subscribed = true;
    for (const fr of [...fw.byRole.values()]) {
      if (!keep.has(fr.role) && fr.subscribed) {
        fr.subscribed = false;
        this.#state.filters.clearOwner(fr);
      }
      this.#state.refreshActivation(fr);
      this.#state.dropIfIdle(fr);
    }
  }

  activateFramework(frameworkId: string): void {
    const fw = this.#state.framework(frameworkId);
    fw.active = true;
    for (const fr of fw.byRole.values()) this.#state.refreshActivation(fr);
  }

  /** Stop offering to the framework; like Mesos, this also drops its filters. */
  deactivateFramework(frameworkId: string): void {
    const fw = this.#state.framework(frameworkId);
    fw.active = false;
    for (const fr of fw.byRole.values()) {
      this.#state.filters.clearOwner(fr);
      this.#state.refreshActivation(fr);
    }
  }

  /** SUPPRESS: no offers for these roles (all subscribed roles when empty) until revived. */
  suppressOffers(frameworkId: string, roles: readonly string[] = []): void {
    const fw = this.#state.framework(frameworkId);
    for (const fr of this.#subscribedRoles(fw, roles)) {
      fw.suppressed.add(fr.role);
      this.#state.refreshActivation(fr);
    }
  }

  /** REVIVE: un-suppress these roles (all when empty) and clear the framework's filters for them. */
  reviveOffers(frameworkId: string, roles: readonly string[] = []): void {
    const fw = this.#state.framework(frameworkId);
    for (const fr of this.#subscribedRoles(fw, roles)) {
      fw.suppressed.delete(fr.role);
      this.#state.filters.clearOwner(fr);
      this.#state.refreshActivation(fr);
    }
  }

  // -------------------------------------------------------------------------
  // Resources coming back

  /**
   * Resources offered or used by a framework on an agent come back: a
   * decline, the unused part of an accept, a rescind, a finished task.
   *
   * Entries must carry their allocation role (as offered), unless the
   * framework has a single role. `refuseSeconds` installs a decline filter
   * for (framework, role, agent) with Filters.refuse_seconds semantics
   * (see filters.ts); leave it undefined when nothing was refused.
   * Unknown frameworks or agents are ignored: the allocator may already
   * have forgotten them when the master hands their resources back.
   */
  recoverResources(frameworkId: string, agentId: string, resources: Resources, refuseSeconds?: number): void {
    if (resources.isEmpty()) return;
    const fw = this.#state.frameworks.get(frameworkId);
    const agent = this.#state.agents.get(agentId);
    if (fw === undefined || agent === undefined) return;
    const groups = this.#groupByRole(frameworkId, resources, `recovered resources on agent '${agentId}'`);
    // Check every role's part before releasing any.
    const pairs: FrameworkRole[] = [];
    for (const [role, res] of groups) {
      const fr = fw.byRole.get(role);
      const held = fr === undefined ? undefined : agent.allocations.get(fr);
      if (fr === undefined || held === undefined || !held.contains(res)) {
        const holds = (held ?? Resources.EMPTY).toString();
        throw new ResourcesNotAllocatedError(frameworkId, agentId, role, res.toString(), holds);
      }
      pairs.push(fr);
    }
    const durationMs = filterDurationMs(refuseSeconds, this.#intervalMs);
    const expiresAt = durationMs === undefined ? 0 : this.#clock.now() + durationMs;
    for (let i = 0; i < pairs.length; i++) {
      const fr = pairs[i]!;
      const res = groups[i]![1];
      const unallocated = res.unallocate();
      this.#state.untrack(agent, fr, res, unallocated);
      if (durationMs !== undefined && fr.subscribed && fw.added) {
        this.#state.filters.add(fr, agentId, unallocated, expiresAt);
      }
      this.#state.dropIfIdle(fr);
    }
  }

  /** Set role weights (UPDATE_WEIGHTS); all are validated before any applies. */
  updateWeights(weights: Readonly<Record<string, number>> | Iterable<readonly [string, number]>): void {
    const entries =
      Symbol.iterator in weights
        ? [...(weights as Iterable<readonly [string, number]>)]
        : Object.entries(weights as Readonly<Record<string, number>>);
    for (const [role, weight] of entries) checkWeight(role, weight);
    for (const [role, weight] of entries) {
      this.#state.weights.set(role, weight);
      if (this.#state.roles.has(role)) this.#state.roleSorter.updateWeight(role, weight);
    }
  }

  // -------------------------------------------------------------------------
  // Allocation

  /** One allocation round over all agents, or over `agentIds`. Returns the offers to make. */
  allocate(agentIds?: Iterable<string>): OfferDecision[] {
    const now = this.#clock.now();
    this.#state.filters.expire(now);
    this.#allocationRuns++;
    let candidates: Agent[];
    if (agentIds === undefined) {
      candidates = [...this.#state.agents.values()];
    } else {
      const set = new Set<Agent>();
      for (const id of agentIds) set.add(this.#state.agent(id));
      candidates = [...set];
    }
    shuffle(candidates, this.#rng);

    const decisions: OfferDecision[] = [];
    for (const agent of candidates) {
      if (agent.active && agent.offerable) this.#allocateAgent(agent, now, decisions);
    }
    return decisions;
  }

  /** Steps 3.x of a round for one agent; appends its offers to `decisions`. */
  #allocateAgent(agent: Agent, now: number, decisions: OfferDecision[]): void {
    let available = this.#state.available(agent);
    if (available.isEmpty()) return;
    const minSets = this.#minSets;
    // Without reservations every role sees the same candidate: check it once.
    const plain = !available.hasReservations();
    if (plain && !isAllocatable(available, minSets)) return;
    this.#state.roleSorter.findInOrder((roleName, role) => {
      const candidate = plain ? available : available.allocatableTo(roleName);
      if (!plain && !isAllocatable(candidate, minSets)) return false;
      let fr: FrameworkRole | undefined;
      const chosen = role.sorter.findInOrder((_, pair) => {
        if (pair.filters.size > 0 && isFiltered(pair, agent.id, candidate, now)) return false;
        fr = pair;
        return true;
      });
      if (chosen === undefined || fr === undefined) return false;
      const offered = candidate.allocate(roleName);
      decisions.push({ frameworkId: chosen, role: roleName, agentId: agent.id, resources: offered });
      available = candidate === available ? Resources.EMPTY : available.subtract(candidate);
      this.#state.track(agent, fr, offered);
      agent.available = available;
      // Stop once nothing is left; reserved leftovers may still suit later roles.
      return available.isEmpty();
    });
  }

  // -------------------------------------------------------------------------
  // Queries (for /state, /roles and metrics; see views.ts)

  agentIds(): string[] {
    return [...this.#state.agents.keys()];
  }

  /** Framework ids, including frameworks only known from agents' `used` resources (see FrameworkView.added). */
  frameworkIds(): string[] {
    return [...this.#state.frameworks.keys()];
  }

  agent(agentId: string): AgentView | undefined {
    const a = this.#state.agents.get(agentId);
    return a === undefined ? undefined : agentView(this.#state, a);
  }

  framework(frameworkId: string): FrameworkView | undefined {
    const fw = this.#state.frameworks.get(frameworkId);
    return fw === undefined ? undefined : frameworkView(this.#state, fw);
  }

  /** Everything the framework holds, all roles and agents, allocated form. */
  frameworkAllocated(frameworkId: string): Resources {
    return frameworkAllocated(this.#state, this.#state.framework(frameworkId));
  }

  isSuppressed(frameworkId: string, role: string): boolean {
    return this.#state.framework(frameworkId).suppressed.has(role);
  }

  /** Roles in role-sorter order (lowest weighted share first). */
  roleShares(): RoleShare[] {
    this.#state.filters.expire(this.#clock.now());
    return roleShares(this.#state);
  }

  /** Frameworks of `role`: offer order first (active ones), then inactive ones by id. */
  frameworkShares(role: string): FrameworkShare[] {
    return frameworkShares(this.#state, role);
  }

  /** Active decline filters, for one role or all. */
  activeFilterCount(role?: string): number {
    this.#state.filters.expire(this.#clock.now());
    if (role === undefined) return this.#state.filters.size;
    return this.#state.roles.get(role)?.filterCount.value ?? 0;
  }

  weight(role: string): number {
    return this.#state.weights.get(role) ?? 1;
  }

  /** Mesos-named allocator metrics (`allocator/mesos/...`) as numbers. */
  metrics(): Record<string, number> {
    this.#state.filters.expire(this.#clock.now());
    return allocatorMetrics(this.#state, this.#allocationRuns);
  }

  // -------------------------------------------------------------------------
  // Validation helpers

  #checkRoles(frameworkId: string, roles: readonly string[], suppressed: readonly string[] | undefined): string[] {
    if (roles.length === 0) throw new InvalidRoleError('', `framework '${frameworkId}' must subscribe to at least one role`);
    for (const role of roles) checkRole(role);
    if (new Set(roles).size !== roles.length) {
      throw new InvalidRoleError(roles.join(','), `framework '${frameworkId}' lists a role twice`);
    }
    for (const role of suppressed ?? []) if (!roles.includes(role)) throw new RoleNotSubscribedError(frameworkId, role);
    return [...roles];
  }

  #subscribedRoles(fw: Framework, roles: readonly string[]): FrameworkRole[] {
    const names = roles.length === 0 ? fw.roles : roles;
    return names.map((role) => {
      const fr = fw.byRole.get(role);
      if (fr === undefined || !fr.subscribed) throw new RoleNotSubscribedError(fw.id, role);
      return fr;
    });
  }

  /** Split resources by allocation role; entries without one take the framework's only role. */
  #groupByRole(frameworkId: string, resources: Resources, what: string): [string, Resources][] {
    // Common case: everything allocated to one role, as offered.
    let single: string | undefined;
    for (const r of resources) {
      if (r.allocationRole === undefined || (single !== undefined && r.allocationRole !== single)) {
        single = undefined;
        break;
      }
      single = r.allocationRole;
    }
    if (single !== undefined) {
      if (!this.#state.roles.has(single)) checkRole(single);
      return [[single, resources]];
    }
    const fw = this.#state.frameworks.get(frameworkId);
    const byRole = new Map<string, Resource[]>();
    for (const r of resources) {
      let role = r.allocationRole;
      if (role === undefined) {
        if (fw === undefined || !fw.added || fw.roles.length !== 1) {
          throw new InvalidAllocatorResourcesError(
            `${what} for framework '${frameworkId}' lack an allocation role; mark them with .allocate(role)`,
          );
        }
        role = fw.roles[0]!;
      }
      checkRole(role);
      const list = byRole.get(role);
      if (list === undefined) byRole.set(role, [r]);
      else list.push(r);
    }
    return [...byRole].map(([role, list]) => [role, Resources.of(list).allocate(role)]);
  }
}

/** Validate options and build an allocator; throws InvalidAllocatorOptionsError / InvalidWeightError. */
export function createAllocator(options: AllocatorOptions): HierarchicalAllocator {
  return new HierarchicalAllocator(options);
}
