/**
 * The process of one command task, as the command executor runs it:
 * `shell=true` → `/bin/sh -c <value>`; `shell=false` → `<value>` with
 * `arguments` as argv (argv[0] included). The task gets its own session so
 * a kill reaches everything it forked: SIGTERM to the group, then SIGKILL
 * when the grace period ends. Output goes to the executor's stdout/stderr,
 * which are the sandbox's `stdout` and `stderr` files.
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

export class CommandTask {
  readonly #child: ChildProcess;
  readonly exited: Promise<TaskExit>;
  #killed = false;
  #exitedYet = false;
  #escalation: NodeJS.Timeout | undefined;
  #escalateAt = Infinity;

  /** Resolves once the process runs; rejects when it cannot be started. */
  static async start(command: CommandInfo, env: Record<string, string>, cwd: string, stdio?: { stdout: number; stderr: number }): Promise<CommandTask> {
    const { file, args, argv0 } = commandArgv(command);
    const child = spawn(file, args, { argv0, env, cwd, detached: true, stdio: ['ignore', stdio?.stdout ?? 'inherit', stdio?.stderr ?? 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    return new CommandTask(child);
  }

  private constructor(child: ChildProcess) {
    this.#child = child;
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.#exitedYet = true;
        clearTimeout(this.#escalation);
        const status = exitStatus(code, signal);
        resolve({ status, killed: this.#killed, message: describeExit(status) });
      });
    });
  }

  get pid(): number {
    return this.#child.pid!;
  }

  get killing(): boolean {
    return this.#killed;
  }

  /**
   * SIGTERM to the task's group now, SIGKILL after `gracePeriodMs`. A second
   * kill may only shorten the remaining grace (as Mesos' executor allows).
   */
  kill(gracePeriodMs: number): void {
    if (this.#exitedYet) return;
    const escalateAt = Date.now() + gracePeriodMs;
    if (!this.#killed) {
      this.#killed = true;
      this.#signal('SIGTERM');
    }
    if (escalateAt >= this.#escalateAt) return;
    this.#escalateAt = escalateAt;
    clearTimeout(this.#escalation);
    this.#escalation = setTimeout(() => this.#signal('SIGKILL'), gracePeriodMs);
  }

  /** SIGKILL everything now (executor going away). */
  destroy(): void {
    if (!this.#exitedYet) this.#signal('SIGKILL');
  }

  #signal(signal: NodeJS.Signals): void {
    try {
      process.kill(-this.pid, signal);
    } catch {
      try {
        this.#child.kill(signal);
      } catch {
        // Gone already.
      }
    }
  }
}
