/**
 * What a probe is and what it returns, shared by health checks (HealthCheck)
 * and general checks (CheckInfo). Both protobufs describe the same three
 * probes with slightly different shapes; `probeSpecOfHealthCheck` and
 * `probeSpecOfCheck` turn them into one plain ProbeSpec, so the probers
 * (command-probe.ts, http-probe.ts, tcp-probe.ts) never see protobufs other
 * than the CommandInfo they run.
 *
 * A probe never throws: everything that can go wrong is a ProbeResult, because
 * for a check "it did not answer" is an answer (reference 5.7).
 */
import {
  type CheckInfo,
  CheckInfo_Type,
  type CommandInfo,
  type HealthCheck,
  HealthCheck_Type,
  NetworkInfo_Protocol,
} from '../../protocol/gen/mesos/v1/mesos_pb.js';
import { InvalidCheckError } from './errors.js';

export type ProbeKind = 'command' | 'http' | 'tcp';

export type ProbeSpec =
  | { readonly kind: 'command'; readonly command: CommandInfo }
  | {
      readonly kind: 'http';
      readonly scheme: 'http' | 'https';
      /** 127.0.0.1 or ::1: checks of command tasks reach the task over the host's loopback, as Mesos does. */
      readonly host: string;
      readonly port: number;
      /** Starts with '/'. */
      readonly path: string;
    }
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number };

/**
 * The outcome of one probe. `error` means no answer at all: the command could
 * not be run, was killed by a signal or timed out; the HTTP request got no
 * response; the TCP connect timed out. A refused TCP connection is an answer
 * (`succeeded: false`), as Mesos' `mesos-tcp-connect` reports it.
 */
export type ProbeResult =
  | { readonly kind: 'command'; readonly exitCode: number }
  | { readonly kind: 'http'; readonly statusCode: number }
  | { readonly kind: 'tcp'; readonly succeeded: boolean; readonly detail?: string }
  | { readonly kind: 'error'; readonly message: string };

/** One probe run; resolves (never rejects) within about `timeoutMs` (0: no limit) or soon after `signal` aborts. */
export type Prober = (timeoutMs: number, signal: AbortSignal) => Promise<ProbeResult>;

/** Where command probes run: the task's sandbox, environment and output files. */
export interface ProbeContext {
  readonly cwd: string;
  /** The task's environment; a probe command's own CommandInfo.environment goes on top. */
  readonly env: Readonly<Record<string, string>>;
  /** Open fds for the probe's output (Mesos: the executor's stdout/stderr, i.e. the sandbox files); default inherited. */
  readonly stdio?: { readonly stdout: number; readonly stderr: number };
}

export function loopbackHost(protocol: NetworkInfo_Protocol): string {
  return protocol === NetworkInfo_Protocol.IPv6 ? '::1' : '127.0.0.1';
}

/** `http://127.0.0.1:8080/health`, `tcp://[::1]:5432`, `sh -c '...'`: for logs and messages. */
export function describeProbe(spec: ProbeSpec): string {
  switch (spec.kind) {
    case 'command':
      return spec.command.shell ? `sh -c '${spec.command.value}'` : [spec.command.value, ...spec.command.arguments.slice(1)].join(' ');
    case 'http':
      return `${spec.scheme}://${hostInUrl(spec.host)}:${spec.port}${spec.path}`;
    case 'tcp':
      return `tcp://${hostInUrl(spec.host)}:${spec.port}`;
  }
}

export function hostInUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** The probe of a HealthCheck; throws InvalidCheckError for what the master should have refused (src/protocol/check-validation.ts). */
export function probeSpecOfHealthCheck(check: HealthCheck): ProbeSpec {
  switch (check.type) {
    case HealthCheck_Type.COMMAND:
      if (check.command === undefined) throw new InvalidCheckError('health check', "type COMMAND without 'command'");
      return { kind: 'command', command: check.command };
    case HealthCheck_Type.HTTP: {
      const http = check.http;
      if (http === undefined) throw new InvalidCheckError('health check', "type HTTP without 'http'");
      const scheme = http.scheme === '' ? 'http' : http.scheme;
      if (scheme !== 'http' && scheme !== 'https') throw new InvalidCheckError('health check', `unsupported HTTP scheme '${http.scheme}'`);
      return { kind: 'http', scheme, host: loopbackHost(http.protocol), port: http.port, path: http.path === '' ? '/' : http.path };
    }
    case HealthCheck_Type.TCP:
      if (check.tcp === undefined) throw new InvalidCheckError('health check', "type TCP without 'tcp'");
      return { kind: 'tcp', host: loopbackHost(check.tcp.protocol), port: check.tcp.port };
    default:
      throw new InvalidCheckError('health check', `type ${HealthCheck_Type[check.type] ?? check.type} is not a probe type`);
  }
}

/** The probe of a CheckInfo (always plain http: CheckInfo.Http has no scheme). */
export function probeSpecOfCheck(check: CheckInfo): ProbeSpec {
  switch (check.type) {
    case CheckInfo_Type.COMMAND: {
      const command = check.command?.command;
      if (command === undefined) throw new InvalidCheckError('check', "type COMMAND without 'command.command'");
      return { kind: 'command', command };
    }
    case CheckInfo_Type.HTTP:
      if (check.http === undefined) throw new InvalidCheckError('check', "type HTTP without 'http'");
      return {
        kind: 'http',
        scheme: 'http',
        host: loopbackHost(check.http.protocol),
        port: check.http.port,
        path: check.http.path === '' ? '/' : check.http.path,
      };
    case CheckInfo_Type.TCP:
      if (check.tcp === undefined) throw new InvalidCheckError('check', "type TCP without 'tcp'");
      return { kind: 'tcp', host: loopbackHost(check.tcp.protocol), port: check.tcp.port };
    default:
      throw new InvalidCheckError('check', `type ${CheckInfo_Type[check.type] ?? check.type} is not a probe type`);
  }
}

/** Seconds as protobuf doubles → whole milliseconds; negative (invalid) values count as 0. */
export function secondsToMs(seconds: number): number {
  return Number.isFinite(seconds) && seconds > 0 ? Math.round(seconds * 1000) : 0;
}
