/** Public surface of the allocator. The master imports from here only. */
export { HierarchicalAllocator, createAllocator } from './hierarchical.js';
export type {
  AllocatorOptions,
  AddAgentInput,
  UpdateAgentInput,
  AddFrameworkInput,
  UpdateFrameworkInput,
  OfferDecision,
  AgentAllocation,
  AgentView,
  FrameworkView,
  RoleShare,
  FrameworkShare,
} from './types.js';
export { DEFAULT_REFUSE_SECONDS, MAX_REFUSE_SECONDS, filterDurationMs } from './filters.js';
export {
  AllocatorErrorCode,
  UnknownAgentError,
  UnknownFrameworkError,
  DuplicateAgentError,
  DuplicateFrameworkError,
  RoleNotSubscribedError,
  InvalidRoleError,
  InvalidWeightError,
  InvalidAllocatorResourcesError,
  ResourcesNotAllocatedError,
  InvalidAllocatorOptionsError,
} from './errors.js';
export type { Sorter } from './sorter/sorter.js';
export { ScalarTotals } from './sorter/sorter.js';
export { DrfSorter, type DrfSorterOptions } from './sorter/drf-sorter.js';
