/**
 * Scheduler API calls as master-core transitions (Mesos semantics, see
 * shared/reference/mesos-http-api.md section 3). Called by http/scheduler-api.ts
 * after the call passed structural validation and the stream checks.
 */
import { create } from '@bufbuild/protobuf';
import {
  FrameworkInfo_Capability_Type,
  Offer_Operation_Type,
  TaskState,
  TaskStatus_Reason,
  ExecutorInfoSchema,
  FrameworkInfoSchema,
  ResourceSchema,
  TaskInfoSchema,
  type Resource,
  type TaskInfo,
} from '../../protocol/gen/mesos/v1/mesos_pb.js';
import type {
  Call,
  Call_Accept,
  Call_Acknowledge,
  Call_Decline,
  Call_Kill,
  Call_Message,
  Call_Reconcile,
  Call_Shutdown,
  Call_UpdateFramework,
} from '../../protocol/gen/mesos/v1/scheduler/scheduler_pb.js';
import { AgentEventSchema, AgentEvent_Type } from '../../protocol/gen/mesoscale/internal/agent_link_pb.js';
import { uuidBytesEqual } from '../../lib/uuid.js';
import { patch } from '../../protocol/patch.js';
import { Resources } from '../../resources/index.js';
import { frameworkRoles, hasCapability, validateFrameworkInfo } from '../validation/framework-info.js';
import { checkLaunchTask, checkTaskGroup, type TaskCheckContext } from '../validation/task.js';
import { masterStatus, schedulerEvents } from './events.js';
import { MasterCoreBase } from './master-core.js';
import type { AgentRecord, FrameworkRecord, OfferRecord } from './model.js';
import { isTerminalState, stateForFramework } from './task-states.js';

/** Mesos' default refuse_seconds when a call carries no Filters. */
export const DEFAULT_REFUSE_SECONDS = 5;

export type CallRejection = { readonly status: 400 | 403; readonly message: string };

export class FrameworkCalls extends MasterCoreBase {
  /** Executor resources charged to a framework, by `${framework}/${agent}/${executor}`. */
  protected readonly executorResources = new Map<string, Resources>();

  // ------------------------------------------------------------ subscription

  /**
   * SUBSCRIBE on a new stream. Returns the framework id, or the reason to send
   * as an ERROR event before closing the stream.
   */
  subscribe(call: Call, streamId: string): { frameworkId: string } | { error: string } {
    const subscribe = call.subscribe!;
    const info = subscribe.frameworkInfo!;
    const invalid = validateFrameworkInfo(info, {
      allowedRoles: this.options.allowedRoles,
      rootSubmissions: this.options.rootSubmissions,
    });
    if (invalid !== undefined) return { error: invalid };
    const roles = frameworkRoles(info);
    const suppressed = [...subscribe.suppressedRoles];
    const stray = suppressed.find((r) => !roles.includes(r));
    if (stray !== undefined) return { error: `Suppressed role '${stray}' is not one of the framework's roles` };

    const requestedId = call.frameworkId?.value ?? '';
    if (requestedId !== '' && this.removedFrameworkIds.has(requestedId)) return { error: 'Framework has been removed' };

    const existing = requestedId === '' ? undefined : this.frameworks.get(requestedId);
    let framework: FrameworkRecord;
    if (existing !== undefined) {
      framework = existing;
      if (framework.streamId !== undefined) {
        this.emit({
          kind: 'framework-close',
          frameworkId: framework.id,
          streamId: framework.streamId,
          finalEvent: schedulerEvents.error('Framework failed over'),
        });
      }
      for (const offerId of [...framework.offers]) this.rescindOffer(offerId);
      // user and checkpoint cannot change on re-subscription (silently kept).
      framework.info = patch(FrameworkInfoSchema, info, { id: { value: framework.id }, user: framework.info.user, checkpoint: framework.info.checkpoint });
      framework.roles = roles;
      framework.reregisteredTime = this.now;
      this.allocator.updateFramework(framework.id, roles, suppressed);
      this.allocator.activateFramework(framework.id);
    } else {
      const id = requestedId !== '' ? requestedId : this.ids.frameworkId();
      framework = {
        id,
        info: patch(FrameworkInfoSchema, info, { id: { value: id } }),
        roles,
        streamId,
        connected: true,
        active: true,
        registeredTime: this.now,
        reregisteredTime: undefined,
        unregisteredTime: undefined,
        failoverDeadline: undefined,
        offers: new Set(),
        tasks: new Map(),
        unreachableTasks: new Map(),
        completedTasks: [],
        executors: new Map(),
      };
      this.frameworks.set(id, framework);
      this.allocator.addFramework(id, roles, suppressed, true);
    }
    framework.streamId = streamId;
    framework.connected = true;
    framework.active = true;
    framework.failoverDeadline = undefined;
    framework.unregisteredTime = undefined;
    this.toFramework(framework, schedulerEvents.subscribed(framework.id, this.masterInfo));
    this.toFramework(framework, schedulerEvents.heartbeat());
    return { frameworkId: framework.id };
  }

  /** The subscription stream `streamId` broke: keep the framework for failover_timeout. */
  frameworkDisconnected(frameworkId: string, streamId: string): void {
    const framework = this.frameworks.get(frameworkId);
    if (framework === undefined || framework.streamId !== streamId) return;
    framework.connected = false;
    framework.active = false;
    framework.streamId = undefined;
    framework.unregisteredTime = this.now;
    for (const offerId of [...framework.offers]) this.rescindOffer(offerId);
    this.allocator.deactivateFramework(framework.id);
    const timeoutMs = framework.info.failoverTimeout * 1000;
    if (timeoutMs <= 0) this.removeFramework(framework, 'Framework disconnected and its failover timeout is 0');
    else framework.failoverDeadline = this.now + timeoutMs;
  }

  /** Mesos' checks 12–16 for every call but SUBSCRIBE. */
  checkCall(frameworkId: string, streamId: string | undefined): CallRejection | undefined {
    const framework = this.frameworks.get(frameworkId);
    if (framework === undefined) return { status: 400, message: 'Framework cannot be found' };
    if (!framework.connected) return { status: 403, message: 'Framework is not subscribed' };
    if (streamId === undefined || streamId === '') {
      return { status: 400, message: "All non-subscribe calls should include the 'Mesos-Stream-Id' header" };
    }
    if (streamId !== framework.streamId) {
      return { status: 400, message: `The stream ID '${streamId}' included in this request didn't match the stream ID currently associated with framework ID ${frameworkId}` };
    }
    return undefined;
  }

  /** UPDATE_FRAMEWORK: new FrameworkInfo and suppressed roles; returns the reason it is refused. */
  updateFramework(frameworkId: string, update: Call_UpdateFramework): string | undefined {
    const framework = this.requireFramework(frameworkId);
    const info = update.frameworkInfo!;
    if ((info.id?.value ?? '') !== framework.id) return "'framework_info.id' must be set to the framework's id";
    if (info.principal !== framework.info.principal) return "Updating 'FrameworkInfo.principal' is unsupported";
    if (info.user !== framework.info.user) return "Updating 'FrameworkInfo.user' is unsupported";
    if (info.checkpoint !== framework.info.checkpoint) return "Updating 'FrameworkInfo.checkpoint' is unsupported";
    const invalid = validateFrameworkInfo(info, { allowedRoles: this.options.allowedRoles, rootSubmissions: this.options.rootSubmissions });
    if (invalid !== undefined) return invalid;
    const roles = frameworkRoles(info);
    const stray = update.suppressedRoles.find((r) => !roles.includes(r));
    if (stray !== undefined) return `Suppressed role '${stray}' is not one of the framework's roles`;
    for (const offerId of [...framework.offers]) {
      if (!roles.includes(this.offers.get(offerId)!.role)) this.rescindOffer(offerId);
    }
    framework.info = info;
    framework.roles = roles;
    this.allocator.updateFramework(framework.id, roles, [...update.suppressedRoles]);
    return undefined;
  }

  teardown(frameworkId: string): void {
    const framework = this.frameworks.get(frameworkId);
    if (framework !== undefined) this.removeFramework(framework, 'Framework was torn down');
  }

  // ------------------------------------------------------------ offers

  accept(frameworkId: string, accept: Call_Accept): void {
    const framework = this.requireFramework(frameworkId);
    const refuseSeconds = accept.filters !== undefined ? accept.filters.refuseSeconds : DEFAULT_REFUSE_SECONDS;
    const { offers, error } = this.takeOffers(framework, accept.offerIds.map((o) => o.value));
    const agent = offers.length > 0 ? this.agents.get(offers[0]!.agentId) : undefined;
    if (error !== undefined || agent === undefined || !agent.connected) {
      const reason = error ?? 'Agent is not connected';
      for (const offer of offers) this.allocator.recoverResources(offer.frameworkId, offer.agentId, offer.resources, undefined);
      this.dropLaunches(framework, accept, `Task launched with invalid offers: ${reason}`);
      return;
    }
    const role = offers[0]!.role;
    let available = offers.reduce((sum, o) => sum.add(o.resources), Resources.EMPTY);
    for (const operation of accept.operations) {
      switch (operation.type) {
        case Offer_Operation_Type.LAUNCH:
          for (const task of operation.launch?.taskInfos ?? []) available = this.launchTask(framework, agent, role, task, available);
          break;
        case Offer_Operation_Type.LAUNCH_GROUP:
          available = this.launchGroup(framework, agent, role, operation.launchGroup!, available);
          break;
        default:
          // Reservations and volumes are not implemented yet (docs/compatibility.md);
          // their resources simply stay unused and return to the pool below.
          break;
      }
    }
    if (!available.isEmpty()) this.allocator.recoverResources(framework.id, agent.id, available, refuseSeconds);
  }

  decline(frameworkId: string, decline: Call_Decline): void {
    const framework = this.requireFramework(frameworkId);
    const refuseSeconds = decline.filters !== undefined ? decline.filters.refuseSeconds : DEFAULT_REFUSE_SECONDS;
    for (const { value } of decline.offerIds) {
      const offer = this.offers.get(value);
      if (offer === undefined || offer.frameworkId !== framework.id) continue;
      this.removeOffer(value, false);
      this.allocator.recoverResources(framework.id, offer.agentId, offer.resources, refuseSeconds);
    }
  }

  revive(frameworkId: string, roles: readonly string[]): void {
    const framework = this.requireFramework(frameworkId);
    this.allocator.revive(framework.id, roles.length > 0 ? roles : framework.roles);
  }

  suppress(frameworkId: string, roles: readonly string[]): void {
    const framework = this.requireFramework(frameworkId);
    this.allocator.suppress(framework.id, roles.length > 0 ? roles : framework.roles);
  }

  /** Validates and removes the offers of an ACCEPT (all or nothing). */
  private takeOffers(framework: FrameworkRecord, offerIds: string[]): { offers: OfferRecord[]; error?: string } {
    if (offerIds.length === 0) return { offers: [], error: 'No offers specified' };
    const offers: OfferRecord[] = [];
    let error: string | undefined;
    const seen = new Set<string>();
    for (const id of offerIds) {
      if (seen.has(id)) {
        error ??= `Duplicate offer ${id} in ACCEPT`;
        continue;
      }
      seen.add(id);
      const offer = this.offers.get(id);
      if (offer === undefined) {
        error ??= `Offer ${id} is no longer valid`;
        continue;
      }
      if (offer.frameworkId !== framework.id) {
        error ??= `Offer ${id} has invalid framework ${offer.frameworkId} while framework ${framework.id} is expected`;
        continue;
      }
      this.removeOffer(id, false);
      if (offers.length > 0 && offer.agentId !== offers[0]!.agentId) {
        error ??= `Aggregated offers must belong to one single agent. Offer ${id} uses agent ${offer.agentId} and offer ${offers[0]!.id} uses agent ${offers[0]!.agentId}`;
      }
      if (offers.length > 0 && offer.role !== offers[0]!.role) {
        error ??= `Aggregated offers must be allocated to the same role. Offer ${id} uses role ${offer.role} and offer ${offers[0]!.id} uses role ${offers[0]!.role}`;
      }
      offers.push(offer);
    }
    return error === undefined ? { offers } : { offers, error };
  }

  /** Every task in the ACCEPT's launch operations ends TASK_LOST (TASK_DROPPED if partition-aware). */
  private dropLaunches(framework: FrameworkRecord, accept: Call_Accept, message: string): void {
    const state = this.partitionAware(framework) ? TaskState.TASK_DROPPED : TaskState.TASK_LOST;
    for (const operation of accept.operations) {
      const tasks =
        operation.type === Offer_Operation_Type.LAUNCH
          ? (operation.launch?.taskInfos ?? [])
          : operation.type === Offer_Operation_Type.LAUNCH_GROUP
            ? (operation.launchGroup?.taskGroup?.tasks ?? [])
            : [];
      for (const task of tasks) {
        const status = masterStatus(task.taskId?.value ?? '', state, TaskStatus_Reason.INVALID_OFFERS, message, this.now);
        this.sendUpdate(framework, undefined, status);
      }
    }
  }

  private taskContext(framework: FrameworkRecord, agent: AgentRecord): TaskCheckContext {
    return {
      agentId: agent.id,
      isTaskIdInUse: (id) => framework.tasks.has(id) || framework.unreachableTasks.has(id),
      knownExecutor: (id) => framework.executors.get(agent.id)?.get(id),
    };
  }

  private launchTask(framework: FrameworkRecord, agent: AgentRecord, role: string, original: TaskInfo, available: Resources): Resources {
    const task = withAllocationRole(original, role);
    const check = checkLaunchTask(task, available, this.taskContext(framework, agent));
    if (!check.ok) {
      this.rejectTask(framework, task, TaskStatus_Reason.TASK_INVALID, check.message);
      return available;
    }
    this.addTask(framework, agent, task, check.resources, role, task.executor);
    if (task.executor !== undefined && !check.executorResources.isEmpty()) {
      this.executorResources.set(`${framework.id}/${agent.id}/${task.executor.executorId!.value}`, check.executorResources);
    }
    this.emit({
      kind: 'agent-event',
      agentId: agent.id,
      event: create(AgentEventSchema, { type: AgentEvent_Type.RUN_TASK, runTask: { frameworkInfo: framework.info, task } }),
    });
    return available.subtract(check.resources).subtract(check.executorResources);
  }

  private launchGroup(
    framework: FrameworkRecord,
    agent: AgentRecord,
    role: string,
    launchGroup: NonNullable<NonNullable<Call_Accept['operations'][number]>['launchGroup']>,
    available: Resources,
  ): Resources {
    const executor = patch(ExecutorInfoSchema, launchGroup.executor!, { resources: launchGroup.executor!.resources.map((r) => withRole(r, role)) });
    const tasks = (launchGroup.taskGroup?.tasks ?? []).map((t) => withAllocationRole(t, role));
    const check = checkTaskGroup(executor, tasks, available, this.taskContext(framework, agent));
    if (!check.ok) {
      for (const task of tasks) this.rejectTask(framework, task, TaskStatus_Reason.TASK_GROUP_INVALID, check.message);
      return available;
    }
    tasks.forEach((task, i) => this.addTask(framework, agent, task, check.taskResources[i]!, role, executor));
    if (!check.executorResources.isEmpty()) {
      this.executorResources.set(`${framework.id}/${agent.id}/${executor.executorId!.value}`, check.executorResources);
    }
    this.emit({
      kind: 'agent-event',
      agentId: agent.id,
      event: create(AgentEventSchema, {
        type: AgentEvent_Type.RUN_TASK_GROUP,
        runTaskGroup: { frameworkInfo: framework.info, executor, taskGroup: { tasks } },
      }),
    });
    return check.taskResources.reduce((left, r) => left.subtract(r), available.subtract(check.executorResources));
  }

  private rejectTask(framework: FrameworkRecord, task: TaskInfo, reason: TaskStatus_Reason, message: string): void {
    const status = masterStatus(task.taskId?.value ?? '', TaskState.TASK_ERROR, reason, message, this.now);
    this.sendUpdate(framework, undefined, status);
  }

  // ------------------------------------------------------------ tasks

  kill(frameworkId: string, kill: Call_Kill): void {
    const framework = this.requireFramework(frameworkId);
    const taskId = kill.taskId!.value;
    const task = framework.tasks.get(taskId);
    if (task === undefined) {
      // Mesos answers a kill of an unknown task as an explicit reconciliation.
      this.reconcileOne(framework, taskId, kill.agentId?.value);
      return;
    }
    if (kill.agentId !== undefined && kill.agentId.value !== task.agentId) return;
    this.emit({
      kind: 'agent-event',
      agentId: task.agentId,
      event: create(AgentEventSchema, {
        type: AgentEvent_Type.KILL_TASK,
        killTask: { frameworkId: { value: framework.id }, taskId: { value: taskId }, ...(kill.killPolicy ? { killPolicy: kill.killPolicy } : {}) },
      }),
    });
  }

  shutdown(frameworkId: string, shutdown: Call_Shutdown): void {
    const framework = this.requireFramework(frameworkId);
    const agentId = shutdown.agentId!.value;
    if (!this.agents.has(agentId)) return;
    this.emit({
      kind: 'agent-event',
      agentId,
      event: create(AgentEventSchema, {
        type: AgentEvent_Type.SHUTDOWN_EXECUTOR,
        shutdownExecutor: { frameworkId: { value: framework.id }, executorId: shutdown.executorId! },
      }),
    });
  }

  acknowledge(frameworkId: string, ack: Call_Acknowledge): void {
    const framework = this.requireFramework(frameworkId);
    const agentId = ack.agentId!.value;
    const taskId = ack.taskId!.value;
    if (this.agents.has(agentId)) {
      this.emit({
        kind: 'agent-event',
        agentId,
        event: create(AgentEventSchema, {
          type: AgentEvent_Type.ACKNOWLEDGE,
          acknowledge: { frameworkId: { value: framework.id }, taskId: { value: taskId }, uuid: ack.uuid },
        }),
      });
    }
    const task = framework.tasks.get(taskId);
    if (
      task !== undefined &&
      task.agentId === agentId &&
      task.statusUpdateState !== undefined &&
      isTerminalState(task.statusUpdateState) &&
      uuidBytesEqual(task.statusUpdateUuid, ack.uuid)
    ) {
      this.removeTask(task, true);
    }
  }

  reconcile(frameworkId: string, reconcile: Call_Reconcile): void {
    const framework = this.requireFramework(frameworkId);
    if (reconcile.tasks.length === 0) {
      for (const task of [...framework.tasks.values(), ...framework.unreachableTasks.values()]) {
        this.sendReconciliation(framework, task.info.taskId!.value, task.state, task.agentId, task.executorId);
      }
      return;
    }
    for (const entry of reconcile.tasks) this.reconcileOne(framework, entry.taskId!.value, entry.agentId?.value);
  }

  /** Mesos' explicit reconciliation rules (reference 3.7). */
  private reconcileOne(framework: FrameworkRecord, taskId: string, agentId: string | undefined): void {
    const task = framework.tasks.get(taskId) ?? framework.unreachableTasks.get(taskId);
    if (task !== undefined) {
      this.sendReconciliation(framework, taskId, task.state, task.agentId, task.executorId);
      return;
    }
    if (agentId !== undefined && this.agents.has(agentId)) {
      this.sendReconciliation(framework, taskId, TaskState.TASK_GONE, agentId);
    } else if (agentId !== undefined && this.unreachableAgents.has(agentId)) {
      const since = this.unreachableAgents.get(agentId)!.since;
      this.sendReconciliation(framework, taskId, TaskState.TASK_UNREACHABLE, agentId, undefined, BigInt(since) * 1_000_000n);
    } else {
      this.sendReconciliation(framework, taskId, TaskState.TASK_UNKNOWN, agentId);
    }
  }

  private sendReconciliation(
    framework: FrameworkRecord,
    taskId: string,
    state: TaskState,
    agentId: string | undefined,
    executorId?: string,
    unreachableTimeNs?: bigint,
  ): void {
    const seen = stateForFramework(state, this.partitionAware(framework));
    const status = masterStatus(taskId, seen, TaskStatus_Reason.RECONCILIATION, 'Reconciliation: Latest task state', this.now, {
      ...(agentId !== undefined ? { agentId } : {}),
      ...(executorId ? { executorId } : {}),
      ...(unreachableTimeNs !== undefined ? { unreachableTimeNs } : {}),
    });
    this.toFramework(framework, schedulerEvents.update(status));
  }

  message(frameworkId: string, message: Call_Message): void {
    const framework = this.requireFramework(frameworkId);
    const agentId = message.agentId!.value;
    if (!this.agents.has(agentId)) return;
    this.emit({
      kind: 'agent-event',
      agentId,
      event: create(AgentEventSchema, {
        type: AgentEvent_Type.FRAMEWORK_MESSAGE,
        frameworkMessage: { frameworkId: { value: framework.id }, executorId: message.executorId!, data: message.data },
      }),
    });
  }

  isPartitionAware(frameworkId: string): boolean {
    const info = this.frameworkInfoFor(frameworkId);
    return info !== undefined && hasCapability(info, FrameworkInfo_Capability_Type.PARTITION_AWARE);
  }
}

/** The master fills in the offer's allocation role where a resource lacks one. */
function withRole(resource: Resource, role: string): Resource {
  return resource.allocationInfo !== undefined ? resource : patch(ResourceSchema, resource, { allocationInfo: { role } });
}

function withAllocationRole(task: TaskInfo, role: string): TaskInfo {
  return patch(TaskInfoSchema, task, {
    resources: task.resources.map((r) => withRole(r, role)),
    ...(task.executor !== undefined
      ? { executor: patch(ExecutorInfoSchema, task.executor, { resources: task.executor.resources.map((r) => withRole(r, role)) }) }
      : {}),
  });
}
