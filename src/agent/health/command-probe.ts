/**
 * COMMAND probe: runs the check's CommandInfo (`sh -c <value>` or argv, as the
 * task's own command) in the task's sandbox with the task's environment plus
 * the check command's environment. Exit status 0 is healthy; for general
 * checks the exit code is the result.
 *
 * The probe gets its own process group, so a timeout kills everything it
 * forked (Mesos: `os::killtree(pid, SIGKILL)`), and a command killed by a
 * signal has no exit code: that is an `error` result, as in Mesos.
 */
import { spawn } from 'node:child_process';

import { errorMessage } from '../../lib/errors.js';
import type { CommandInfo } from '../../protocol/gen/mesos/v1/mesos_pb.js';
import { commandArgv, commandEnvironment } from '../executors/command-task.js';
import type { ProbeContext, Prober, ProbeResult } from './probe.js';

export function commandProber(command: CommandInfo, context: ProbeContext): Prober {
  return (timeoutMs, signal) => runCommandProbe(command, context, timeoutMs, signal);
}

async function runCommandProbe(command: CommandInfo, context: ProbeContext, timeoutMs: number, signal: AbortSignal): Promise<ProbeResult> {
  if (signal.aborted) return { kind: 'error', message: 'The probe was cancelled' };
  const { file, args, argv0 } = commandArgv(command);
  const child = spawn(file, args, {
    argv0,
    cwd: context.cwd,
    env: commandEnvironment(context.env, command),
    detached: true,
    stdio: ['ignore', context.stdio?.stdout ?? 'inherit', context.stdio?.stderr ?? 'inherit'],
  });
  const killGroup = (): void => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // Gone already.
    }
  };
  return new Promise<ProbeResult>((resolve) => {
    let ended: string | undefined;
    const end = (why: string): void => {
      ended ??= why;
      killGroup();
    };
    const timer = timeoutMs > 0 ? setTimeout(() => end(`Command timed out after ${timeoutMs} ms`), timeoutMs) : undefined;
    const onAbort = (): void => end('The probe was cancelled');
    signal.addEventListener('abort', onAbort, { once: true });
    const finish = (result: ProbeResult): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      resolve(result);
    };
    child.once('error', (err) => finish({ kind: 'error', message: `Failed to run '${command.value}': ${errorMessage(err)}` }));
    child.once('exit', (code, exitSignal) => {
      // Whatever the command left behind in its group goes with it.
      killGroup();
      if (ended !== undefined) finish({ kind: 'error', message: ended });
      else if (code !== null) finish({ kind: 'command', exitCode: code });
      else finish({ kind: 'error', message: `Command terminated with signal ${exitSignal ?? 'unknown'}` });
    });
  });
}
