/**
 * The master's legacy JSON views: /state, /frameworks, /slaves, /tasks, /roles,
 * /state-summary (shared/reference/mesos-http-api.md 7.1, 7.2). Read-only
 * projections of the master core.
 */
import { TaskState, FrameworkInfo_Capability_Type, MasterInfo_Capability_Type } from '../../protocol/gen/mesos/v1/mesos_pb.js';
import { AttributeSchema, MasterInfoSchema } from '../../protocol/gen/mesos/v1/mesos_pb.js';
import { toMesosJson } from '../../protocol/codec/json.js';
import { legacyResources, legacyStatus } from '../../protocol/legacy-json.js';
import { Resources } from '../../resources/index.js';
import { VERSION, MESOS_COMPATIBLE_VERSION } from '../../version.js';
import type { MasterCore } from '../state/agent-link.js';
import type { AgentRecord, FrameworkRecord, OfferRecord, TaskRecord } from '../state/model.js';

export interface StateViewContext {
  readonly core: MasterCore;
  readonly flags: Record<string, string>;
  pid: string;
  readonly hostname: string;
  readonly cluster: string | undefined;
}

const seconds = (ms: number | undefined): number | undefined => (ms === undefined ? undefined : ms / 1000);

export function versionJson(): Record<string, unknown> {
  return { version: MESOS_COMPATIBLE_VERSION, mesoscale_version: VERSION, build_date: '', build_time: 0, build_user: 'mesoscale' };
}

function attributesJson(agent: AgentRecord): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const a of agent.info.attributes) {
    const json = toMesosJson(AttributeSchema, a) as { scalar?: { value: number }; text?: { value: string }; ranges?: { range: { begin: number; end: number }[] } };
    if (json.scalar !== undefined) out[a.name] = json.scalar.value;
    else if (json.text !== undefined) out[a.name] = json.text.value;
    else if (json.ranges !== undefined) out[a.name] = `[${json.ranges.range.map((r) => `${r.begin}-${r.end}`).join(', ')}]`;
  }
  return out;
}

function agentUsed(core: MasterCore, agent: AgentRecord): Resources {
  let used = Resources.EMPTY;
  for (const [frameworkId, taskIds] of agent.tasks) {
    const framework = core.frameworks.get(frameworkId);
    for (const taskId of taskIds) {
      const task = framework?.tasks.get(taskId);
      if (task !== undefined && !task.resourcesRecovered) used = used.add(task.resources);
    }
  }
  return used;
}

function agentOffered(core: MasterCore, agent: AgentRecord): Resources {
  let offered = Resources.EMPTY;
  for (const id of agent.offers) offered = offered.add(core.offers.get(id)?.resources ?? Resources.EMPTY);
  return offered;
}

export function slaveJson(core: MasterCore, agent: AgentRecord): Record<string, unknown> {
  const url = new URL(agent.endpoint);
  return {
    id: agent.id,
    hostname: agent.info.hostname,
    port: Number(url.port),
    attributes: attributesJson(agent),
    pid: `slave(1)@${url.hostname}:${url.port}`,
    registered_time: seconds(agent.registeredTime),
    ...(agent.reregisteredTime !== undefined ? { reregistered_time: seconds(agent.reregisteredTime) } : {}),
    resources: legacyResources(agent.total),
    used_resources: legacyResources(agentUsed(core, agent)),
    offered_resources: legacyResources(agentOffered(core, agent)),
    reserved_resources: {},
    unreserved_resources: legacyResources(agent.total.unreserved()),
    active: agent.active,
    deactivated: false,
    version: agent.version,
    capabilities: ['MULTI_ROLE', 'HIERARCHICAL_ROLE'],
  };
}

export function taskJson(task: TaskRecord): Record<string, unknown> {
  const info = task.info;
  return {
    id: info.taskId?.value,
    name: info.name,
    framework_id: task.frameworkId,
    executor_id: task.executorId,
    slave_id: task.agentId,
    state: TaskState[task.state],
    resources: legacyResources(task.resources),
    role: task.role,
    statuses: task.statuses.map(legacyStatus),
    ...(info.labels !== undefined ? { labels: info.labels.labels.map((l) => ({ key: l.key, value: l.value })) } : {}),
  };
}

function offerJson(offer: OfferRecord): Record<string, unknown> {
  return {
    id: offer.id,
    framework_id: offer.frameworkId,
    slave_id: offer.agentId,
    allocation_info: { role: offer.role },
    resources: legacyResources(offer.resources),
  };
}

export function frameworkJson(core: MasterCore, framework: FrameworkRecord): Record<string, unknown> {
  const info = framework.info;
  let used = Resources.EMPTY;
  for (const task of framework.tasks.values()) if (!task.resourcesRecovered) used = used.add(task.resources);
  let offered = Resources.EMPTY;
  const offers = [...framework.offers].map((id) => core.offers.get(id)).filter((o): o is OfferRecord => o !== undefined);
  for (const offer of offers) offered = offered.add(offer.resources);
  const multiRole = info.capabilities.some((c) => c.type === FrameworkInfo_Capability_Type.MULTI_ROLE);
  const executors: Record<string, unknown>[] = [];
  for (const [agentId, byId] of framework.executors) {
    for (const executor of byId.values()) {
      executors.push({
        executor_id: executor.executorId?.value,
        name: executor.name,
        framework_id: framework.id,
        resources: legacyResources(Resources.EMPTY),
        slave_id: agentId,
      });
    }
  }
  return {
    id: framework.id,
    name: info.name,
    user: info.user,
    hostname: info.hostname,
    webui_url: info.webuiUrl,
    failover_timeout: info.failoverTimeout,
    checkpoint: info.checkpoint,
    ...(info.principal !== '' ? { principal: info.principal } : {}),
    capabilities: info.capabilities.map((c) => FrameworkInfo_Capability_Type[c.type]),
    ...(multiRole ? { roles: framework.roles } : { role: framework.roles[0] ?? '*' }),
    active: framework.active,
    connected: framework.connected,
    recovered: false,
    registered_time: seconds(framework.registeredTime),
    ...(framework.reregisteredTime !== undefined ? { reregistered_time: seconds(framework.reregisteredTime) } : {}),
    unregistered_time: seconds(framework.unregisteredTime) ?? 0,
    used_resources: legacyResources(used),
    offered_resources: legacyResources(offered),
    resources: legacyResources(used.add(offered)),
    tasks: [...framework.tasks.values()].map(taskJson),
    unreachable_tasks: [...framework.unreachableTasks.values()].map(taskJson),
    completed_tasks: framework.completedTasks.map(taskJson),
    offers: offers.map(offerJson),
    executors,
    ...(info.labels !== undefined ? { labels: info.labels.labels.map((l) => ({ key: l.key, value: l.value })) } : {}),
  };
}

export function stateJson(ctx: StateViewContext): Record<string, unknown> {
  const { core } = ctx;
  const master = core.masterInfo;
  const agents = [...core.agents.values()];
  return {
    ...versionJson(),
    start_time: seconds(core.startTime),
    elected_time: seconds(core.startTime),
    id: master.id,
    pid: ctx.pid,
    hostname: ctx.hostname,
    capabilities: master.capabilities.map((c) => MasterInfo_Capability_Type[c.type]),
    activated_slaves: agents.filter((a) => a.active).length,
    deactivated_slaves: agents.filter((a) => !a.active).length,
    unreachable_slaves: core.unreachableAgents.size,
    leader: ctx.pid,
    leader_info: toMesosJson(MasterInfoSchema, master),
    ...(ctx.cluster !== undefined ? { cluster: ctx.cluster } : {}),
    flags: ctx.flags,
    slaves: agents.map((a) => slaveJson(core, a)),
    recovered_slaves: [],
    frameworks: [...core.frameworks.values()].map((f) => frameworkJson(core, f)),
    completed_frameworks: core.completedFrameworks.map((f) => frameworkJson(core, f)),
    orphan_tasks: [],
    unregistered_frameworks: [],
  };
}

/** `/tasks`: query limit (100), offset, order (des), framework_id, task_id. */
export function tasksJson(core: MasterCore, query: Record<string, string | undefined>): Record<string, unknown> {
  const limit = Math.max(0, Number(query.limit ?? 100) || 0);
  const offset = Math.max(0, Number(query.offset ?? 0) || 0);
  let tasks: TaskRecord[] = [];
  for (const framework of [...core.frameworks.values(), ...core.completedFrameworks]) {
    if (query.framework_id !== undefined && framework.id !== query.framework_id) continue;
    tasks.push(...framework.tasks.values(), ...framework.unreachableTasks.values(), ...framework.completedTasks);
  }
  if (query.task_id !== undefined) tasks = tasks.filter((t) => t.info.taskId?.value === query.task_id);
  const startOf = (t: TaskRecord) => t.statuses[0]?.timestamp ?? 0;
  tasks.sort((a, b) => (query.order === 'asc' ? startOf(a) - startOf(b) : startOf(b) - startOf(a)));
  return { tasks: tasks.slice(offset, offset + limit).map(taskJson) };
}

export function rolesJson(core: MasterCore): Record<string, unknown> {
  const roles = new Map<string, { frameworks: string[]; allocated: Resources }>();
  for (const framework of core.frameworks.values()) {
    for (const role of framework.roles) {
      const entry = roles.get(role) ?? { frameworks: [], allocated: Resources.EMPTY };
      entry.frameworks.push(framework.id);
      roles.set(role, entry);
    }
    for (const task of framework.tasks.values()) {
      const entry = roles.get(task.role);
      if (entry !== undefined && !task.resourcesRecovered) entry.allocated = entry.allocated.add(task.resources);
    }
  }
  return {
    roles: [...roles].map(([name, e]) => ({
      name,
      weight: 1,
      frameworks: e.frameworks,
      resources: legacyResources(e.allocated),
      allocated: legacyResources(e.allocated),
      offered: legacyResources(Resources.EMPTY),
      reserved: legacyResources(Resources.EMPTY),
    })),
  };
}
