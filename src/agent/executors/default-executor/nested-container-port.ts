/**
 * What the default executor needs from its agent: launching, waiting on and
 * signalling the nested (child) containers of its own container. The shape
 * follows the agent operator calls Mesos' default executor makes (reference
 * 6.2): LAUNCH_NESTED_CONTAINER / LAUNCH_CONTAINER, WAIT_NESTED_CONTAINER /
 * WAIT_CONTAINER, KILL_NESTED_CONTAINER / KILL_CONTAINER. The agent implements
 * it (over `POST /api/v1` for an executor in its own process, or directly for
 * one inside the agent); README.md in this folder is the contract.
 *
 * The executor depends only on this narrow port, so its task-group logic is
 * testable without an agent, and the transport to the agent can change.
 */
import type { CommandInfo, ContainerInfo, Resource, TaskResourceLimitation, TaskState, TaskStatus_Reason, Value_Scalar } from '../../../protocol/gen/mesos/v1/mesos_pb.js';
import { MesoscaleError } from '../../../lib/errors.js';

/** A container id with its ancestry, as the operator API's ContainerID (`{value, parent}`). */
export interface ContainerIdPath {
  readonly value: string;
  readonly parent?: ContainerIdPath;
}

/** A child of the executor's container: `parent` is always set. */
export interface NestedContainerId extends ContainerIdPath {
  readonly parent: ContainerIdPath;
}

export interface NestedContainerLaunch {
  readonly containerId: NestedContainerId;
  /** The task's command; absent when the task runs its image's entrypoint (ContainerInfo.mesos.image). */
  readonly command?: CommandInfo;
  /** The task's ContainerInfo (type MESOS: image, volumes, rlimits...). */
  readonly container?: ContainerInfo;
  /** The task's resources, for the child's own cgroup limits. */
  readonly resources: readonly Resource[];
  /** TaskInfo.limits (`cpus`, `mem`; may be Infinity). */
  readonly limits: Readonly<Record<string, Value_Scalar>>;
  /**
   * Variables the executor adds for the task (MESOS_CONTAINER_IP), applied
   * after CommandInfo.environment, as Mesos' default executor appends them to it.
   */
  readonly env: Readonly<Record<string, string>>;
}

/** How a nested container ended: the operator API's WAIT_(NESTED_)CONTAINER response. */
export interface NestedContainerExit {
  /** Raw wait(2) status (`code << 8`, or the signal number); absent when unknown. */
  readonly exitStatus?: number;
  /** The agent's own verdict (e.g. TASK_FAILED for a memory limitation); preferred over the executor's. */
  readonly state?: TaskState;
  readonly reason?: TaskStatus_Reason;
  readonly message?: string;
  readonly limitation?: TaskResourceLimitation;
}

export interface NestedContainerPort {
  /**
   * Launches the child container and resolves once its process runs (image
   * provisioned, isolation applied). Throws:
   * - NestedContainerExistsError when a container with this id was launched
   *   already (the executor retries launches after losing the agent, so this
   *   means "done");
   * - NestedContainerUnavailableError when the agent could not be reached or
   *   is recovering (the executor retries once re-subscribed);
   * - NestedContainerLaunchError when the agent refused or the launch failed.
   */
  launch(launch: NestedContainerLaunch): Promise<void>;
  /**
   * Resolves when the container has terminated, also for one that terminated
   * before the call (until the agent removes it). Throws
   * NestedContainerNotFoundError for a container the agent does not know, and
   * NestedContainerUnavailableError when the connection broke (retried).
   */
  wait(containerId: NestedContainerId): Promise<NestedContainerExit>;
  /**
   * Sends `signal` to the container's processes. A container that already
   * terminated is not an error; throws NestedContainerNotFoundError for one the
   * agent never knew and NestedContainerUnavailableError when unreachable.
   */
  kill(containerId: NestedContainerId, signal: NodeJS.Signals): Promise<void>;
}

/** `parent.child`, how Mesos prints nested container ids in logs. */
export function describeContainerId(id: ContainerIdPath): string {
  return id.parent === undefined ? id.value : `${describeContainerId(id.parent)}.${id.value}`;
}

/** Base of the errors a NestedContainerPort throws. */
export class NestedContainerError extends MesoscaleError {}

export class NestedContainerLaunchError extends NestedContainerError {
  constructor(containerId: ContainerIdPath, detail: string, options: { httpStatus?: number; cause?: unknown } = {}) {
    super('NESTED_CONTAINER_LAUNCH_FAILED', `Failed to launch nested container ${describeContainerId(containerId)}: ${detail}`, options);
  }
}

export class NestedContainerExistsError extends NestedContainerError {
  constructor(containerId: ContainerIdPath) {
    super('NESTED_CONTAINER_EXISTS', `Nested container ${describeContainerId(containerId)} was launched already`, { httpStatus: 409 });
  }
}

export class NestedContainerNotFoundError extends NestedContainerError {
  constructor(containerId: ContainerIdPath) {
    super('NESTED_CONTAINER_NOT_FOUND', `The agent does not know nested container ${describeContainerId(containerId)}`, { httpStatus: 404 });
  }
}

export class NestedContainerUnavailableError extends NestedContainerError {
  constructor(detail: string, options: { cause?: unknown } = {}) {
    super('NESTED_CONTAINER_AGENT_UNAVAILABLE', `The agent is not reachable for nested container calls (${detail}); retrying after re-subscribing`, {
      httpStatus: 503,
      retryable: true,
      ...options,
    });
  }
}
