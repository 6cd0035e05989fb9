/**
 * Inputs and outputs of the hierarchical allocator: plain data.
 */
import type { Clock } from '../../lib/clock.js';
import type { SeededRng } from '../../lib/rng.js';
import type { Attribute, MinAllocatableSet, Resources } from '../../resources/index.js';

export interface AllocatorOptions {
  /** Time source for filter expiry. */
  clock: Clock;
  /** Shuffles agents each round (Mesos does `random_shuffle`); seed it for repeatable runs. */
  rng: SeededRng;
  /** `--allocation_interval` in ms [d: 1000]; filters never expire sooner than this. */
  allocationIntervalMs?: number;
  /**
   * `--min_allocatable_resources`, as flag text or parsed sets
   * [d: `cpus:0.01|mem:32`]. Empty text or `[]` = any non-empty offer.
   */
  minAllocatableResources?: string | readonly MinAllocatableSet[];
  /** `--fair_sharing_excluded_resource_names`, e.g. `['gpus']`. */
  fairSharingExcludedResourceNames?: readonly string[];
  /** Initial role weights (`--weights`); default weight is 1. */
  weights?: Readonly<Record<string, number>>;
}

export interface AddAgentInput {
  hostname?: string;
  attributes?: readonly Attribute[];
  /** Everything the agent offers (`--resources`). */
  total: Resources;
  /**
   * Resources already in use on the agent (re-registration, failover), by
   * framework id. Each entry must carry its allocation role (`.allocate(role)`),
   * unless the framework is known and has a single role. Frameworks not yet
   * added are tracked until they are.
   */
  used?: ReadonlyMap<string, Resources> | Readonly<Record<string, Resources>>;
  /** Default true. */
  active?: boolean;
}

export interface UpdateAgentInput {
  hostname?: string;
  attributes?: readonly Attribute[];
  /** New total. May be smaller than what is allocated (Mesos allows it); nothing more is offered until it fits. */
  total?: Resources;
}

export interface AddFrameworkInput {
  /** Roles the framework subscribes to (FrameworkInfo.roles). At least one. */
  roles: readonly string[];
  /** Default true. */
  active?: boolean;
  /** Roles to start suppressed (SUBSCRIBE's suppressed_roles). */
  suppressedRoles?: readonly string[];
}

export interface UpdateFrameworkInput {
  roles: readonly string[];
  /**
   * Exactly the suppressed set after the update; roles leaving it get their
   * filters cleared. Omitted: keep the current suppression of kept roles.
   */
  suppressedRoles?: readonly string[];
}

/** One offer to make: an agent's available resources for one (framework, role). */
export interface OfferDecision {
  readonly frameworkId: string;
  readonly role: string;
  readonly agentId: string;
  /** Allocated form: every entry's allocationRole is `role`. */
  readonly resources: Resources;
}

export interface AgentAllocation {
  readonly frameworkId: string;
  readonly role: string;
  readonly resources: Resources;
}

export interface AgentView {
  readonly id: string;
  readonly hostname: string;
  readonly attributes: readonly Attribute[];
  readonly active: boolean;
  readonly total: Resources;
  /** Offered or in use, unallocated form. */
  readonly allocated: Resources;
  /** total minus allocated. */
  readonly available: Resources;
  readonly allocations: readonly AgentAllocation[];
}

export interface FrameworkView {
  readonly id: string;
  /** False for a framework only known from an agent's `used` resources. */
  readonly added: boolean;
  readonly active: boolean;
  readonly roles: readonly string[];
  readonly suppressedRoles: readonly string[];
  /** role → agent id → resources (allocated form). */
  readonly allocated: ReadonlyMap<string, ReadonlyMap<string, Resources>>;
}

export interface RoleShare {
  readonly role: string;
  readonly weight: number;
  /** max over scalar names of allocated / cluster total (no weight). */
  readonly dominantShare: number;
  /** dominantShare / weight: what the role sorter orders by. */
  readonly weightedShare: number;
  /** Scalar quantities allocated to the role, units by name. */
  readonly allocated: Readonly<Record<string, number>>;
  /** Frameworks subscribed to the role. */
  readonly frameworks: readonly string[];
  readonly activeFilters: number;
}

export interface FrameworkShare {
  readonly frameworkId: string;
  readonly share: number;
  readonly active: boolean;
}
