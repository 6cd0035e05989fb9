/**
 * HTTP probe: `GET <scheme>://<loopback>:<port><path>`; the response status
 * is the result. Mesos runs `curl -k` for it, so https certificates are not
 * verified either (the task's own self-signed certificate must pass).
 *
 * The probe resolves on the response headers and closes the connection: a
 * fresh connection per probe (no keep-alive) so a server that stops
 * accepting is noticed, and a slow body does not count against the server.
 * Differences from curl: redirects are not followed (a 3xx is the result).
 */
import http from 'node:http';
import https from 'node:https';

import { errorMessage } from '../../lib/errors.js';
import { describeProbe, type Prober, type ProbeResult, type ProbeSpec } from './probe.js';

type HttpProbeSpec = Extract<ProbeSpec, { kind: 'http' }>;

export function httpProber(spec: HttpProbeSpec): Prober {
  return (timeoutMs, signal) => runHttpProbe(spec, timeoutMs, signal);
}

function runHttpProbe(spec: HttpProbeSpec, timeoutMs: number, signal: AbortSignal): Promise<ProbeResult> {
  const url = describeProbe(spec);
  if (signal.aborted) return Promise.resolve({ kind: 'error', message: 'The probe was cancelled' });
  return new Promise<ProbeResult>((resolve) => {
    let settled = false;
    const options = { host: spec.host, port: spec.port, path: spec.path, method: 'GET', agent: false, headers: { connection: 'close' } } as const;
    const request =
      spec.scheme === 'https' ? https.request({ ...options, rejectUnauthorized: false }) : http.request(options);
    const settle = (result: ProbeResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      request.destroy();
      resolve(result);
    };
    const timer = timeoutMs > 0 ? setTimeout(() => settle({ kind: 'error', message: `GET ${url} timed out after ${timeoutMs} ms` }), timeoutMs) : undefined;
    const onAbort = (): void => settle({ kind: 'error', message: 'The probe was cancelled' });
    signal.addEventListener('abort', onAbort, { once: true });
    request.once('response', (response) => {
      response.resume();
      settle({ kind: 'http', statusCode: response.statusCode ?? 0 });
    });
    request.once('error', (err) => settle({ kind: 'error', message: `GET ${url} failed: ${errorMessage(err)}` }));
    request.end();
  });
}
