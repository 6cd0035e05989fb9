/**
 * A NestedContainerPort without an agent, for tests: it stands in for the
 * agent's nested-container support (being built), so the default executor's
 * group semantics can be tested now. Containers are simulated from their
 * command, a small shell subset a real agent runs for real, so the same
 * task groups work against the real agent:
 *
 *   sleep S                 runs S seconds, then exits 0; SIGTERM/SIGKILL end it
 *   exit N                  exits N at once
 *   sleep S; exit N         runs S seconds, then exits N
 *   trap '' TERM; sleep S   like `sleep S`, but only SIGKILL ends it
 *
 * A Docker image whose name starts with `does-not-exist` cannot be pulled: the
 * launch fails as the agent's would. `exceedMemory()` plays the agent's memory
 * limitation; `agentDown()` / `agentUp()` play an agent restart.
 */
import {
  type ContainerIdPath,
  describeContainerId,
  type NestedContainerExit,
  NestedContainerExistsError,
  type NestedContainerId,
  type NestedContainerLaunch,
  NestedContainerLaunchError,
  NestedContainerNotFoundError,
  type NestedContainerPort,
  NestedContainerUnavailableError,
} from '../nested-container-port.js';
import { TaskState, TaskStatus_Reason } from '../../../../protocol/gen/mesos/v1/mesos_pb.js';

const SIGNAL_NUMBERS: Partial<Record<NodeJS.Signals, number>> = { SIGTERM: 15, SIGKILL: 9, SIGINT: 2, SIGHUP: 1 };

interface SimulatedContainer {
  readonly launch: NestedContainerLaunch;
  readonly ignoresSigterm: boolean;
  exit: NestedContainerExit | undefined;
  timer: NodeJS.Timeout | undefined;
  readonly waiters: Array<{ resolve: (exit: NestedContainerExit) => void; reject: (err: Error) => void }>;
}

export interface SignalRecord {
  readonly container: string;
  readonly signal: NodeJS.Signals;
  readonly atMs: number;
}

export class InMemoryNestedContainers implements NestedContainerPort {
  readonly #containers = new Map<string, SimulatedContainer>();
  readonly signals: SignalRecord[] = [];
  readonly launches: NestedContainerLaunch[] = [];
  #down = false;

  async launch(launch: NestedContainerLaunch): Promise<void> {
    this.#available();
    const key = describeContainerId(launch.containerId);
    if (this.#containers.has(key)) throw new NestedContainerExistsError(launch.containerId);
    const image = launch.container?.mesos?.image?.docker?.name ?? '';
    if (image.startsWith('does-not-exist')) {
      throw new NestedContainerLaunchError(launch.containerId, `Failed to pull image '${image}': repository does not exist`, { httpStatus: 400 });
    }
    const script = parseCommand(launch.command?.value ?? '');
    this.launches.push(launch);
    const container: SimulatedContainer = { launch, ignoresSigterm: script.ignoresSigterm, exit: undefined, timer: undefined, waiters: [] };
    this.#containers.set(key, container);
    container.timer = setTimeout(() => this.#end(container, { exitStatus: (script.exitCode & 0xff) << 8 }), script.runsMs);
  }

  async wait(containerId: NestedContainerId): Promise<NestedContainerExit> {
    this.#available();
    const container = this.#find(containerId);
    if (container.exit !== undefined) return container.exit;
    return new Promise((resolve, reject) => container.waiters.push({ resolve, reject }));
  }

  async kill(containerId: NestedContainerId, signal: NodeJS.Signals): Promise<void> {
    this.#available();
    const container = this.#find(containerId);
    this.signals.push({ container: containerId.value, signal, atMs: Date.now() });
    if (container.exit !== undefined) return;
    if (signal === 'SIGTERM' && container.ignoresSigterm) return;
    this.#end(container, { exitStatus: SIGNAL_NUMBERS[signal] ?? 15 });
  }

  /** The agent's OOM verdict: the container is killed and reported as a memory limitation. */
  exceedMemory(containerValue: string): void {
    const container = [...this.#containers.values()].find((c) => c.launch.containerId.value === containerValue);
    if (container === undefined) throw new Error(`No simulated container ${containerValue}`);
    this.#end(container, {
      exitStatus: 9,
      state: TaskState.TASK_FAILED,
      reason: TaskStatus_Reason.CONTAINER_LIMITATION_MEMORY,
      message: 'Memory limit exceeded: Requested: 32MB Maximum Used: 33MB',
    });
  }

  /** The agent goes away: pending waits break, calls fail as unavailable until agentUp(). */
  agentDown(): void {
    this.#down = true;
    for (const container of this.#containers.values()) {
      for (const waiter of container.waiters.splice(0)) waiter.reject(new NestedContainerUnavailableError('connection reset'));
    }
  }

  agentUp(): void {
    this.#down = false;
  }

  /** Containers launched and not ended, by their value. */
  running(): string[] {
    return [...this.#containers.values()].filter((c) => c.exit === undefined).map((c) => c.launch.containerId.value);
  }

  /** Ends every container (test cleanup). */
  destroyAll(): void {
    for (const container of this.#containers.values()) this.#end(container, { exitStatus: 9 });
  }

  #end(container: SimulatedContainer, exit: NestedContainerExit): void {
    if (container.exit !== undefined) return;
    clearTimeout(container.timer);
    container.exit = exit;
    for (const waiter of container.waiters.splice(0)) waiter.resolve(exit);
  }

  #find(containerId: ContainerIdPath): SimulatedContainer {
    const container = this.#containers.get(describeContainerId(containerId));
    if (container === undefined) throw new NestedContainerNotFoundError(containerId);
    return container;
  }

  #available(): void {
    if (this.#down) throw new NestedContainerUnavailableError('connection refused');
  }
}

function parseCommand(command: string): { runsMs: number; exitCode: number; ignoresSigterm: boolean } {
  let match = /^exit (\d+)$/.exec(command);
  if (match) return { runsMs: 0, exitCode: Number(match[1]), ignoresSigterm: false };
  match = /^(trap '' TERM; )?sleep ([\d.]+)(?:; exit (\d+))?$/.exec(command);
  if (match) return { runsMs: Number(match[2]) * 1000, exitCode: Number(match[3] ?? 0), ignoresSigterm: match[1] !== undefined };
  throw new Error(`The simulated agent runs only 'sleep S', 'exit N', 'sleep S; exit N' and "trap '' TERM; sleep S", not '${command}'`);
}
