/**
 * `POST /internal/agent`: the master's end of the agent link
 * (docs/agent-protocol.md). REGISTER / REREGISTER open a RecordIO stream of
 * AgentEvents; every other AgentCall must carry that stream's Mesos-Stream-Id.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AgentCallSchema, AgentCall_Type, type AgentCall } from '../../protocol/gen/mesoscale/internal/agent_link_pb.js';
import { decodeMessage, MediaType, requestMediaType } from '../../protocol/codec/media.js';
import { MesoscaleError } from '../../lib/errors.js';
import { rawBody } from '../../http/server.js';
import { RecordIoResponse } from '../../http/stream.js';
import type { MasterCore } from '../state/agent-link.js';
import type { AgentStreams } from './agent-streams.js';

export interface AgentLinkApiDeps {
  readonly core: MasterCore;
  readonly streams: AgentStreams;
  readonly flush: () => void;
}

class AgentCallError extends MesoscaleError {
  constructor(status: number, message: string) {
    super('AGENT_CALL_REJECTED', message, { httpStatus: status });
  }
}

export function registerAgentLinkApi(app: FastifyInstance, deps: AgentLinkApiDeps): void {
  for (const url of ['/internal/agent', '/master/internal/agent']) {
    app.post(url, (req, reply) => handleAgentCall(req, reply, deps));
  }
}

function handleAgentCall(req: FastifyRequest, reply: FastifyReply, deps: AgentLinkApiDeps): FastifyReply | undefined {
  const call = decodeMessage(AgentCallSchema, requestMediaType(req.headers['content-type']), rawBody(req));
  if (call.type === AgentCall_Type.REGISTER || call.type === AgentCall_Type.REREGISTER) return openLink(reply, call, deps);

  const streamHeader = req.headers['mesos-stream-id'];
  const found = deps.core.checkAgentCall(call.agentId?.value, Array.isArray(streamHeader) ? streamHeader[0] : streamHeader);
  if ('error' in found) throw new AgentCallError(found.status, found.error);
  const agent = found;
  switch (call.type) {
    case AgentCall_Type.STATUS_UPDATE:
      if (call.statusUpdate === undefined) throw new AgentCallError(400, "Expecting 'status_update' to be present");
      deps.core.statusUpdate(agent, call.statusUpdate);
      break;
    case AgentCall_Type.EXECUTOR_EXITED:
      if (call.executorExited === undefined) throw new AgentCallError(400, "Expecting 'executor_exited' to be present");
      deps.core.executorExited(agent, call.executorExited);
      break;
    case AgentCall_Type.FRAMEWORK_MESSAGE:
      if (call.frameworkMessage === undefined) throw new AgentCallError(400, "Expecting 'framework_message' to be present");
      deps.core.frameworkMessage(agent, call.frameworkMessage);
      break;
    case AgentCall_Type.PONG:
      deps.core.pong(agent);
      break;
    default:
      throw new AgentCallError(400, `Unexpected agent call type ${call.type}`);
  }
  deps.flush();
  return reply.code(202).send();
}

function openLink(reply: FastifyReply, call: AgentCall, deps: AgentLinkApiDeps): FastifyReply | undefined {
  const streamId = randomUUID();
  let result;
  if (call.type === AgentCall_Type.REGISTER) {
    if (call.register?.agentInfo === undefined) throw new AgentCallError(400, "Expecting 'register.agent_info' to be present");
    result = deps.core.registerAgent(call.register, streamId);
  } else {
    if (call.reregister?.agentInfo === undefined || call.agentId === undefined) {
      throw new AgentCallError(400, "Expecting 'agent_id' and 'reregister.agent_info' to be present");
    }
    result = deps.core.reregisterAgent(call.agentId.value, call.reregister, streamId);
  }
  if ('error' in result) throw new AgentCallError(result.status, result.error);
  const agentId = result.agentId;
  const response = new RecordIoResponse(reply, MediaType.PROTOBUF, { 'Mesos-Stream-Id': streamId });
  deps.streams.attach(agentId, streamId, response);
  response.onClose(() => {
    deps.streams.detach(agentId, streamId);
    deps.core.agentStreamClosed(agentId, streamId);
    deps.flush();
  });
  deps.flush();
  return reply;
}
