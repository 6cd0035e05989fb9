/**
 * What the master core needs from an allocator. The hierarchical DRF allocator
 * (src/master/allocator) implements it; the core only sees this narrow view.
 */
import type { Attribute, Resources } from '../../resources/index.js';

export interface OfferDecision {
  readonly frameworkId: string;
  readonly role: string;
  readonly agentId: string;
  /** Resources allocated to `role` (allocation role set). */
  readonly resources: Resources;
}

export interface AllocatorPort {
  addAgent(agentId: string, hostname: string, total: Resources, attributes: readonly Attribute[], used: ReadonlyMap<string, Resources>): void;
  removeAgent(agentId: string): void;
  activateAgent(agentId: string): void;
  deactivateAgent(agentId: string): void;
  addFramework(frameworkId: string, roles: readonly string[], suppressedRoles: readonly string[], active: boolean): void;
  updateFramework(frameworkId: string, roles: readonly string[], suppressedRoles: readonly string[]): void;
  removeFramework(frameworkId: string): void;
  activateFramework(frameworkId: string): void;
  deactivateFramework(frameworkId: string): void;
  suppress(frameworkId: string, roles: readonly string[]): void;
  revive(frameworkId: string, roles: readonly string[]): void;
  /** Returns resources to the pool; a refuse filter is installed when refuseSeconds is given and > 0. */
  recoverResources(frameworkId: string, agentId: string, resources: Resources, refuseSeconds: number | undefined): void;
  updateWeights(weights: ReadonlyMap<string, number>): void;
  /**
   * One allocation round. `full` considers every agent (the periodic batch:
   * filters expire with time); otherwise only what changed since the last
   * round (agents with freed or new resources, or all after a framework-level
   * change such as a new subscription or REVIVE).
   */
  allocate(full: boolean): OfferDecision[];
}
