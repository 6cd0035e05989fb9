import { MesoscaleError } from '../../lib/errors.js';

/** Error codes of the allocator. Stable: HTTP edges map them, clients match on them. */
export const AllocatorErrorCode = {
  UNKNOWN_AGENT: 'ALLOCATOR_UNKNOWN_AGENT',
  UNKNOWN_FRAMEWORK: 'ALLOCATOR_UNKNOWN_FRAMEWORK',
  DUPLICATE_AGENT: 'ALLOCATOR_DUPLICATE_AGENT',
  DUPLICATE_FRAMEWORK: 'ALLOCATOR_DUPLICATE_FRAMEWORK',
  ROLE_NOT_SUBSCRIBED: 'ALLOCATOR_ROLE_NOT_SUBSCRIBED',
  INVALID_ROLE: 'ALLOCATOR_INVALID_ROLE',
  INVALID_WEIGHT: 'ALLOCATOR_INVALID_WEIGHT',
  INVALID_RESOURCES: 'ALLOCATOR_INVALID_RESOURCES',
  RESOURCES_NOT_ALLOCATED: 'ALLOCATOR_RESOURCES_NOT_ALLOCATED',
  INVALID_OPTIONS: 'ALLOCATOR_INVALID_OPTIONS',
} as const;
export type AllocatorErrorCode = (typeof AllocatorErrorCode)[keyof typeof AllocatorErrorCode];

export class UnknownAgentError extends MesoscaleError {
  readonly agentId: string;
  constructor(agentId: string) {
    super(AllocatorErrorCode.UNKNOWN_AGENT, `agent '${agentId}' is not known to the allocator; add it with addAgent first`, {
      httpStatus: 404,
    });
    this.agentId = agentId;
  }
}

export class UnknownFrameworkError extends MesoscaleError {
  readonly frameworkId: string;
  constructor(frameworkId: string) {
    super(
      AllocatorErrorCode.UNKNOWN_FRAMEWORK,
      `framework '${frameworkId}' is not known to the allocator; add it with addFramework first`,
      { httpStatus: 404 },
    );
    this.frameworkId = frameworkId;
  }
}

export class DuplicateAgentError extends MesoscaleError {
  constructor(agentId: string) {
    super(AllocatorErrorCode.DUPLICATE_AGENT, `agent '${agentId}' was already added; remove it first or use updateAgent`, {
      httpStatus: 409,
    });
  }
}

export class DuplicateFrameworkError extends MesoscaleError {
  constructor(frameworkId: string) {
    super(
      AllocatorErrorCode.DUPLICATE_FRAMEWORK,
      `framework '${frameworkId}' was already added; remove it first or use updateFramework`,
      { httpStatus: 409 },
    );
  }
}

export class RoleNotSubscribedError extends MesoscaleError {
  constructor(frameworkId: string, role: string) {
    super(
      AllocatorErrorCode.ROLE_NOT_SUBSCRIBED,
      `framework '${frameworkId}' is not subscribed to role '${role}'; add the role with updateFramework first`,
      { httpStatus: 400 },
    );
  }
}

export class InvalidRoleError extends MesoscaleError {
  constructor(role: string, reason: string) {
    super(AllocatorErrorCode.INVALID_ROLE, `invalid role '${role}': ${reason}`, { httpStatus: 400 });
  }
}

export class InvalidWeightError extends MesoscaleError {
  constructor(role: string, weight: number) {
    super(AllocatorErrorCode.INVALID_WEIGHT, `invalid weight ${weight} for role '${role}': weights must be finite and > 0`, {
      httpStatus: 400,
    });
  }
}

export class InvalidAllocatorResourcesError extends MesoscaleError {
  constructor(message: string) {
    super(AllocatorErrorCode.INVALID_RESOURCES, message, { httpStatus: 400 });
  }
}

/** recoverResources was given resources the framework does not hold on the agent. */
export class ResourcesNotAllocatedError extends MesoscaleError {
  constructor(frameworkId: string, agentId: string, role: string, resources: string, held: string) {
    super(
      AllocatorErrorCode.RESOURCES_NOT_ALLOCATED,
      `cannot recover '${resources}' for framework '${frameworkId}' role '${role}' on agent '${agentId}': ` +
        `it only holds '${held}' there; recover exactly what was offered or launched`,
      { httpStatus: 409 },
    );
  }
}

export class InvalidAllocatorOptionsError extends MesoscaleError {
  constructor(message: string, cause?: unknown) {
    super(AllocatorErrorCode.INVALID_OPTIONS, `invalid allocator options: ${message}`, { httpStatus: 400, cause });
  }
}
