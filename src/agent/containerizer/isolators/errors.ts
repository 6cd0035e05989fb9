/**
 * Errors of the isolators and the container runtime. Each has a stable code
 * (listed in docs/isolation.md) and a message that names the container, the
 * isolator or the file, and what to do about it.
 */
import { MesoscaleError } from '../../../lib/errors.js';

export const IsolationErrorCode = {
  /** A `--isolation` name nobody implements. */
  UNKNOWN_ISOLATOR: 'ISOLATION_UNKNOWN_ISOLATOR',
  /** A combination of isolators or flags that cannot work (two isolators deciding the command ...). */
  CONFIG: 'ISOLATION_CONFIG_INVALID',
  /** An isolator phase failed; names the isolator, the phase and the container. */
  PHASE: 'ISOLATION_PHASE_FAILED',
  /** A cgroup could not be found, created, written or removed. */
  CGROUP: 'ISOLATION_CGROUP_FAILED',
  /** The docker/runtime merge produced no command (Mesos refuses these too). */
  COMMAND: 'ISOLATION_COMMAND_INVALID',
  /** The OCI runtime (runc) failed to start, signal or delete a container. */
  RUNTIME: 'ISOLATION_RUNTIME_FAILED',
  /** An operation on a container id the runtime does not know. */
  UNKNOWN_CONTAINER: 'ISOLATION_UNKNOWN_CONTAINER',
  /** A container state change that the lifecycle does not allow (a bug). */
  STATE: 'ISOLATION_BAD_TRANSITION',
} as const;
export type IsolationErrorCode = (typeof IsolationErrorCode)[keyof typeof IsolationErrorCode];

export class UnknownIsolatorError extends MesoscaleError {
  readonly isolator: string;
  constructor(isolator: string, known: readonly string[]) {
    super(
      IsolationErrorCode.UNKNOWN_ISOLATOR,
      `Unknown isolator '${isolator}' in --isolation; supported: ${known.join(', ')}`,
    );
    this.isolator = isolator;
  }
}

export class IsolationConfigError extends MesoscaleError {
  constructor(message: string) {
    super(IsolationErrorCode.CONFIG, message);
  }
}

export class IsolatorPhaseError extends MesoscaleError {
  readonly isolator: string;
  readonly phase: string;
  readonly containerId: string;
  constructor(isolator: string, phase: string, containerId: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(IsolationErrorCode.PHASE, `Isolator '${isolator}' failed to ${phase} container ${containerId}: ${reason}`, {
      cause,
    });
    this.isolator = isolator;
    this.phase = phase;
    this.containerId = containerId;
  }
}

export class CgroupError extends MesoscaleError {
  readonly path: string;
  constructor(path: string, message: string, cause?: unknown) {
    super(IsolationErrorCode.CGROUP, `cgroup '${path}': ${message}`, { cause });
    this.path = path;
  }
}

export class CommandMergeError extends MesoscaleError {
  constructor(message: string) {
    super(IsolationErrorCode.COMMAND, message);
  }
}

export class RuntimeError extends MesoscaleError {
  readonly containerId: string;
  constructor(containerId: string, message: string, cause?: unknown) {
    super(IsolationErrorCode.RUNTIME, `Container ${containerId}: ${message}`, { cause });
    this.containerId = containerId;
  }
}

export class UnknownContainerError extends MesoscaleError {
  readonly containerId: string;
  constructor(containerId: string) {
    super(IsolationErrorCode.UNKNOWN_CONTAINER, `Unknown container ${containerId}`, { httpStatus: 404 });
    this.containerId = containerId;
  }
}

export class ContainerStateError extends MesoscaleError {
  constructor(containerId: string, from: string, to: string) {
    super(IsolationErrorCode.STATE, `Container ${containerId}: no transition from ${from} to ${to}`);
  }
}
