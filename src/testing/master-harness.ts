/**
 * An in-process master core with the real allocator, a manual clock and
 * simulated agents: for unit tests and benchmarks of the master's transitions
 * without sockets (the Nomad "harness is the planner" habit).
 */
import { create } from '@bufbuild/protobuf';
import {
  AgentInfoSchema,
  MasterInfoSchema,
  TaskState,
  type Offer,
  type TaskStatus,
} from '../protocol/gen/mesos/v1/mesos_pb.js';
import { CallSchema, Call_Type, Event_Type, type Call, type Event } from '../protocol/gen/mesos/v1/scheduler/scheduler_pb.js';
import { AgentEvent_Type, StatusUpdateSchema, type AgentEvent } from '../protocol/gen/mesoscale/internal/agent_link_pb.js';
import { ManualClock } from '../lib/clock.js';
import { SeededRng } from '../lib/rng.js';
import { silentLogger } from '../lib/logger.js';
import { randomUuidBytes } from '../lib/uuid.js';
import { parseResources } from '../resources/index.js';
import { resourcesToProto } from '../protocol/resources.js';
import { createAllocator } from '../master/allocator/index.js';
import { allocatorPort } from '../master/allocator-port-adapter.js';
import { MasterCore } from '../master/state/agent-link.js';
import type { MasterCoreOptions } from '../master/state/master-core.js';

export class MasterHarness {
  readonly clock = new ManualClock();
  readonly core: MasterCore;
  /** Every event each framework received, in order. */
  readonly frameworkEvents = new Map<string, Event[]>();
  readonly agentEvents = new Map<string, AgentEvent[]>();
  readonly closedFrameworkStreams: string[] = [];
  #streams = 0;

  constructor(options: Partial<MasterCoreOptions> = {}) {
    const allocator = createAllocator({ clock: this.clock, rng: new SeededRng(7), allocationIntervalMs: 1000 });
    this.core = new MasterCore({
      masterInfo: create(MasterInfoSchema, { id: 'M', ip: 0, port: 5050 }),
      clock: this.clock,
      allocator: allocatorPort(allocator, silentLogger),
      offerTimeoutMs: undefined,
      agentPingTimeoutMs: 15_000,
      maxAgentPingTimeouts: 5,
      maxCompletedFrameworks: 50,
      maxCompletedTasksPerFramework: 1000,
      allowedRoles: undefined,
      rootSubmissions: true,
      ...options,
    });
  }

  /** Drains the core's effects into the recorded per-framework and per-agent logs. */
  flush(): void {
    for (const effect of this.core.drain()) {
      if (effect.kind === 'framework-event') push(this.frameworkEvents, effect.frameworkId, effect.event);
      else if (effect.kind === 'agent-event') push(this.agentEvents, effect.agentId, effect.event);
      else if (effect.kind === 'framework-close') {
        if (effect.finalEvent !== undefined) push(this.frameworkEvents, effect.frameworkId, effect.finalEvent);
        this.closedFrameworkStreams.push(effect.streamId);
      }
    }
  }

  addAgent(resources = 'cpus:4;mem:4096;disk:10000;ports:[31000-32000]', hostname = 'host'): string {
    const info = create(AgentInfoSchema, { hostname, resources: resourcesToProto(parseResources(resources)) });
    const result = this.core.registerAgent({ agentInfo: info, version: 'test', endpoint: 'http://127.0.0.1:5051' } as never, `agent-stream-${this.#streams++}`);
    if (!('agentId' in result)) throw new Error(result.error);
    this.flush();
    return result.agentId;
  }

  subscribe(frameworkInfo: Record<string, unknown> = {}): { frameworkId: string; streamId: string } {
    const streamId = `fw-stream-${this.#streams++}`;
    const call = create(CallSchema, {
      type: Call_Type.SUBSCRIBE,
      subscribe: { frameworkInfo: { user: 'u', name: 'fw', ...frameworkInfo } },
      ...(typeof frameworkInfo.id === 'object' ? { frameworkId: frameworkInfo.id as never } : {}),
    } as never) as Call;
    const result = this.core.subscribe(call, streamId);
    if ('error' in result) throw new Error(result.error);
    this.flush();
    return { frameworkId: result.frameworkId, streamId };
  }

  allocate(): void {
    this.core.allocate();
    this.flush();
  }

  events(frameworkId: string, type?: Event_Type): Event[] {
    const all = this.frameworkEvents.get(frameworkId) ?? [];
    return type === undefined ? all : all.filter((e) => e.type === type);
  }

  offers(frameworkId: string): Offer[] {
    return this.events(frameworkId, Event_Type.OFFERS).flatMap((e) => e.offers!.offers);
  }

  updates(frameworkId: string): TaskStatus[] {
    return this.events(frameworkId, Event_Type.UPDATE).map((e) => e.update!.status!);
  }

  agentEventsOf(agentId: string, type: AgentEvent_Type): AgentEvent[] {
    return (this.agentEvents.get(agentId) ?? []).filter((e) => e.type === type);
  }

  /** The agent reports a status update for a task (as its status update manager would). */
  agentUpdate(agentId: string, frameworkId: string, taskId: string, state: TaskState): TaskStatus {
    const agent = this.core.agents.get(agentId)!;
    const status = { taskId: { value: taskId }, state, uuid: randomUuidBytes(), agentId: { value: agentId }, source: 1, timestamp: this.clock.now() / 1000 };
    const update = create(StatusUpdateSchema, { frameworkId: { value: frameworkId }, status, latestState: state } as never);
    this.core.statusUpdate(agent, update);
    this.flush();
    return update.status!;
  }
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  let list = map.get(key);
  if (list === undefined) map.set(key, (list = []));
  list.push(value);
}
