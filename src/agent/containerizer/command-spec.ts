/**
 * CommandInfo (protobuf) → the runtime's CommandSpec (plain data), and the
 * container resources of an executor: Mesos sizes a container by the
 * executor's resources plus its tasks' (for a command task: the task's plus
 * the command executor's 0.1 cpus and 32 MB).
 */
import type { CommandInfo, Resource } from '../../protocol/gen/mesos/v1/mesos_pb.js';
import type { CommandSpec, ContainerResources } from './isolators/isolator.js';

export function commandSpec(command: CommandInfo): CommandSpec {
  const environment: Record<string, string> = {};
  for (const variable of command.environment?.variables ?? []) environment[variable.name] = variable.value;
  return {
    shell: command.shell,
    ...(command.value !== '' ? { value: command.value } : {}),
    arguments: command.arguments,
    environment,
  };
}

/** cpus and mem (MB) summed over resource lists; undefined when none has any. */
export function containerResources(...lists: ReadonlyArray<readonly Resource[]>): ContainerResources {
  let cpus: number | undefined;
  let memMb: number | undefined;
  for (const resource of lists.flat()) {
    const value = resource.scalar?.value;
    if (value === undefined) continue;
    if (resource.name === 'cpus') cpus = (cpus ?? 0) + value;
    else if (resource.name === 'mem') memMb = (memMb ?? 0) + value;
  }
  return { ...(cpus !== undefined ? { cpus: Math.round(cpus * 1000) / 1000 } : {}), ...(memMb !== undefined ? { memMb } : {}) };
}
