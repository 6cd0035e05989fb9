/**
 * Connects the master core's narrow AllocatorPort to the hierarchical DRF
 * allocator. A resource-accounting mismatch is a master bug; it is logged with
 * the ids instead of failing the scheduler call that triggered it.
 */
import type { Logger } from 'pino';
import type { HierarchicalAllocator } from './allocator/index.js';
import type { AllocatorPort } from './state/allocator-port.js';

export function allocatorPort(allocator: HierarchicalAllocator, log: Logger): AllocatorPort {
  return {
    addAgent: (agentId, hostname, total, attributes, used) => allocator.addAgent(agentId, { hostname, total, attributes, used }),
    removeAgent: (agentId) => allocator.removeAgent(agentId),
    activateAgent: (agentId) => allocator.activateAgent(agentId),
    deactivateAgent: (agentId) => allocator.deactivateAgent(agentId),
    addFramework: (frameworkId, roles, suppressedRoles, active) => allocator.addFramework(frameworkId, { roles, suppressedRoles, active }),
    updateFramework: (frameworkId, roles, suppressedRoles) => allocator.updateFramework(frameworkId, { roles, suppressedRoles }),
    removeFramework: (frameworkId) => allocator.removeFramework(frameworkId),
    activateFramework: (frameworkId) => allocator.activateFramework(frameworkId),
    deactivateFramework: (frameworkId) => allocator.deactivateFramework(frameworkId),
    suppress: (frameworkId, roles) => allocator.suppressOffers(frameworkId, roles),
    revive: (frameworkId, roles) => allocator.reviveOffers(frameworkId, roles),
    recoverResources: (frameworkId, agentId, resources, refuseSeconds) => {
      try {
        allocator.recoverResources(frameworkId, agentId, resources, refuseSeconds);
      } catch (err) {
        log.error({ err, frameworkId, agentId, resources: resources.toString() }, 'allocator refused to recover resources');
      }
    },
    updateWeights: (weights) => allocator.updateWeights(weights),
    allocate: () => allocator.allocate(),
  };
}
