/**
 * `POST /api/v1`: the master operator API (read calls and TEARDOWN so far).
 * Calls we do not implement yet answer 501 naming the call, never a silent 200.
 */
import { create } from '@bufbuild/protobuf';
import type { FastifyInstance } from 'fastify';
import { CallSchema, Call_Type, ResponseSchema, Response_Type, type Response } from '../../protocol/gen/mesos/v1/master/master_pb.js';
import { TaskSchema, type Task } from '../../protocol/gen/mesos/v1/mesos_pb.js';
import { decodeMessage, encodeMessage, requestMediaType, responseMediaType } from '../../protocol/codec/media.js';
import { MesoscaleError } from '../../lib/errors.js';
import { rawBody } from '../../http/server.js';
import { resourcesToProto } from '../../protocol/resources.js';
import { MESOS_COMPATIBLE_VERSION } from '../../version.js';
import type { TaskRecord } from '../state/model.js';
import type { StateViewContext } from './state-json.js';

class OperatorCallError extends MesoscaleError {
  constructor(status: number, message: string) {
    super('OPERATOR_CALL_REJECTED', message, { httpStatus: status });
  }
}

function taskProto(task: TaskRecord): Task {
  return create(TaskSchema, {
    name: task.info.name,
    taskId: task.info.taskId,
    frameworkId: { value: task.frameworkId },
    ...(task.executorId !== '' ? { executorId: { value: task.executorId } } : {}),
    agentId: { value: task.agentId },
    state: task.state,
    resources: resourcesToProto(task.resources),
    statuses: task.statuses,
    ...(task.statusUpdateState !== undefined ? { statusUpdateState: task.statusUpdateState } : {}),
    ...(task.info.labels !== undefined ? { labels: task.info.labels } : {}),
  });
}

export function registerOperatorApi(app: FastifyInstance, view: StateViewContext, flush: () => void): void {
  const { core } = view;
  const getTasks = () => {
    const frameworks = [...core.frameworks.values()];
    return {
      tasks: frameworks.flatMap((f) => [...f.tasks.values()].map(taskProto)),
      unreachableTasks: frameworks.flatMap((f) => [...f.unreachableTasks.values()].map(taskProto)),
      completedTasks: [...frameworks, ...core.completedFrameworks].flatMap((f) => f.completedTasks.map(taskProto)),
    };
  };
  const frameworkEntry = (f: (typeof core.completedFrameworks)[number]) => ({
    frameworkInfo: f.info,
    active: f.active,
    connected: f.connected,
    recovered: false,
    registeredTime: { nanoseconds: BigInt(f.registeredTime) * 1_000_000n },
  });
  const getFrameworks = () => ({
    frameworks: [...core.frameworks.values()].map(frameworkEntry),
    completedFrameworks: core.completedFrameworks.map(frameworkEntry),
  });
  const getAgents = () => ({
    agents: [...core.agents.values()].map((a) => ({
      agentInfo: a.info,
      active: a.active,
      deactivated: false,
      version: a.version,
      pid: `slave(1)@${new URL(a.endpoint).host}`,
      registeredTime: { nanoseconds: BigInt(a.registeredTime) * 1_000_000n },
      totalResources: resourcesToProto(a.total),
    })),
  });
  const getExecutors = () => ({
    executors: [...core.frameworks.values()].flatMap((f) =>
      [...f.executors].flatMap(([agentId, byId]) => [...byId.values()].map((e) => ({ executorInfo: e, agentId: { value: agentId } }))),
    ),
  });

  const answer = (type: Call_Type): Response => {
    switch (type) {
      case Call_Type.GET_HEALTH:
        return create(ResponseSchema, { type: Response_Type.GET_HEALTH, getHealth: { healthy: true } });
      case Call_Type.GET_VERSION:
        return create(ResponseSchema, { type: Response_Type.GET_VERSION, getVersion: { versionInfo: { version: MESOS_COMPATIBLE_VERSION } } });
      case Call_Type.GET_FLAGS:
        return create(ResponseSchema, {
          type: Response_Type.GET_FLAGS,
          getFlags: { flags: Object.entries(view.flags).map(([name, value]) => ({ name, value })) },
        });
      case Call_Type.GET_MASTER:
        return create(ResponseSchema, {
          type: Response_Type.GET_MASTER,
          getMaster: { masterInfo: core.masterInfo, startTime: core.startTime / 1000, electedTime: core.startTime / 1000 },
        });
      case Call_Type.GET_TASKS:
        return create(ResponseSchema, { type: Response_Type.GET_TASKS, getTasks: getTasks() });
      case Call_Type.GET_FRAMEWORKS:
        return create(ResponseSchema, { type: Response_Type.GET_FRAMEWORKS, getFrameworks: getFrameworks() });
      case Call_Type.GET_AGENTS:
        return create(ResponseSchema, { type: Response_Type.GET_AGENTS, getAgents: getAgents() });
      case Call_Type.GET_EXECUTORS:
        return create(ResponseSchema, { type: Response_Type.GET_EXECUTORS, getExecutors: getExecutors() });
      case Call_Type.GET_STATE:
        return create(ResponseSchema, {
          type: Response_Type.GET_STATE,
          getState: { getTasks: getTasks(), getFrameworks: getFrameworks(), getAgents: getAgents(), getExecutors: getExecutors() },
        });
      default:
        throw new OperatorCallError(501, `Operator call ${Call_Type[type] ?? type} is not implemented by mesoscale yet`);
    }
  };

  for (const url of ['/api/v1', '/master/api/v1']) {
    app.post(url, (req, reply) => {
      const call = decodeMessage(CallSchema, requestMediaType(req.headers['content-type']), rawBody(req));
      if (call.type === Call_Type.UNKNOWN) throw new OperatorCallError(400, "Failed to validate master::Call: Expecting 'type' to be present");
      const mediaType = responseMediaType(req.headers.accept);
      if (call.type === Call_Type.TEARDOWN) {
        if (call.teardown?.frameworkId === undefined) throw new OperatorCallError(400, "Failed to validate master::Call: Expecting 'teardown' to be present");
        core.teardown(call.teardown.frameworkId.value);
        flush();
        return reply.code(200).send();
      }
      return reply.type(mediaType).send(Buffer.from(encodeMessage(ResponseSchema, answer(call.type), mediaType)));
    });
  }
}
