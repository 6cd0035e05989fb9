/**
 * TCP probe: connect to `<loopback>:<port>` and close at once. Like Mesos'
 * `mesos-tcp-connect`, a refused or reset connection is an answer
 * (`succeeded: false`); only a connect that does not finish within the
 * timeout is an `error` (no answer).
 */
import net from 'node:net';

import { errorMessage } from '../../lib/errors.js';
import { describeProbe, type Prober, type ProbeResult, type ProbeSpec } from './probe.js';

type TcpProbeSpec = Extract<ProbeSpec, { kind: 'tcp' }>;

export function tcpProber(spec: TcpProbeSpec): Prober {
  return (timeoutMs, signal) => runTcpProbe(spec, timeoutMs, signal);
}

function runTcpProbe(spec: TcpProbeSpec, timeoutMs: number, signal: AbortSignal): Promise<ProbeResult> {
  if (signal.aborted) return Promise.resolve({ kind: 'error', message: 'The probe was cancelled' });
  return new Promise<ProbeResult>((resolve) => {
    let settled = false;
    const socket = net.connect({ host: spec.host, port: spec.port });
    const settle = (result: ProbeResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(result);
    };
    const timer =
      timeoutMs > 0
        ? setTimeout(() => settle({ kind: 'error', message: `Connecting to ${describeProbe(spec)} timed out after ${timeoutMs} ms` }), timeoutMs)
        : undefined;
    const onAbort = (): void => settle({ kind: 'error', message: 'The probe was cancelled' });
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => settle({ kind: 'tcp', succeeded: true }));
    socket.once('error', (err) => settle({ kind: 'tcp', succeeded: false, detail: `Connecting to ${describeProbe(spec)} failed: ${errorMessage(err)}` }));
  });
}
