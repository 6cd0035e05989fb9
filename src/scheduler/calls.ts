/**
 * Builders for the scheduler calls frameworks send most. Pure: each returns a
 * `Call` without `framework_id`; SchedulerClient.send() fills that in from the
 * current subscription (Mesos requires it on every call but SUBSCRIBE).
 *
 * Ids may be given as strings or as the id messages found in events
 * (`offer.id`, `status.agentId`), so event data can be passed straight back.
 */
import { create, type MessageInitShape } from '@bufbuild/protobuf';

import {
  Offer_Operation_Type,
  type ExecutorInfoSchema,
  type KillPolicySchema,
  type TaskGroupInfoSchema,
  type TaskInfoSchema,
  type TaskStatus,
} from '../protocol/gen/mesos/v1/mesos_pb.js';
import { CallSchema, Call_Type, type Call } from '../protocol/gen/mesos/v1/scheduler/scheduler_pb.js';

/** An id as a string or as its message (`{ value }`). */
export type IdLike = string | { readonly value: string };

export type TaskInfoInit = MessageInitShape<typeof TaskInfoSchema>;
export type ExecutorInfoInit = MessageInitShape<typeof ExecutorInfoSchema>;
export type TaskGroupInfoInit = MessageInitShape<typeof TaskGroupInfoSchema>;
export type KillPolicyInit = MessageInitShape<typeof KillPolicySchema>;

/** Decline/accept filters. `refuseSeconds` absent means Mesos' default of 5 s. */
export interface FilterOptions {
  refuseSeconds?: number;
}

function id(value: IdLike): { value: string } {
  return { value: typeof value === 'string' ? value : value.value };
}

function filters(options: FilterOptions | undefined): { refuseSeconds: number } | undefined {
  return options?.refuseSeconds === undefined ? undefined : { refuseSeconds: options.refuseSeconds };
}

/** ACCEPT with one LAUNCH of `tasks` on `offerIds` (all from one agent). */
export function launchCall(offerIds: readonly IdLike[], tasks: readonly TaskInfoInit[], options?: FilterOptions): Call {
  return create(CallSchema, {
    type: Call_Type.ACCEPT,
    accept: {
      offerIds: offerIds.map(id),
      operations: [{ type: Offer_Operation_Type.LAUNCH, launch: { taskInfos: [...tasks] } }],
      filters: filters(options),
    },
  });
}

/** ACCEPT with one LAUNCH_GROUP: `taskGroup` run by `executor` (type DEFAULT for the built-in one). */
export function launchGroupCall(
  offerIds: readonly IdLike[],
  executor: ExecutorInfoInit,
  taskGroup: TaskGroupInfoInit,
  options?: FilterOptions,
): Call {
  return create(CallSchema, {
    type: Call_Type.ACCEPT,
    accept: {
      offerIds: offerIds.map(id),
      operations: [{ type: Offer_Operation_Type.LAUNCH_GROUP, launchGroup: { executor, taskGroup } }],
      filters: filters(options),
    },
  });
}

export function declineCall(offerIds: readonly IdLike[], options?: FilterOptions): Call {
  return create(CallSchema, {
    type: Call_Type.DECLINE,
    decline: { offerIds: offerIds.map(id), filters: filters(options) },
  });
}

/** Un-suppress `roles` and clear their filters; no roles = all of the framework's roles. */
export function reviveCall(roles: readonly string[] = []): Call {
  return create(CallSchema, { type: Call_Type.REVIVE, revive: { roles: [...roles] } });
}

/** Stop offers for `roles`; no roles = all of the framework's roles. */
export function suppressCall(roles: readonly string[] = []): Call {
  return create(CallSchema, { type: Call_Type.SUPPRESS, suppress: { roles: [...roles] } });
}

export function killCall(taskId: IdLike, agentId?: IdLike, killPolicy?: KillPolicyInit): Call {
  return create(CallSchema, {
    type: Call_Type.KILL,
    kill: {
      taskId: id(taskId),
      agentId: agentId === undefined ? undefined : id(agentId),
      killPolicy,
    },
  });
}

export function shutdownCall(executorId: IdLike, agentId: IdLike): Call {
  return create(CallSchema, {
    type: Call_Type.SHUTDOWN,
    shutdown: { executorId: id(executorId), agentId: id(agentId) },
  });
}

/**
 * ACKNOWLEDGE for a status update, or undefined when the update must not be
 * acknowledged: only updates with a `uuid` are reliable (agent-generated);
 * master-generated ones (reconciliation, validation errors) carry none, and
 * acknowledging them is an error.
 */
export function acknowledgeCall(status: TaskStatus): Call | undefined {
  if (status.uuid.length === 0 || status.agentId === undefined || status.taskId === undefined) return undefined;
  return create(CallSchema, {
    type: Call_Type.ACKNOWLEDGE,
    acknowledge: { agentId: id(status.agentId), taskId: id(status.taskId), uuid: status.uuid },
  });
}

export interface ReconcileTask {
  taskId: IdLike;
  agentId?: IdLike;
}

/** Explicit reconciliation of `tasks`; none = implicit (every task the master knows for us). */
export function reconcileCall(tasks: readonly ReconcileTask[] = []): Call {
  return create(CallSchema, {
    type: Call_Type.RECONCILE,
    reconcile: {
      tasks: tasks.map((t) => ({ taskId: id(t.taskId), agentId: t.agentId === undefined ? undefined : id(t.agentId) })),
    },
  });
}

export function messageCall(agentId: IdLike, executorId: IdLike, data: Uint8Array): Call {
  return create(CallSchema, {
    type: Call_Type.MESSAGE,
    message: { agentId: id(agentId), executorId: id(executorId), data },
  });
}

/** Remove the framework: its tasks are killed and its stream closed. */
export function teardownCall(): Call {
  return create(CallSchema, { type: Call_Type.TEARDOWN });
}
