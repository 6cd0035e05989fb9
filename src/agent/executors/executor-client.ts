/**
 * The executor's side of the v1 executor HTTP API (reference section 4):
 * reads the environment the agent gives executors (4.4), SUBSCRIBEs and
 * yields the events of the stream, and POSTs other calls. Protobuf both ways.
 * Used by our command executor; usable by any executor written in TypeScript.
 */
import { create } from '@bufbuild/protobuf';

import { MesoscaleError } from '../../lib/errors.js';
import { parseDuration } from '../../lib/duration.js';
import { decodeMessage, encodeMessage, MediaType } from '../../protocol/codec/media.js';
import { readRecords } from '../../protocol/codec/recordio.js';
import {
  type Call,
  CallSchema,
  Call_Type,
  type Call_Subscribe,
  type Event,
  EventSchema,
} from '../../protocol/gen/mesos/v1/executor/executor_pb.js';

/** What an executor learns from its environment (reference 4.4). */
export interface ExecutorEnvironment {
  readonly frameworkId: string;
  readonly executorId: string;
  /** `ip:port` of the agent. */
  readonly agentEndpoint: string;
  readonly directory: string;
  readonly checkpoint: boolean;
  readonly shutdownGracePeriodMs: number;
  /** Only meaningful with checkpointing: how long to keep trying to re-subscribe. */
  readonly recoveryTimeoutMs: number;
  /** Only meaningful with checkpointing: the longest wait between SUBSCRIBE attempts. */
  readonly subscriptionBackoffMaxMs: number;
}

export class ExecutorEnvironmentError extends MesoscaleError {
  constructor(message: string) {
    super('EXECUTOR_ENVIRONMENT_INVALID', message);
  }
}

export function readExecutorEnvironment(env: Readonly<Record<string, string | undefined>>): ExecutorEnvironment {
  const need = (name: string): string => {
    const value = env[name];
    if (value === undefined || value === '') {
      throw new ExecutorEnvironmentError(`${name} is not set; executors are started by the agent, which sets it`);
    }
    return value;
  };
  const duration = (name: string, fallbackMs: number): number => {
    const value = env[name];
    if (value === undefined || value === '') return fallbackMs;
    try {
      return parseDuration(value);
    } catch (err) {
      throw new ExecutorEnvironmentError(`${name}='${value}' is not a duration: ${(err as Error).message}`);
    }
  };
  return {
    frameworkId: need('MESOS_FRAMEWORK_ID'),
    executorId: need('MESOS_EXECUTOR_ID'),
    agentEndpoint: need('MESOS_AGENT_ENDPOINT'),
    directory: need('MESOS_DIRECTORY'),
    checkpoint: env.MESOS_CHECKPOINT === '1',
    shutdownGracePeriodMs: duration('MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD', 5_000),
    recoveryTimeoutMs: duration('MESOS_RECOVERY_TIMEOUT', 15 * 60_000),
    subscriptionBackoffMaxMs: duration('MESOS_SUBSCRIPTION_BACKOFF_MAX', 2_000),
  };
}

/** The agent answered a call with something other than success. */
export class ExecutorApiError extends MesoscaleError {
  readonly status: number;
  constructor(status: number, text: string) {
    super('EXECUTOR_API_REFUSED', `Agent answered ${status}: ${text}`, { httpStatus: status, retryable: status >= 500 });
    this.status = status;
  }
}

/** How an executor reaches its agent: over HTTP (a separate process) or in process (built-in). */
export interface ExecutorTransport {
  /** A call with the executor and framework ids filled in. */
  call(type: Call_Type, fields?: Partial<Pick<Call, 'subscribe' | 'update' | 'message'>>): Call;
  /** SUBSCRIBEs and yields the events until the stream ends; throws ExecutorApiError when refused. */
  subscribe(subscribe: Call_Subscribe, signal: AbortSignal): AsyncGenerator<Event>;
  /** A non-SUBSCRIBE call; resolves once accepted (HTTP 202). */
  send(call: Call): Promise<void>;
}

export function executorCall(env: ExecutorEnvironment, type: Call_Type, fields: Partial<Pick<Call, 'subscribe' | 'update' | 'message'>> = {}): Call {
  return create(CallSchema, {
    executorId: { value: env.executorId },
    frameworkId: { value: env.frameworkId },
    type,
    ...fields,
  });
}

export class ExecutorClient implements ExecutorTransport {
  readonly #env: ExecutorEnvironment;
  readonly #url: string;

  constructor(env: ExecutorEnvironment) {
    this.#env = env;
    this.#url = `http://${env.agentEndpoint}/api/v1/executor`;
  }

  /** A call with the executor and framework ids filled in. */
  call(type: Call_Type, fields: Partial<Pick<Call, 'subscribe' | 'update' | 'message'>> = {}): Call {
    return executorCall(this.#env, type, fields);
  }

  /**
   * SUBSCRIBEs and yields the events until the stream ends. Throws
   * ExecutorApiError when the agent refuses, or a network error.
   */
  async *subscribe(subscribe: Call_Subscribe, signal: AbortSignal): AsyncGenerator<Event> {
    const response = await fetch(this.#url, {
      method: 'POST',
      headers: { 'Content-Type': MediaType.PROTOBUF, Accept: MediaType.PROTOBUF },
      body: encodeMessage(CallSchema, this.call(Call_Type.SUBSCRIBE, { subscribe }), MediaType.PROTOBUF),
      signal,
    });
    if (response.status !== 200 || response.body === null) {
      throw new ExecutorApiError(response.status, await response.text().catch(() => ''));
    }
    for await (const record of readRecords(response.body as AsyncIterable<Uint8Array>)) {
      yield decodeMessage(EventSchema, MediaType.PROTOBUF, record);
    }
  }

  /** POSTs a non-SUBSCRIBE call; resolves on 202. */
  async send(call: Call): Promise<void> {
    const response = await fetch(this.#url, {
      method: 'POST',
      headers: { 'Content-Type': MediaType.PROTOBUF },
      body: encodeMessage(CallSchema, call, MediaType.PROTOBUF),
    });
    const text = await response.text();
    if (response.status !== 202) throw new ExecutorApiError(response.status, text);
  }
}
