/**
 * Builders for the protobuf messages the agent sends: executor events and
 * agent-generated task statuses. Small, so the logic in executor-manager.ts
 * reads as decisions rather than message plumbing.
 */
import { create } from '@bufbuild/protobuf';

import { randomUuidBytes } from '../lib/uuid.js';
import type { Clock } from '../lib/clock.js';
import { type Event, EventSchema, Event_Type } from '../protocol/gen/mesos/v1/executor/executor_pb.js';
import {
  type AgentInfo,
  type ExecutorInfo,
  type FrameworkInfo,
  type KillPolicy,
  type TaskID,
  type TaskInfo,
  type TaskState,
  type TaskStatus,
  TaskStatusSchema,
  type TaskStatus_Reason,
  TaskStatus_Source,
} from '../protocol/gen/mesos/v1/mesos_pb.js';

export function subscribedEvent(executorInfo: ExecutorInfo, frameworkInfo: FrameworkInfo, agentInfo: AgentInfo, containerId: string): Event {
  return create(EventSchema, {
    type: Event_Type.SUBSCRIBED,
    subscribed: { executorInfo, frameworkInfo, agentInfo, containerId: { value: containerId } },
  });
}

export function launchEvent(task: TaskInfo): Event {
  return create(EventSchema, { type: Event_Type.LAUNCH, launch: { task } });
}

/** LAUNCH_GROUP: a task group for the default executor (reference 4.3). */
export function launchGroupEvent(tasks: readonly TaskInfo[]): Event {
  return create(EventSchema, { type: Event_Type.LAUNCH_GROUP, launchGroup: { taskGroup: { tasks: [...tasks] } } });
}

export function killEvent(taskId: TaskID, killPolicy: KillPolicy | undefined): Event {
  return create(EventSchema, { type: Event_Type.KILL, kill: { taskId, killPolicy } });
}

export function acknowledgedEvent(taskId: TaskID, uuid: Uint8Array): Event {
  return create(EventSchema, { type: Event_Type.ACKNOWLEDGED, acknowledged: { taskId, uuid } });
}

export function messageEvent(data: Uint8Array): Event {
  return create(EventSchema, { type: Event_Type.MESSAGE, message: { data } });
}

export function shutdownEvent(): Event {
  return create(EventSchema, { type: Event_Type.SHUTDOWN });
}

/** A status the agent itself reports (SOURCE_AGENT), with a fresh uuid so it is delivered reliably. */
export function agentStatus(
  clock: Clock,
  fields: { taskId: string; state: TaskState; reason?: TaskStatus_Reason; message: string; executorId?: string; agentId?: string },
): TaskStatus {
  return create(TaskStatusSchema, {
    taskId: { value: fields.taskId },
    state: fields.state,
    source: TaskStatus_Source.AGENT,
    ...(fields.reason !== undefined ? { reason: fields.reason } : {}),
    message: fields.message,
    uuid: randomUuidBytes(),
    timestamp: clock.now() / 1000,
    ...(fields.executorId !== undefined ? { executorId: { value: fields.executorId } } : {}),
    ...(fields.agentId !== undefined ? { agentId: { value: fields.agentId } } : {}),
  });
}
