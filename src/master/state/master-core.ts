/**
 * The master's state transitions: plain TypeScript over in-memory state, no
 * I/O, time from an injected Clock. Every input is a method; every decision
 * (events to frameworks and agents, streams to close) is appended to an outbox
 * that the wiring in master.ts drains and carries out.
 *
 * This file holds what is shared (records, offers, task bookkeeping); the
 * scheduler calls live in framework-calls.ts and the agent link in
 * agent-link.ts, as subclasses layered on top.
 */
import { create } from '@bufbuild/protobuf';
import {
  FrameworkInfo_Capability_Type,
  OfferSchema,
  TaskState,
  TaskStatus_Reason,
  type ExecutorInfo,
  type FrameworkInfo,
  type MasterInfo,
  type Offer,
  type TaskInfo,
  type TaskStatus,
  TaskStatusSchema,
} from '../../protocol/gen/mesos/v1/mesos_pb.js';
import { patch } from '../../protocol/patch.js';
import type { Event as SchedulerEvent } from '../../protocol/gen/mesos/v1/scheduler/scheduler_pb.js';
import { AgentEventSchema, AgentEvent_Type } from '../../protocol/gen/mesoscale/internal/agent_link_pb.js';
import { resourcesToProto } from '../../protocol/resources.js';
import type { Clock } from '../../lib/clock.js';
import { InvariantError } from '../../lib/errors.js';
import type { Resources } from '../../resources/index.js';
import type { AllocatorPort } from './allocator-port.js';
import type { Effect } from './effects.js';
import { masterStatus, schedulerEvents } from './events.js';
import { IdGenerator } from './ids.js';
import type { AgentRecord, FrameworkRecord, OfferRecord, TaskRecord, UnreachableAgent } from './model.js';
import { isTerminalState, stateForFramework } from './task-states.js';
import { hasCapability } from '../validation/framework-info.js';

export interface MasterCoreOptions {
  readonly masterInfo: MasterInfo;
  readonly clock: Clock;
  readonly allocator: AllocatorPort;
  /** Rescind offers older than this; undefined = never (Mesos' default). */
  readonly offerTimeoutMs: number | undefined;
  readonly agentPingTimeoutMs: number;
  readonly maxAgentPingTimeouts: number;
  readonly maxCompletedFrameworks: number;
  readonly maxCompletedTasksPerFramework: number;
  readonly allowedRoles: readonly string[] | undefined;
  readonly rootSubmissions: boolean;
}

export class MasterCoreBase {
  readonly options: MasterCoreOptions;
  readonly ids: IdGenerator;
  readonly frameworks = new Map<string, FrameworkRecord>();
  readonly completedFrameworks: FrameworkRecord[] = [];
  /** Ids of removed frameworks: re-subscribing with one is refused. */
  readonly removedFrameworkIds = new Set<string>();
  readonly agents = new Map<string, AgentRecord>();
  readonly unreachableAgents = new Map<string, UnreachableAgent>();
  readonly offers = new Map<string, OfferRecord>();
  readonly startTime: number;
  #outbox: Effect[] = [];

  constructor(options: MasterCoreOptions) {
    this.options = options;
    this.ids = new IdGenerator(options.masterInfo.id);
    this.startTime = options.clock.now();
  }

  get now(): number {
    return this.options.clock.now();
  }

  get masterInfo(): MasterInfo {
    return this.options.masterInfo;
  }

  get allocator(): AllocatorPort {
    return this.options.allocator;
  }

  /** Takes every effect decided since the last drain, in order. */
  drain(): Effect[] {
    const out = this.#outbox;
    this.#outbox = [];
    return out;
  }

  protected emit(effect: Effect): void {
    this.#outbox.push(effect);
  }

  protected toFramework(framework: FrameworkRecord, event: SchedulerEvent): void {
    if (framework.connected) this.emit({ kind: 'framework-event', frameworkId: framework.id, event });
  }

  protected partitionAware(framework: FrameworkRecord): boolean {
    return hasCapability(framework.info, FrameworkInfo_Capability_Type.PARTITION_AWARE);
  }

  // ------------------------------------------------------------ allocation

  /**
   * One allocation round: asks the allocator for decisions and turns them into
   * offers, one OFFERS event per framework. `full: false` only looks at what
   * changed since the last round (see AllocatorPort.allocate).
   */
  allocate(full = true): void {
    const byFramework = new Map<string, Offer[]>();
    for (const decision of this.allocator.allocate(full)) {
      const framework = this.frameworks.get(decision.frameworkId);
      const agent = this.agents.get(decision.agentId);
      if (framework === undefined || agent === undefined || !framework.active || !agent.active) {
        // The allocator raced a removal; give the resources back.
        this.allocator.recoverResources(decision.frameworkId, decision.agentId, decision.resources, undefined);
        continue;
      }
      const offer: OfferRecord = {
        id: this.ids.offerId(),
        frameworkId: framework.id,
        agentId: agent.id,
        role: decision.role,
        resources: decision.resources,
        createdAt: this.now,
      };
      this.offers.set(offer.id, offer);
      framework.offers.add(offer.id);
      agent.offers.add(offer.id);
      let list = byFramework.get(framework.id);
      if (list === undefined) byFramework.set(framework.id, (list = []));
      list.push(this.offerProto(offer, framework, agent));
    }
    for (const [frameworkId, offers] of byFramework) {
      this.toFramework(this.frameworks.get(frameworkId)!, schedulerEvents.offers(offers));
    }
  }

  offerProto(offer: OfferRecord, framework: FrameworkRecord, agent: AgentRecord): Offer {
    const url = new URL(agent.endpoint);
    return create(OfferSchema, {
      id: { value: offer.id },
      frameworkId: { value: framework.id },
      agentId: { value: agent.id },
      hostname: agent.info.hostname,
      url: {
        scheme: url.protocol.replace(':', ''),
        address: { hostname: agent.info.hostname, ip: url.hostname, port: Number(url.port || 80) },
        path: '/slave(1)',
      },
      resources: resourcesToProto(offer.resources),
      attributes: agent.info.attributes,
      executorIds: [...(framework.executors.get(agent.id)?.keys() ?? [])].map((value) => ({ value })),
      allocationInfo: { role: offer.role },
      ...(agent.info.domain !== undefined ? { domain: agent.info.domain } : {}),
    });
  }

  /**
   * Withdraws an offer: its resources go back to the allocator (no filter) and,
   * when `rescind`, the framework is told with RESCIND.
   */
  protected removeOffer(offerId: string, rescind: boolean): OfferRecord | undefined {
    const offer = this.offers.get(offerId);
    if (offer === undefined) return undefined;
    this.offers.delete(offerId);
    const framework = this.frameworks.get(offer.frameworkId);
    framework?.offers.delete(offerId);
    this.agents.get(offer.agentId)?.offers.delete(offerId);
    if (rescind && framework !== undefined) this.toFramework(framework, schedulerEvents.rescind(offerId));
    return offer;
  }

  protected rescindOffer(offerId: string): void {
    const offer = this.removeOffer(offerId, true);
    if (offer !== undefined) this.allocator.recoverResources(offer.frameworkId, offer.agentId, offer.resources, undefined);
  }

  // ------------------------------------------------------------ tasks

  protected addTask(
    framework: FrameworkRecord,
    agent: AgentRecord,
    info: TaskInfo,
    resources: Resources,
    role: string,
    executor: ExecutorInfo | undefined,
  ): TaskRecord {
    const task: TaskRecord = {
      frameworkId: framework.id,
      agentId: agent.id,
      info,
      executorId: executor?.executorId?.value ?? '',
      resources,
      role,
      state: TaskState.TASK_STAGING,
      statuses: [],
      statusUpdateState: undefined,
      statusUpdateUuid: undefined,
      resourcesRecovered: false,
    };
    const taskId = info.taskId!.value;
    framework.tasks.set(taskId, task);
    let ids = agent.tasks.get(framework.id);
    if (ids === undefined) agent.tasks.set(framework.id, (ids = new Set()));
    ids.add(taskId);
    if (executor !== undefined) {
      let executors = framework.executors.get(agent.id);
      if (executors === undefined) framework.executors.set(agent.id, (executors = new Map()));
      executors.set(executor.executorId!.value, executor);
    }
    return task;
  }

  /** Applies a new state to a task: history, resource release on terminal states. */
  protected updateTaskState(task: TaskRecord, status: TaskStatus): void {
    task.state = status.state;
    task.statuses.push(patch(TaskStatusSchema, status, { data: new Uint8Array(0) }));
    if (isTerminalState(status.state) && !task.resourcesRecovered) {
      task.resourcesRecovered = true;
      this.allocator.recoverResources(task.frameworkId, task.agentId, task.resources, undefined);
    }
  }

  /** Moves a task out of the live set (terminal and acknowledged, or its agent is gone). */
  protected removeTask(task: TaskRecord, completed: boolean): void {
    const framework = this.frameworks.get(task.frameworkId);
    const taskId = task.info.taskId!.value;
    if (!task.resourcesRecovered) {
      task.resourcesRecovered = true;
      this.allocator.recoverResources(task.frameworkId, task.agentId, task.resources, undefined);
    }
    if (framework !== undefined) {
      framework.tasks.delete(taskId);
      if (completed) {
        framework.completedTasks.push(task);
        const excess = framework.completedTasks.length - this.options.maxCompletedTasksPerFramework;
        if (excess > 0) framework.completedTasks.splice(0, excess);
      }
    }
    const agentTasks = this.agents.get(task.agentId)?.tasks.get(task.frameworkId);
    agentTasks?.delete(taskId);
  }

  /** Sends a master-generated update (no uuid) and applies it. */
  protected masterUpdate(
    framework: FrameworkRecord,
    task: TaskRecord,
    state: TaskState,
    reason: TaskStatus_Reason,
    message: string,
    extra: { unreachableTimeNs?: bigint } = {},
  ): void {
    const status = masterStatus(task.info.taskId!.value, state, reason, message, this.now, {
      agentId: task.agentId,
      ...(task.executorId !== '' ? { executorId: task.executorId } : {}),
      ...extra,
    });
    this.updateTaskState(task, status);
    this.sendUpdate(framework, task, status);
  }

  protected sendUpdate(framework: FrameworkRecord, task: TaskRecord | undefined, status: TaskStatus): void {
    const seen = stateForFramework(status.state, this.partitionAware(framework));
    const out = seen === status.state ? status : patch(TaskStatusSchema, status, { state: seen });
    if (task !== undefined) {
      task.statusUpdateState = out.state;
      task.statusUpdateUuid = out.uuid.length > 0 ? out.uuid : undefined;
    }
    this.toFramework(framework, schedulerEvents.update(out));
  }

  /** Ends a framework for good: offers, tasks, executors, stream. */
  protected removeFramework(framework: FrameworkRecord, reason: string): void {
    for (const offerId of [...framework.offers]) {
      const offer = this.removeOffer(offerId, false);
      if (offer !== undefined) this.allocator.recoverResources(offer.frameworkId, offer.agentId, offer.resources, undefined);
    }
    for (const task of [...framework.tasks.values()]) {
      if (!isTerminalState(task.state)) {
        const status = masterStatus(task.info.taskId!.value, TaskState.TASK_KILLED, TaskStatus_Reason.FRAMEWORK_REMOVED, reason, this.now, {
          agentId: task.agentId,
        });
        this.updateTaskState(task, status);
      }
      this.removeTask(task, true);
    }
    framework.unreachableTasks.clear();
    for (const agentId of new Set([...framework.executors.keys(), ...this.agentsRunning(framework.id)])) {
      const agent = this.agents.get(agentId);
      if (agent !== undefined) {
        this.emit({
          kind: 'agent-event',
          agentId,
          event: agentEventShutdownFramework(framework.id),
        });
        agent.tasks.delete(framework.id);
      }
    }
    if (framework.streamId !== undefined) {
      this.emit({ kind: 'framework-close', frameworkId: framework.id, streamId: framework.streamId });
    }
    framework.connected = false;
    framework.active = false;
    framework.streamId = undefined;
    framework.unregisteredTime = this.now;
    this.allocator.removeFramework(framework.id);
    this.frameworks.delete(framework.id);
    this.removedFrameworkIds.add(framework.id);
    this.completedFrameworks.push(framework);
    const excess = this.completedFrameworks.length - this.options.maxCompletedFrameworks;
    if (excess > 0) this.completedFrameworks.splice(0, excess);
  }

  protected agentsRunning(frameworkId: string): string[] {
    const out: string[] = [];
    for (const agent of this.agents.values()) if (agent.tasks.has(frameworkId)) out.push(agent.id);
    return out;
  }

  protected requireFramework(frameworkId: string): FrameworkRecord {
    const framework = this.frameworks.get(frameworkId);
    if (framework === undefined) throw new InvariantError(`framework ${frameworkId} is not known to the master core`);
    return framework;
  }

  protected frameworkInfoFor(frameworkId: string): FrameworkInfo | undefined {
    return this.frameworks.get(frameworkId)?.info;
  }
}

function agentEventShutdownFramework(frameworkId: string) {
  return create(AgentEventSchema, {
    type: AgentEvent_Type.SHUTDOWN_FRAMEWORK,
    shutdownFramework: { frameworkId: { value: frameworkId } },
  });
}
