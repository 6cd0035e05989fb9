/**
 * Mesos' legacy (pre-v1) JSON shapes used by /state and friends: flat ids,
 * "slave" naming, resources as `{cpus, gpus, mem, disk, ports: "[a-b]"}`
 * (shared/reference/mesos-http-api.md section 7). Shared by master and agent.
 */
import { rangePairs, ResourceType, type Resources } from '../resources/index.js';
import type { Task as TaskProto, TaskStatus } from './gen/mesos/v1/mesos_pb.js';
import { TaskState, TaskStatusSchema } from './gen/mesos/v1/mesos_pb.js';
import { toMesosJson } from './codec/json.js';
import { isFieldSet } from '@bufbuild/protobuf';

export type LegacyResources = Record<string, number | string>;

export function legacyResources(resources: Resources): LegacyResources {
  const out: LegacyResources = { cpus: 0, gpus: 0, mem: 0, disk: 0 };
  const ranges = new Map<string, [number, number][]>();
  const sets = new Map<string, string[]>();
  for (const r of resources.toArray()) {
    if (r.type === ResourceType.SCALAR) {
      out[r.name] = Math.round(((out[r.name] as number | undefined) ?? 0) * 1000 + r.milli) / 1000;
    } else if (r.type === ResourceType.RANGES) {
      ranges.set(r.name, [...(ranges.get(r.name) ?? []), ...rangePairs(r.ranges)]);
    } else {
      sets.set(r.name, [...(sets.get(r.name) ?? []), ...r.items]);
    }
  }
  for (const [name, pairs] of ranges) out[name] = `[${pairs.map(([b, e]) => `${b}-${e}`).join(', ')}]`;
  for (const [name, items] of sets) out[name] = `{${items.join(',')}}`;
  return out;
}

export function legacyStatus(status: TaskStatus): Record<string, unknown> {
  const out: Record<string, unknown> = { state: TaskState[status.state], timestamp: status.timestamp };
  if (status.labels !== undefined) out.labels = status.labels.labels.map((l) => ({ key: l.key, value: l.value }));
  if (status.containerStatus !== undefined) out.container_status = toMesosJson(TaskStatusSchema, status).container_status;
  // Written whenever set (presence), so healthy=false is visible too.
  if (isFieldSet(status, TaskStatusSchema.field.healthy)) out.healthy = status.healthy;
  return out;
}

/** A task in the legacy shape from its v1 Task proto. */
export function legacyTaskFromProto(task: TaskProto, resources: Resources, role: string): Record<string, unknown> {
  return {
    id: task.taskId?.value,
    name: task.name,
    framework_id: task.frameworkId?.value,
    executor_id: task.executorId?.value ?? '',
    slave_id: task.agentId?.value,
    state: TaskState[task.state],
    resources: legacyResources(resources),
    role,
    statuses: task.statuses.map(legacyStatus),
    ...(task.labels !== undefined ? { labels: task.labels.labels.map((l) => ({ key: l.key, value: l.value })) } : {}),
  };
}
