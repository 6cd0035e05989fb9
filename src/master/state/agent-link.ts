/**
 * The agent side of the master core: registration, re-registration, health
 * (pings), status updates and executor exits, and the time-driven work
 * (offer timeouts, framework failover, unreachable agents). The protocol is
 * docs/agent-protocol.md.
 *
 * Agent health: every agent_ping_timeout the master sends PING on the agent's
 * stream; a PONG clears the miss counter. max_agent_ping_timeouts misses in a
 * row (or a stream that stays gone that long) make the agent unreachable: it
 * is removed and its tasks become TASK_UNREACHABLE (TASK_LOST for frameworks
 * that are not partition-aware).
 */
import { create } from '@bufbuild/protobuf';
import { AgentInfoSchema, TaskInfoSchema, TaskState, TaskStatusSchema, TaskStatus_Reason, type FrameworkInfo } from '../../protocol/gen/mesos/v1/mesos_pb.js';
import { patch } from '../../protocol/patch.js';
import {
  AgentEventSchema,
  AgentEvent_Type,
  type AgentCall_ExecutorExited,
  type AgentCall_FrameworkMessage,
  type AgentCall_Register,
  type AgentCall_Reregister,
  type StatusUpdate,
} from '../../protocol/gen/mesoscale/internal/agent_link_pb.js';
import { resourcesFromProto } from '../../protocol/resources.js';
import { errorMessage } from '../../lib/errors.js';
import { Resources } from '../../resources/index.js';
import { schedulerEvents } from './events.js';
import { FrameworkCalls } from './framework-calls.js';
import type { AgentRecord, FrameworkRecord, TaskRecord } from './model.js';
import { isTerminalState } from './task-states.js';
import { frameworkRoles } from '../validation/framework-info.js';

export type AgentLinkResult = { readonly agentId: string } | { readonly status: 400 | 403; readonly error: string };

export class MasterCore extends FrameworkCalls {
  // ------------------------------------------------------------ registration

  registerAgent(register: AgentCall_Register, streamId: string): AgentLinkResult {
    let total: Resources;
    try {
      total = resourcesFromProto(register.agentInfo!.resources);
    } catch (err) {
      return { status: 400, error: `Invalid agent resources: ${errorMessage(err)}` };
    }
    const id = this.ids.agentId();
    const agent = this.newAgentRecord(id, register.agentInfo!, register.endpoint, register.version, total, streamId);
    this.agents.set(id, agent);
    this.allocator.addAgent(id, agent.info.hostname, total, [], new Map());
    this.sendRegistered(agent);
    return { agentId: id };
  }

  /**
   * An agent that already has an id reconnects (network blip, agent restart,
   * master restart, or it was marked unreachable meanwhile).
   */
  reregisterAgent(agentId: string, reregister: AgentCall_Reregister, streamId: string): AgentLinkResult {
    let total: Resources;
    try {
      total = resourcesFromProto(reregister.agentInfo!.resources);
    } catch (err) {
      return { status: 400, error: `Invalid agent resources: ${errorMessage(err)}` };
    }
    let agent = this.agents.get(agentId);
    if (agent !== undefined) {
      if (agent.streamId !== undefined && agent.streamId !== streamId) {
        this.emit({ kind: 'agent-close', agentId, streamId: agent.streamId });
      }
      for (const offerId of [...agent.offers]) this.rescindOffer(offerId);
      agent.streamId = streamId;
      agent.connected = true;
      agent.endpoint = reregister.endpoint;
      agent.reregisteredTime = this.now;
      agent.missedPings = 0;
      agent.pongSinceLastPing = true;
      agent.lastPingAt = this.now;
      if (!agent.active) {
        agent.active = true;
        this.allocator.activateAgent(agentId);
      }
    } else {
      this.unreachableAgents.delete(agentId);
      agent = this.newAgentRecord(agentId, reregister.agentInfo!, reregister.endpoint, reregister.version, total, streamId);
      agent.reregisteredTime = this.now;
      this.agents.set(agentId, agent);
      const used = this.adoptReportedTasks(agent, reregister.frameworks, reregister.tasks);
      this.allocator.addAgent(agentId, agent.info.hostname, total, [], used);
    }
    this.sendRegistered(agent);
    return { agentId };
  }

  private newAgentRecord(
    id: string,
    info: AgentRecord['info'],
    endpoint: string,
    version: string,
    total: Resources,
    streamId: string,
  ): AgentRecord {
    return {
      id,
      info: patch(AgentInfoSchema, info, { id: { value: id } }),
      endpoint,
      version,
      total,
      attributes: [],
      streamId,
      connected: true,
      active: true,
      registeredTime: this.now,
      reregisteredTime: undefined,
      lastPingAt: this.now,
      pongSinceLastPing: true,
      missedPings: 0,
      offers: new Set(),
      tasks: new Map(),
    };
  }

  private sendRegistered(agent: AgentRecord): void {
    this.emit({
      kind: 'agent-event',
      agentId: agent.id,
      event: create(AgentEventSchema, {
        type: AgentEvent_Type.REGISTERED,
        registered: {
          agentId: { value: agent.id },
          masterInfo: this.masterInfo,
          pingIntervalSeconds: this.options.agentPingTimeoutMs / 1000,
        },
      }),
    });
  }

  /**
   * Takes over the tasks a re-registering agent reports (after a master restart
   * or an unreachable period). Frameworks the master does not know are kept as
   * disconnected until they re-subscribe or their failover timeout passes.
   */
  private adoptReportedTasks(
    agent: AgentRecord,
    frameworks: readonly FrameworkInfo[],
    tasks: AgentCall_Reregister['tasks'],
  ): Map<string, Resources> {
    for (const info of frameworks) {
      const id = info.id?.value;
      if (id === undefined || this.frameworks.has(id) || this.removedFrameworkIds.has(id)) continue;
      const roles = frameworkRoles(info);
      this.frameworks.set(id, {
        id,
        info,
        roles,
        streamId: undefined,
        connected: false,
        active: false,
        registeredTime: this.now,
        reregisteredTime: undefined,
        unregisteredTime: this.now,
        failoverDeadline: this.now + info.failoverTimeout * 1000,
        offers: new Set(),
        tasks: new Map(),
        unreachableTasks: new Map(),
        completedTasks: [],
        executors: new Map(),
      });
      this.allocator.addFramework(id, roles, [], false);
    }
    const used = new Map<string, Resources>();
    for (const reported of tasks) {
      const frameworkId = reported.frameworkId!.value;
      const framework = this.frameworks.get(frameworkId);
      if (framework === undefined) continue;
      const taskId = reported.taskId!.value;
      framework.unreachableTasks.delete(taskId);
      const resources = resourcesFromProto(reported.resources);
      const role = resources.toArray()[0]?.allocationRole ?? framework.roles[0] ?? '*';
      const info = create(TaskInfoSchema, {
        name: reported.name,
        taskId: reported.taskId,
        agentId: { value: agent.id },
        resources: reported.resources,
      });
      const task = this.addTask(framework, agent, info, resources, role, undefined);
      task.state = reported.state;
      task.statuses.push(...reported.statuses);
      if (isTerminalState(reported.state)) {
        task.resourcesRecovered = true;
      } else {
        used.set(frameworkId, (used.get(frameworkId) ?? Resources.EMPTY).add(resources));
      }
      const latest = reported.statuses.at(-1);
      if (latest !== undefined) this.sendUpdate(framework, task, latest);
    }
    return used;
  }

  /** Mesos-Stream-Id and agent id checks for every call after (RE)REGISTER. */
  checkAgentCall(agentId: string | undefined, streamId: string | undefined): AgentRecord | { status: 400 | 403; error: string } {
    const agent = agentId === undefined ? undefined : this.agents.get(agentId);
    if (agent === undefined) return { status: 403, error: `Agent ${agentId ?? '(no id)'} is not registered; register again` };
    if (streamId === undefined || streamId !== agent.streamId) {
      return { status: 400, error: `Stream ${streamId ?? '(none)'} is not the current stream of agent ${agent.id}; re-register` };
    }
    return agent;
  }

  /** The agent's link stream ended: stop offering it; pings decide when it is unreachable. */
  agentStreamClosed(agentId: string, streamId: string): void {
    const agent = this.agents.get(agentId);
    if (agent === undefined || agent.streamId !== streamId) return;
    agent.connected = false;
    agent.streamId = undefined;
    if (agent.active) {
      agent.active = false;
      this.allocator.deactivateAgent(agentId);
    }
    for (const offerId of [...agent.offers]) this.rescindOffer(offerId);
    // Tasks of frameworks that do not checkpoint cannot survive an agent restart.
    for (const [frameworkId, taskIds] of agent.tasks) {
      const framework = this.frameworks.get(frameworkId);
      if (framework === undefined || framework.info.checkpoint) continue;
      for (const taskId of [...taskIds]) {
        const task = framework.tasks.get(taskId);
        if (task === undefined || isTerminalState(task.state)) continue;
        this.masterUpdate(framework, task, TaskState.TASK_LOST, TaskStatus_Reason.AGENT_DISCONNECTED, 'Agent disconnected');
        this.removeTask(task, true);
      }
    }
  }

  pong(agent: AgentRecord): void {
    agent.pongSinceLastPing = true;
    agent.missedPings = 0;
  }

  // ------------------------------------------------------------ updates from agents

  statusUpdate(agent: AgentRecord, update: StatusUpdate): void {
    const framework = this.frameworks.get(update.frameworkId!.value);
    if (framework === undefined) return; // The agent keeps retrying until a framework acknowledges.
    const status = update.status!;
    const task = framework.tasks.get(status.taskId!.value);
    if (task !== undefined && task.agentId === agent.id) {
      task.statuses.push(patch(TaskStatusSchema, status, { data: new Uint8Array(0) }));
      // The master follows the agent's latest state even before acknowledgements.
      const latest = update.latestState ?? status.state;
      task.state = latest;
      if (isTerminalState(latest) && !task.resourcesRecovered) {
        task.resourcesRecovered = true;
        this.allocator.recoverResources(task.frameworkId, task.agentId, task.resources, undefined);
      }
    }
    this.sendUpdate(framework, task, status);
  }

  executorExited(agent: AgentRecord, exited: AgentCall_ExecutorExited): void {
    const frameworkId = exited.frameworkId!.value;
    const executorId = exited.executorId!.value;
    const framework = this.frameworks.get(frameworkId);
    framework?.executors.get(agent.id)?.delete(executorId);
    const key = `${frameworkId}/${agent.id}/${executorId}`;
    const resources = this.executorResources.get(key);
    if (resources !== undefined) {
      this.executorResources.delete(key);
      this.allocator.recoverResources(frameworkId, agent.id, resources, undefined);
    }
    if (framework !== undefined) this.toFramework(framework, schedulerEvents.failure(agent.id, executorId, exited.status));
  }

  frameworkMessage(agent: AgentRecord, message: AgentCall_FrameworkMessage): void {
    const framework = this.frameworks.get(message.frameworkId!.value);
    if (framework !== undefined) {
      this.toFramework(framework, schedulerEvents.message(agent.id, message.executorId!.value, message.data));
    }
  }

  // ------------------------------------------------------------ time

  /** Time-driven transitions; master.ts calls this on a timer. */
  tick(): void {
    const now = this.now;
    if (this.options.offerTimeoutMs !== undefined) {
      for (const offer of [...this.offers.values()]) {
        if (now - offer.createdAt >= this.options.offerTimeoutMs) this.rescindOffer(offer.id);
      }
    }
    for (const framework of [...this.frameworks.values()]) {
      if (!framework.connected && framework.failoverDeadline !== undefined && now >= framework.failoverDeadline) {
        this.removeFramework(framework, 'Framework failover timeout');
      }
    }
    for (const agent of [...this.agents.values()]) {
      if (now - agent.lastPingAt < this.options.agentPingTimeoutMs) continue;
      if (!agent.pongSinceLastPing) agent.missedPings++;
      if (agent.missedPings >= this.options.maxAgentPingTimeouts) {
        this.markUnreachable(agent);
        continue;
      }
      agent.lastPingAt = now;
      agent.pongSinceLastPing = false;
      if (agent.connected) {
        this.emit({ kind: 'agent-event', agentId: agent.id, event: create(AgentEventSchema, { type: AgentEvent_Type.PING }) });
      }
    }
  }

  private markUnreachable(agent: AgentRecord): void {
    const now = this.now;
    for (const offerId of [...agent.offers]) this.rescindOffer(offerId);
    if (agent.streamId !== undefined) this.emit({ kind: 'agent-close', agentId: agent.id, streamId: agent.streamId });
    const unreachableTimeNs = BigInt(now) * 1_000_000n;
    const affected = new Set<FrameworkRecord>();
    for (const [frameworkId, taskIds] of agent.tasks) {
      const framework = this.frameworks.get(frameworkId);
      if (framework === undefined) continue;
      affected.add(framework);
      for (const taskId of [...taskIds]) {
        const task = framework.tasks.get(taskId);
        if (task === undefined) continue;
        this.unreachableTask(framework, task, unreachableTimeNs);
      }
      framework.executors.delete(agent.id);
    }
    for (const key of [...this.executorResources.keys()]) {
      if (key.split('/')[1] === agent.id) this.executorResources.delete(key);
    }
    this.allocator.removeAgent(agent.id);
    this.agents.delete(agent.id);
    this.unreachableAgents.set(agent.id, { id: agent.id, info: agent.info, since: now });
    for (const framework of affected) this.toFramework(framework, schedulerEvents.failure(agent.id));
  }

  private unreachableTask(framework: FrameworkRecord, task: TaskRecord, unreachableTimeNs: bigint): void {
    // The allocator forgets the agent entirely, so nothing is recovered here.
    task.resourcesRecovered = true;
    if (isTerminalState(task.state)) {
      this.removeTask(task, true);
      return;
    }
    this.masterUpdate(framework, task, TaskState.TASK_UNREACHABLE, TaskStatus_Reason.AGENT_REMOVED, 'Agent is unreachable', {
      unreachableTimeNs,
    });
    this.removeTask(task, false);
    if (this.partitionAware(framework)) framework.unreachableTasks.set(task.info.taskId!.value, task);
    else framework.completedTasks.push(task);
  }
}
