/**
 * The master's in-memory picture of the cluster. Plain data: the transitions
 * in master-core.ts change it, the HTTP edges read it.
 *
 *   Framework 1──* Offer *──1 Agent
 *       1                      1
 *       └──────* Task *────────┘   (a task runs on one agent for one framework)
 */
import type {
  AgentInfo,
  ExecutorInfo,
  FrameworkInfo,
  Task as TaskProto,
  TaskInfo,
  TaskState,
  TaskStatus,
} from '../../protocol/gen/mesos/v1/mesos_pb.js';
import type { Resources, Attribute } from '../../resources/index.js';

export interface FrameworkRecord {
  readonly id: string;
  info: FrameworkInfo;
  roles: string[];
  /** Stream id of the current subscription; undefined while disconnected. */
  streamId: string | undefined;
  connected: boolean;
  /** Active = connected and not deactivated; only active frameworks get offers. */
  active: boolean;
  registeredTime: number;
  reregisteredTime: number | undefined;
  unregisteredTime: number | undefined;
  /** When a disconnected framework is removed (failover_timeout), ms epoch. */
  failoverDeadline: number | undefined;
  readonly offers: Set<string>;
  /** Live and terminal-but-unacknowledged tasks by task id. */
  readonly tasks: Map<string, TaskRecord>;
  /** Tasks whose agent is unreachable, by task id. */
  readonly unreachableTasks: Map<string, TaskRecord>;
  readonly completedTasks: TaskRecord[];
  /** Executors by agent id → executor id. */
  readonly executors: Map<string, Map<string, ExecutorInfo>>;
}

export interface AgentRecord {
  readonly id: string;
  info: AgentInfo;
  /** Base URL of the agent's HTTP server. */
  endpoint: string;
  version: string;
  total: Resources;
  attributes: Attribute[];
  streamId: string | undefined;
  connected: boolean;
  active: boolean;
  registeredTime: number;
  reregisteredTime: number | undefined;
  /** Ping bookkeeping (see MasterCore.tick). */
  lastPingAt: number;
  pongSinceLastPing: boolean;
  missedPings: number;
  readonly offers: Set<string>;
  /** Task ids on this agent, framework id → task ids. */
  readonly tasks: Map<string, Set<string>>;
}

export interface OfferRecord {
  readonly id: string;
  readonly frameworkId: string;
  readonly agentId: string;
  readonly role: string;
  readonly resources: Resources;
  readonly createdAt: number;
}

export interface TaskRecord {
  readonly frameworkId: string;
  readonly agentId: string;
  readonly info: TaskInfo;
  /** Executor id (empty for command tasks, whose executor the agent makes). */
  readonly executorId: string;
  readonly resources: Resources;
  readonly role: string;
  /** Latest state the master knows (may be ahead of what the scheduler has seen). */
  state: TaskState;
  /** Status history (data stripped), oldest first. */
  readonly statuses: TaskStatus[];
  /** State and uuid of the latest update forwarded to the scheduler. */
  statusUpdateState: TaskState | undefined;
  statusUpdateUuid: Uint8Array | undefined;
  /** Whether the task's resources were already returned to the allocator. */
  resourcesRecovered: boolean;
  /** Tasks reported by the agent on re-registration carry their proto form. */
  readonly reported?: TaskProto;
}

export interface UnreachableAgent {
  readonly id: string;
  readonly info: AgentInfo;
  readonly since: number;
}
