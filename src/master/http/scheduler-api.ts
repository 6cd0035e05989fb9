/**
 * `POST /api/v1/scheduler`: the Mesos v1 scheduler API. Checks run in Mesos'
 * order (shared/reference/mesos-http-api.md 1.4): method, Content-Type, body,
 * Call validation, then SUBSCRIBE streams or the stream-id checks and a 202.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CallSchema, Call_Type, type Call } from '../../protocol/gen/mesos/v1/scheduler/scheduler_pb.js';
import { decodeMessage, requestMediaType, responseMediaType } from '../../protocol/codec/media.js';
import { MesoscaleError } from '../../lib/errors.js';
import { rawBody } from '../../http/server.js';
import { validateSchedulerCall } from '../validation/scheduler-call.js';
import type { MasterCore } from '../state/agent-link.js';
import type { FrameworkStreams } from './framework-streams.js';

export interface SchedulerApiDeps {
  readonly core: MasterCore;
  readonly streams: FrameworkStreams;
  /** Carry out whatever the core decided (events, closes, allocation). */
  readonly flush: () => void;
}

class CallError extends MesoscaleError {
  constructor(status: number, message: string) {
    super('SCHEDULER_CALL_REJECTED', message, { httpStatus: status });
  }
}

export function registerSchedulerApi(app: FastifyInstance, deps: SchedulerApiDeps): void {
  for (const url of ['/api/v1/scheduler', '/master/api/v1/scheduler']) {
    app.route({ method: 'POST', url, handler: (req, reply) => handleSchedulerCall(req, reply, deps) });
    app.route({
      method: ['GET', 'PUT', 'DELETE', 'PATCH'],
      url,
      handler: (_req, reply) => reply.code(405).header('Allow', 'POST').type('text/plain').send(`Expecting a 'POST' request, received '${_req.method}'`),
    });
  }
}

async function handleSchedulerCall(req: FastifyRequest, reply: FastifyReply, deps: SchedulerApiDeps): Promise<unknown> {
  const mediaType = requestMediaType(req.headers['content-type']);
  const call = decodeMessage(CallSchema, mediaType, rawBody(req));
  const invalid = validateSchedulerCall(call);
  if (invalid !== undefined) throw new CallError(400, `Failed to validate scheduler::Call: ${invalid}`);

  if (call.type === Call_Type.SUBSCRIBE) return subscribe(req, reply, call, deps);

  const frameworkId = call.frameworkId!.value;
  const streamHeader = req.headers['mesos-stream-id'];
  const rejection = deps.core.checkCall(frameworkId, Array.isArray(streamHeader) ? streamHeader[0] : streamHeader);
  if (rejection !== undefined) throw new CallError(rejection.status, rejection.message);

  const core = deps.core;
  switch (call.type) {
    case Call_Type.TEARDOWN:
      core.teardown(frameworkId);
      break;
    case Call_Type.ACCEPT:
      core.accept(frameworkId, call.accept!);
      break;
    case Call_Type.DECLINE:
      core.decline(frameworkId, call.decline!);
      break;
    case Call_Type.REVIVE:
      core.revive(frameworkId, call.revive?.roles ?? []);
      break;
    case Call_Type.SUPPRESS:
      core.suppress(frameworkId, call.suppress?.roles ?? []);
      break;
    case Call_Type.KILL:
      core.kill(frameworkId, call.kill!);
      break;
    case Call_Type.SHUTDOWN:
      core.shutdown(frameworkId, call.shutdown!);
      break;
    case Call_Type.ACKNOWLEDGE:
      core.acknowledge(frameworkId, call.acknowledge!);
      break;
    case Call_Type.RECONCILE:
      core.reconcile(frameworkId, call.reconcile!);
      break;
    case Call_Type.MESSAGE:
      core.message(frameworkId, call.message!);
      break;
    case Call_Type.REQUEST:
    case Call_Type.ACCEPT_INVERSE_OFFERS:
    case Call_Type.DECLINE_INVERSE_OFFERS:
    case Call_Type.ACKNOWLEDGE_OPERATION_STATUS:
    case Call_Type.RECONCILE_OPERATIONS:
      // Accepted and ignored: the allocator takes no requests, and there are no
      // inverse offers (maintenance) or offer operations with feedback yet.
      break;
    case Call_Type.UPDATE_FRAMEWORK: {
      const error = core.updateFramework(frameworkId, call.updateFramework!);
      if (error !== undefined) throw new CallError(400, error);
      deps.flush();
      return reply.code(200).send();
    }
    default:
      throw new CallError(501, `Received an unexpected '${Call_Type[call.type] ?? call.type}' call`);
  }
  deps.flush();
  return reply.code(202).send();
}

function subscribe(req: FastifyRequest, reply: FastifyReply, call: Call, deps: SchedulerApiDeps): FastifyReply {
  const mediaType = responseMediaType(req.headers.accept);
  if (req.headers['mesos-stream-id'] !== undefined) {
    throw new CallError(400, "Subscribe calls should not include the 'Mesos-Stream-Id' header");
  }
  const streamId = randomUUID();
  const stream = deps.streams.open(reply, mediaType, streamId);
  const result = deps.core.subscribe(call, streamId);
  if ('error' in result) {
    stream.sendErrorAndClose(result.error);
    return reply;
  }
  deps.streams.attach(result.frameworkId, stream);
  stream.onClose(() => {
    deps.streams.detach(result.frameworkId, streamId);
    deps.core.frameworkDisconnected(result.frameworkId, streamId);
    deps.flush();
  });
  deps.flush();
  return reply;
}
