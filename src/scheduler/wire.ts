/**
 * The two HTTP exchanges of the scheduler API, without any state:
 *
 *   openSubscription  POST SUBSCRIBE on a dedicated connection → 200, a
 *                     Mesos-Stream-Id header and a RecordIO stream of Events
 *   postCall          POST any other call on a pooled connection → 202
 *
 * Both follow leader redirects and turn error answers into
 * SchedulerCallError carrying the master's message.
 */
import type http from 'node:http';

import { encodeMessage, MediaType, type MessageMediaType } from '../protocol/codec/media.js';
import { CallSchema, Call_Type, type Call, type Event } from '../protocol/gen/mesos/v1/scheduler/scheduler_pb.js';
import { SchedulerCallError, SchedulerProtocolError } from './errors.js';
import { decodeEventStream } from './event-stream.js';
import { baseMediaType, postFollowingRedirects, readBodyText } from './http-transport.js';
import { SCHEDULER_API_PATH, type MasterEndpoint } from './master-endpoint.js';

export const STREAM_ID_HEADER = 'Mesos-Stream-Id';

export interface WireOptions {
  endpoint: MasterEndpoint;
  codec: MessageMediaType;
  signal: AbortSignal;
  maxRedirects: number;
  headersTimeoutMs: number;
  /** Extra request headers (e.g. Authorization). */
  headers: Readonly<Record<string, string>>;
}

export interface OpenSubscription {
  streamId: string;
  /** The master that answered (the leader, after redirects). */
  endpoint: MasterEndpoint;
  events: AsyncGenerator<Event, void, undefined>;
}

export function callTypeName(call: Call): string {
  return Call_Type[call.type] ?? `type ${call.type}`;
}

export async function openSubscription(subscribe: Call, options: WireOptions): Promise<OpenSubscription> {
  const { response, endpoint } = await postFollowingRedirects({
    endpoint: options.endpoint,
    path: SCHEDULER_API_PATH,
    body: encodeMessage(CallSchema, subscribe, options.codec),
    headers: { ...options.headers, 'Content-Type': options.codec, Accept: options.codec },
    agent: false, // The stream holds its connection for as long as it lives.
    signal: options.signal,
    maxRedirects: options.maxRedirects,
    headersTimeoutMs: options.headersTimeoutMs,
  });
  if (response.statusCode !== 200) {
    throw await errorFromResponse('SUBSCRIBE', response);
  }
  const contentType = baseMediaType(response.headers['content-type']);
  const streamId = response.headers[STREAM_ID_HEADER.toLowerCase()];
  if (contentType !== options.codec || typeof streamId !== 'string' || streamId.length === 0) {
    response.destroy();
    const what =
      contentType !== options.codec
        ? `Content-Type '${response.headers['content-type'] ?? ''}' (asked for ${options.codec})`
        : `no ${STREAM_ID_HEADER} header`;
    // A master that answers like this will do so again: do not retry.
    throw new SchedulerProtocolError(`The master accepted SUBSCRIBE but sent ${what}`);
  }
  return { streamId, endpoint, events: decodeEventStream(response, options.codec) };
}

export interface PostCallResult {
  endpoint: MasterEndpoint;
}

/** Sends a non-SUBSCRIBE call. Resolves on 2xx; throws SchedulerCallError otherwise. */
export async function postCall(
  call: Call,
  streamId: string,
  options: WireOptions & { agent: http.Agent },
): Promise<PostCallResult> {
  const { response, endpoint } = await postFollowingRedirects({
    endpoint: options.endpoint,
    path: SCHEDULER_API_PATH,
    body: encodeMessage(CallSchema, call, options.codec),
    headers: {
      ...options.headers,
      'Content-Type': options.codec,
      Accept: `${options.codec}, ${options.codec === MediaType.JSON ? MediaType.PROTOBUF : MediaType.JSON}`,
      [STREAM_ID_HEADER]: streamId,
    },
    agent: options.agent,
    signal: options.signal,
    maxRedirects: options.maxRedirects,
    headersTimeoutMs: options.headersTimeoutMs,
  });
  const status = response.statusCode ?? 0;
  if (status < 200 || status >= 300) throw await errorFromResponse(callTypeName(call), response);
  response.resume();
  return { endpoint };
}

async function errorFromResponse(callType: string, response: http.IncomingMessage): Promise<SchedulerCallError> {
  let body = '';
  try {
    body = await readBodyText(response);
  } catch {
    // The status says enough when the body cannot be read.
  }
  return SchedulerCallError.fromResponse(callType, response.statusCode ?? 0, body);
}
