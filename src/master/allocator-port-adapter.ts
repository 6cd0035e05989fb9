/**
 * Connects the master core's narrow AllocatorPort to the hierarchical DRF
 * allocator. A resource-accounting mismatch is a master bug; it is logged with
 * the ids instead of failing the scheduler call that triggered it.
 */
import type { Logger } from 'pino';
import type { HierarchicalAllocator } from './allocator/index.js';
import type { AllocatorPort } from './state/allocator-port.js';

export function allocatorPort(allocator: HierarchicalAllocator, log: Logger): AllocatorPort {
  // What changed since the last round, so that rounds triggered by events
  // (every scheduler call and status update) need not walk every agent.
  const changedAgents = new Set<string>();
  let everythingChanged = true;
  const agentChanged = (agentId: string) => changedAgents.add(agentId);
  const allChanged = () => {
    everythingChanged = true;
  };
  return {
    addAgent: (agentId, hostname, total, attributes, used) => {
      allocator.addAgent(agentId, { hostname, total, attributes, used });
      agentChanged(agentId);
    },
    removeAgent: (agentId) => {
      allocator.removeAgent(agentId);
      changedAgents.delete(agentId);
    },
    activateAgent: (agentId) => {
      allocator.activateAgent(agentId);
      agentChanged(agentId);
    },
    deactivateAgent: (agentId) => allocator.deactivateAgent(agentId),
    addFramework: (frameworkId, roles, suppressedRoles, active) => {
      allocator.addFramework(frameworkId, { roles, suppressedRoles, active });
      allChanged();
    },
    updateFramework: (frameworkId, roles, suppressedRoles) => {
      allocator.updateFramework(frameworkId, { roles, suppressedRoles });
      allChanged();
    },
    removeFramework: (frameworkId) => {
      allocator.removeFramework(frameworkId);
      allChanged();
    },
    activateFramework: (frameworkId) => {
      allocator.activateFramework(frameworkId);
      allChanged();
    },
    deactivateFramework: (frameworkId) => allocator.deactivateFramework(frameworkId),
    suppress: (frameworkId, roles) => allocator.suppressOffers(frameworkId, roles),
    revive: (frameworkId, roles) => {
      allocator.reviveOffers(frameworkId, roles);
      allChanged();
    },
    recoverResources: (frameworkId, agentId, resources, refuseSeconds) => {
      try {
        allocator.recoverResources(frameworkId, agentId, resources, refuseSeconds);
        agentChanged(agentId);
      } catch (err) {
        log.error({ err, frameworkId, agentId, resources: resources.toString() }, 'allocator refused to recover resources');
      }
    },
    updateWeights: (weights) => {
      allocator.updateWeights(weights);
      allChanged();
    },
    allocate: (full) => {
      const all = full || everythingChanged;
      const agents = [...changedAgents];
      changedAgents.clear();
      everythingChanged = false;
      if (all) return allocator.allocate();
      return agents.length > 0 ? allocator.allocate(agents) : [];
    },
  };
}
