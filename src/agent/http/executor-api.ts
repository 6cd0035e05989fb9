/**
 * `POST /api/v1/executor` (also under `/slave(1)`), checks in Mesos' order
 * (reference 1.4, executor table; validation 4.3):
 *   405 not POST → 400/415 Content-Type → 400 body → 400 validation →
 *   406 SUBSCRIBE Accept → 202 HEARTBEAT → 400 unknown framework / executor →
 *   403 UPDATE/MESSAGE before SUBSCRIBE → 200 stream (SUBSCRIBE) / 202.
 */
import { isFieldSet } from '@bufbuild/protobuf';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import { isValidUuidBytes } from '../../lib/uuid.js';
import { decodeMessage, requestMediaType, responseMediaType } from '../../protocol/codec/media.js';
import { type Call, CallSchema, Call_Type, type Call_Subscribe } from '../../protocol/gen/mesos/v1/executor/executor_pb.js';
import { TaskState, type TaskStatus, TaskStatus_Source } from '../../protocol/gen/mesos/v1/mesos_pb.js';
import { rawBody } from '../../http/server.js';
import { ExecutorCallError } from '../errors.js';
import type { ExecutorRecord } from '../state.js';
import { ExecutorStream, type ExecutorEventSink } from './executor-stream.js';

/** What the executor API needs from the agent (implemented by Agent). */
export interface ExecutorApiBackend {
  /** Throws ExecutorCallError 400 for an unknown framework or executor. */
  findExecutor(frameworkId: string, executorId: string): ExecutorRecord;
  subscribeExecutor(executor: ExecutorRecord, subscribe: Call_Subscribe | undefined, stream: ExecutorEventSink): void;
  /** Resolves once the update is handled and the executor has been sent ACKNOWLEDGED. */
  executorUpdate(executor: ExecutorRecord, status: TaskStatus): Promise<void>;
  executorMessage(executor: ExecutorRecord, data: Uint8Array): void;
}

const PREFIXES = ['', '/slave(1)'];

export function registerExecutorApi(app: FastifyInstance, backend: ExecutorApiBackend): void {
  for (const prefix of PREFIXES) {
    const url = `${prefix}/api/v1/executor`;
    app.post(url, (req, reply) => handle(req, reply, backend));
    app.route({
      method: ['GET', 'PUT', 'DELETE', 'PATCH'],
      url,
      handler: (_req, reply) => reply.code(405).header('Allow', 'POST').type('text/plain; charset=utf-8').send('Expecting POST'),
    });
  }
}

async function handle(req: FastifyRequest, reply: FastifyReply, backend: ExecutorApiBackend): Promise<unknown> {
  const mediaType = requestMediaType(req.headers['content-type']);
  const call = decodeMessage(CallSchema, mediaType, rawBody(req));
  const problem = validateCall(call);
  if (problem !== undefined) throw new ExecutorCallError(400, `Failed to validate executor::Call: ${problem}`);

  const streamType = call.type === Call_Type.SUBSCRIBE ? responseMediaType(req.headers.accept) : undefined;
  if (call.type === Call_Type.HEARTBEAT) return reply.code(202).send();

  if (call.type === Call_Type.UNKNOWN) return reply.code(501).type('text/plain; charset=utf-8').send('Executor call type UNKNOWN is not implemented');
  const executor = backend.findExecutor(call.frameworkId!.value, call.executorId!.value);
  switch (call.type) {
    case Call_Type.SUBSCRIBE: {
      const stream = new ExecutorStream(reply, streamType!);
      backend.subscribeExecutor(executor, call.subscribe, stream);
      return reply;
    }
    case Call_Type.UPDATE:
      if (executor.stream === undefined) throw new ExecutorCallError(403, 'Executor is not subscribed');
      await backend.executorUpdate(executor, call.update!.status!);
      return reply.code(202).send();
    case Call_Type.MESSAGE:
      if (executor.stream === undefined) throw new ExecutorCallError(403, 'Executor is not subscribed');
      backend.executorMessage(executor, call.message!.data);
      return reply.code(202).send();
    default:
      return reply.code(501).type('text/plain; charset=utf-8').send(`Unsupported executor call type ${call.type}`);
  }
}

/** Mesos' `validation::executor::call::validate`; returns the reason or undefined. */
export function validateCall(call: Call): string | undefined {
  if (!isFieldSet(call, CallSchema.field.type)) return "Expecting 'type' to be present";
  const executorId = call.executorId?.value ?? '';
  const frameworkId = call.frameworkId?.value ?? '';
  switch (call.type) {
    case Call_Type.SUBSCRIBE:
      if (call.subscribe === undefined) return "Expecting 'subscribe' to be present";
      return undefined;
    case Call_Type.UPDATE: {
      const status = call.update?.status;
      if (status === undefined) return "Expecting 'update' to be present";
      if (status.uuid.length === 0) return "Expecting 'uuid' to be present";
      if (!isValidUuidBytes(status.uuid)) return 'Invalid UUID: expecting 16 bytes of a version 1-5 UUID';
      if (status.source !== TaskStatus_Source.EXECUTOR) {
        return `Received Call from executor ${executorId} of framework ${frameworkId} with invalid source, expecting 'SOURCE_EXECUTOR'`;
      }
      if (status.state === TaskState.TASK_STAGING) {
        return `Received TASK_STAGING from executor ${executorId} of framework ${frameworkId} which is not allowed`;
      }
      if (status.executorId !== undefined && status.executorId.value !== executorId) {
        return `ExecutorID in Call: ${executorId} does not match ExecutorID in TaskStatus: ${status.executorId.value}`;
      }
      return undefined;
    }
    case Call_Type.MESSAGE:
      if (call.message === undefined) return "Expecting 'message' to be present";
      return undefined;
    default:
      return undefined; // HEARTBEAT; UNKNOWN is answered 501 like Mesos.
  }
}
