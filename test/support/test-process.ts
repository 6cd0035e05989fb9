/**
 * A mesoscale process started by a test: `node bin/mesoscale <args>` with
 * stdout and stderr going to one log file (read back on failure), stopped by
 * PID with SIGTERM and, if it lingers, SIGKILL.
 *
 * Each process leads its own process group, so whatever it spawned without
 * starting a new session dies with it. Executors do start their own session
 * (they must survive agent restarts); killProcessesIn() finds those by their
 * working directory, which is a sandbox under the agent's work_dir.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';

import { MESOSCALE_BIN, REPO_ROOT } from './repo.js';

export interface TestProcessOptions {
  /** Shown in messages and log dumps, e.g. `master` or `agent-1`. */
  name: string;
  /** Arguments after `mesoscale`. */
  args: readonly string[];
  logFile: string;
  env?: NodeJS.ProcessEnv;
}

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class TestProcess {
  readonly name: string;
  readonly logFile: string;
  readonly pid: number;
  /** Resolves when the process has exited (never rejects). */
  readonly exited: Promise<ExitStatus>;
  #status: ExitStatus | undefined;
  readonly #child: ChildProcess;

  private constructor(options: TestProcessOptions, child: ChildProcess) {
    this.name = options.name;
    this.logFile = options.logFile;
    this.#child = child;
    if (child.pid === undefined) throw new Error(`${options.name}: spawn failed`);
    this.pid = child.pid;
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.#status = { code, signal };
        resolve(this.#status);
      });
    });
  }

  static start(options: TestProcessOptions): TestProcess {
    const log = openSync(options.logFile, 'a');
    try {
      const child = spawn(process.execPath, [MESOSCALE_BIN, ...options.args], {
        cwd: REPO_ROOT,
        env: options.env ?? process.env,
        stdio: ['ignore', log, log],
        detached: true,
      });
      const started = new TestProcess(options, child);
      liveProcesses.add(started);
      void started.exited.then(() => liveProcesses.delete(started));
      return started;
    } finally {
      closeSync(log); // The child holds its own copy.
    }
  }

  /** Exit status once exited, else undefined. */
  get status(): ExitStatus | undefined {
    return this.#status;
  }

  logs(): string {
    try {
      return readFileSync(this.logFile, 'utf8');
    } catch {
      return '';
    }
  }

  /** SIGTERM to the process, SIGKILL to its group after `graceMs`. */
  async stop(graceMs = 5000): Promise<ExitStatus> {
    if (this.#status !== undefined) return this.#status;
    signalGroup(this.pid, 'SIGTERM', false);
    const timer = setTimeout(() => signalGroup(this.pid, 'SIGKILL', true), graceMs);
    const status = await this.exited;
    clearTimeout(timer);
    signalGroup(this.pid, 'SIGKILL', true); // Anything it left behind in its group.
    return status;
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals, wholeGroup: boolean): void {
  try {
    process.kill(wholeGroup ? -pid : pid, signal);
  } catch {
    // Already gone.
  }
}

/**
 * SIGKILLs processes whose working directory is inside `dir` (executors and
 * tasks in sandboxes under a test's work_dir). Linux only; elsewhere a no-op.
 */
export function killProcessesIn(dir: string): number[] {
  const root = path.resolve(dir) + path.sep;
  const killed: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return killed;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    try {
      const cwd = readlinkSync(`/proc/${entry}/cwd`);
      if ((cwd + path.sep).startsWith(root)) {
        process.kill(pid, 'SIGKILL');
        killed.push(pid);
      }
    } catch {
      // Exited meanwhile, or not ours to inspect.
    }
  }
  return killed;
}

/** Safety net: if the test runner exits without stopping them, take the processes along. */
const liveProcesses = new Set<TestProcess>();
process.once('exit', () => {
  for (const child of liveProcesses) signalGroup(child.pid, 'SIGKILL', true);
});
