/**
 * The agent's legacy JSON (`GET /state`, reference 7.4): Mesos' shapes, with
 * `slave` words, resources as `{cpus: 2, ports: "[31000-32000]"}` objects
 * and protobuf-JSON where Mesos uses it (`*_full`, container, labels).
 */
import type { JsonValue } from '@bufbuild/protobuf';

import { toMesosJson } from '../../protocol/codec/json.js';
import {
  type Task,
  TaskStatusSchema,
  LabelsSchema,
  DiscoveryInfoSchema,
  ContainerInfoSchema,
  type Resource as ResourceProto,
} from '../../protocol/gen/mesos/v1/mesos_pb.js';
import { fromProtoResources, legacyResourcesJson } from '../resources.js';
import type { ExecutorRecord, FrameworkRecord } from '../state.js';
import { taskStateName } from '../task-states.js';
import type { Resources } from '../../resources/index.js';

type Json = { [key: string]: JsonValue };

function resourcesOf(list: readonly ResourceProto[]): Json {
  try {
    return legacyResourcesJson(fromProtoResources(list));
  } catch {
    return {}; // resources the model does not handle (e.g. disk sources) are left out
  }
}

export function taskJson(task: Task): Json {
  const out: Json = {
    id: task.taskId!.value,
    name: task.name,
    framework_id: task.frameworkId!.value,
    executor_id: task.executorId?.value ?? '',
    slave_id: task.agentId!.value,
    state: taskStateName(task.state),
    resources: resourcesOf(task.resources),
    statuses: task.statuses.map((s) => {
      const json = toMesosJson(TaskStatusSchema, s);
      return { state: taskStateName(s.state), timestamp: s.timestamp, ...(json.container_status !== undefined ? { container_status: json.container_status } : {}) };
    }),
  };
  if (task.user !== '') out.user = task.user;
  if (task.labels !== undefined) out.labels = toMesosJson(LabelsSchema, task.labels).labels ?? [];
  if (task.discovery !== undefined) out.discovery = toMesosJson(DiscoveryInfoSchema, task.discovery);
  if (task.container !== undefined) out.container = toMesosJson(ContainerInfoSchema, task.container);
  return out;
}

export function executorJson(executor: ExecutorRecord): Json {
  const tasks = [...executor.launchedTasks.values()];
  const all: ResourceProto[] = [...executor.info.resources];
  for (const t of [...tasks, ...executor.terminatedTasks.values()]) all.push(...t.resources);
  for (const t of executor.queuedTasks.values()) all.push(...t.resources);
  return {
    id: executor.id,
    name: executor.info.name,
    source: executor.info.source,
    container: executor.containerId,
    directory: executor.directory,
    resources: resourcesOf(all),
    framework_id: executor.frameworkId,
    ...(executor.info.labels !== undefined ? { labels: toMesosJson(LabelsSchema, executor.info.labels).labels ?? [] } : {}),
    tasks: tasks.map(taskJson),
    queued_tasks: [...executor.queuedTasks.values()].map((t) => ({
      id: t.taskId!.value,
      name: t.name,
      slave_id: t.agentId?.value ?? '',
      resources: resourcesOf(t.resources),
      executor_id: executor.id,
    })),
    completed_tasks: [...executor.completedTasks, ...executor.terminatedTasks.values()].map(taskJson),
  };
}

export function frameworkJson(framework: FrameworkRecord): Json {
  const info = framework.info;
  return {
    id: framework.id,
    name: info.name,
    user: info.user,
    failover_timeout: info.failoverTimeout,
    checkpoint: info.checkpoint,
    hostname: info.hostname,
    ...(info.principal !== '' ? { principal: info.principal } : {}),
    role: info.role,
    ...(info.roles.length > 0 ? { roles: [...info.roles] } : {}),
    executors: [...framework.executors.values()].map(executorJson),
    completed_executors: framework.completedExecutors.map(executorJson),
  };
}

/** Static reservations of the agent, by role (`reserved_resources`), and the unreserved rest. */
export function reservationJson(total: Resources): { reserved: Json; unreserved: Json; reservedFull: Json; unreservedFull: JsonValue[] } {
  const reserved: Json = {};
  const reservedFull: Json = {};
  const byRole = new Map<string, Resources>();
  for (const r of total) if (r.role !== '*') byRole.set(r.role, (byRole.get(r.role) ?? total.filter(() => false)).add(r));
  for (const [role, rs] of byRole) {
    reserved[role] = legacyResourcesJson(rs);
    reservedFull[role] = rs.toJSON() as unknown as JsonValue[];
  }
  const unreserved = total.unreserved();
  return { reserved, unreserved: legacyResourcesJson(unreserved), reservedFull, unreservedFull: unreserved.toJSON() as unknown as JsonValue[] };
}
