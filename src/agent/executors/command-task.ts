/**
 * The process of one command task, as the command executor runs it:
 * `shell=true` → `/bin/sh -c <value>`; `shell=false` → `<value>` with
 * `arguments` as argv (argv[0] included). The task gets its own session so
 * a kill reaches everything it forked: SIGTERM to the group, then SIGKILL
 * when the grace period ends. Output goes to the executor's stdout/stderr,
 * which are the sandbox's `stdout` and `stderr` files. In a container (an
 * image, or cgroups isolation) the same task runs through the agent's
 * container runtime instead: see TaskProcess and container-task.ts.
 */
import { type ChildProcess, spawn } from 'node:child_process';

import type { CommandInfo } from '../../protocol/gen/mesos/v1/mesos_pb.js';
import { describeExit, type ExitStatus } from '../launcher/launcher.js';
import { exitStatus } from '../launcher/posix.js';

/** The argv a CommandInfo stands for, and argv[0] as the program should see it. */
export function commandArgv(command: CommandInfo): { file: string; args: string[]; argv0: string } {
  if (command.shell) return { file: '/bin/sh', args: ['-c', command.value], argv0: 'sh' };
  const [argv0 = command.value, ...rest] = command.arguments;
  return { file: command.value, args: rest, argv0 };
}

/** `sh -c 'echo hi'` / `/bin/echo hi`: how Mesos shows a command in messages. */
export function describeCommand(command: CommandInfo): string {
  if (command.shell) return `sh -c '${command.value}'`;
  return [command.value, ...command.arguments.slice(1)].join(' ');
}

/** CommandInfo.environment on top of `base` (VALUE variables; secrets are not supported yet). */
export function commandEnvironment(base: Readonly<Record<string, string | undefined>>, command: CommandInfo): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) if (v !== undefined) env[k] = v;
  for (const variable of command.environment?.variables ?? []) env[variable.name] = variable.value;
  return env;
}

export interface TaskExit {
  readonly status: ExitStatus;
  /** Whether kill() was called before it exited. */
  readonly killed: boolean;
  /** `Command exited with status 0`, `Command terminated with signal Killed`. */
  readonly message: string;
}

/**
 * What a command task runs as: a host process (startHostTaskProcess) or a
 * container of the agent's runtime (container-task.ts). CommandTask adds the
 * kill policy on top, the same for both.
 */
export interface TaskProcess {
  /** As seen from the host: the process group leader, or the container's init. */
  readonly pid: number;
  /** Resolves once the task has ended, with how it ended and how to say it. */
  readonly exited: Promise<{ readonly status: ExitStatus; readonly message: string }>;
  /** Signals everything the task runs (its process group, or its container). Ignored once it ended. */
  signal(signal: NodeJS.Signals): void;
}

/** Starts the process of a command task; the executor calls it once per task. Rejects when it cannot start. */
export type TaskStarter = (
  command: CommandInfo,
  env: Record<string, string>,
  cwd: string,
  stdio?: { readonly stdout: number; readonly stderr: number },
) => Promise<TaskProcess>;

/** The task on the host: its own session (so a group signal reaches what it forks), output to `stdio`. */
export const startHostTaskProcess: TaskStarter = async (command, env, cwd, stdio) => {
  const { file, args, argv0 } = commandArgv(command);
  const child = spawn(file, args, { argv0, env, cwd, detached: true, stdio: ['ignore', stdio?.stdout ?? 'inherit', stdio?.stderr ?? 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  return hostProcess(child);
};

function hostProcess(child: ChildProcess): TaskProcess {
  let done = false;
  const exited = new Promise<{ status: ExitStatus; message: string }>((resolve) => {
    child.once('exit', (code, signal) => {
      done = true;
      const status = exitStatus(code, signal);
      resolve({ status, message: describeExit(status) });
    });
  });
  return {
    pid: child.pid!,
    exited,
    signal(signal) {
      if (done) return;
      try {
        process.kill(-child.pid!, signal);
      } catch {
        try {
          child.kill(signal);
        } catch {
          // Gone already.
        }
      }
    },
  };
}

export class CommandTask {
  readonly #process: TaskProcess;
  readonly exited: Promise<TaskExit>;
  #killed = false;
  #exitedYet = false;
  #escalation: NodeJS.Timeout | undefined;
  #escalateAt = Infinity;

  /** Resolves once the process runs; rejects when it cannot be started. `starter` defaults to a host process. */
  static async start(
    command: CommandInfo,
    env: Record<string, string>,
    cwd: string,
    stdio?: { stdout: number; stderr: number },
    starter: TaskStarter = startHostTaskProcess,
  ): Promise<CommandTask> {
    return new CommandTask(await starter(command, env, cwd, stdio));
  }

  private constructor(process: TaskProcess) {
    this.#process = process;
    this.exited = process.exited.then(({ status, message }) => {
      this.#exitedYet = true;
      clearTimeout(this.#escalation);
      return { status, killed: this.#killed, message };
    });
  }

  get pid(): number {
    return this.#process.pid;
  }

  get killing(): boolean {
    return this.#killed;
  }

  /**
   * SIGTERM to the task now, SIGKILL after `gracePeriodMs`. A second kill may
   * only shorten the remaining grace (as Mesos' executor allows).
   */
  kill(gracePeriodMs: number): void {
    if (this.#exitedYet) return;
    const escalateAt = Date.now() + gracePeriodMs;
    if (!this.#killed) {
      this.#killed = true;
      this.#process.signal('SIGTERM');
    }
    if (escalateAt >= this.#escalateAt) return;
    this.#escalateAt = escalateAt;
    clearTimeout(this.#escalation);
    this.#escalation = setTimeout(() => this.#process.signal('SIGKILL'), gracePeriodMs);
  }

  /** SIGKILL everything now (executor going away). */
  destroy(): void {
    if (!this.#exitedYet) this.#process.signal('SIGKILL');
  }
}
