/**
 * One POST to the master, following leader redirects. Mesos answers a
 * scheduler call sent to a non-leading master with 307 and a protocol-relative
 * `Location: //leader:5050/api/v1/scheduler`; the same body is re-sent there.
 *
 * Returns the response with its body unread (a SUBSCRIBE body is the event
 * stream) and the endpoint that finally answered, so the client can keep
 * talking to the leader.
 */
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';

import { MasterUnavailableError, RedirectError } from './errors.js';
import { endpointUrl, resolveRedirect, type MasterEndpoint } from './master-endpoint.js';

const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

export interface PostOptions {
  endpoint: MasterEndpoint;
  path: string;
  body: Uint8Array;
  headers: Readonly<Record<string, string>>;
  /** `false` for a dedicated connection (the SUBSCRIBE stream). */
  agent: http.Agent | false;
  signal?: AbortSignal | undefined;
  /** Redirects followed before giving up. */
  maxRedirects: number;
  /** Time allowed until the response headers arrive, per hop. */
  headersTimeoutMs: number;
}

export interface PostResult {
  response: IncomingMessage;
  /** The master that answered (differs from options.endpoint after a redirect). */
  endpoint: MasterEndpoint;
}

export async function postFollowingRedirects(options: PostOptions): Promise<PostResult> {
  let endpoint = options.endpoint;
  for (let hop = 0; ; hop++) {
    const response = await postOnce(endpoint, options);
    if (!REDIRECT_STATUSES.has(response.statusCode ?? 0)) return { response, endpoint };
    response.resume(); // Discard the redirect's body so the socket can be reused.
    if (hop >= options.maxRedirects) {
      throw new RedirectError(
        `Gave up after ${options.maxRedirects} redirects; last one from ${endpointUrl(endpoint)} to '${response.headers.location ?? ''}'`,
      );
    }
    endpoint = resolveRedirect(endpoint, response.headers.location);
  }
}

function postOnce(endpoint: MasterEndpoint, options: PostOptions): Promise<IncomingMessage> {
  const url = endpointUrl(endpoint, options.path);
  return new Promise<IncomingMessage>((resolve, reject) => {
    options.signal?.throwIfAborted();
    const request = (endpoint.protocol === 'https:' ? https : http).request({
      method: 'POST',
      protocol: endpoint.protocol,
      hostname: endpoint.hostname,
      port: endpoint.port,
      path: options.path,
      agent: options.agent,
      headers: { ...options.headers, 'Content-Length': String(options.body.length) },
      signal: options.signal,
    });
    const timer = setTimeout(() => {
      request.destroy(new Error(`no response within ${options.headersTimeoutMs} ms`));
    }, options.headersTimeoutMs);
    request.once('response', (response) => {
      clearTimeout(timer);
      resolve(response);
    });
    request.once('error', (err) => {
      clearTimeout(timer);
      if (options.signal?.aborted === true) reject(options.signal.reason);
      else reject(new MasterUnavailableError(url, err));
    });
    request.end(options.body);
  });
}

/** The body as text, at most `limit` bytes (error bodies are short plain text). */
export async function readBodyText(response: IncomingMessage, limit = 64 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response) {
    const buffer = chunk as Buffer;
    if (size < limit) chunks.push(buffer.subarray(0, limit - size));
    size += buffer.length;
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The base media type of a Content-Type header (`application/json; charset=utf-8` → `application/json`). */
export function baseMediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}
