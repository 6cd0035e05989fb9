/**
 * The POSIX launcher: containers are plain process trees, no isolation.
 *
 * Each container's first process starts in its own session (setsid, via
 * `detached`), so it survives an agent restart and a signal to its process
 * group reaches what it forks in that group. Executors such as the command
 * executor start their task in yet another session (to signal it alone), so
 * a group signal is not enough to destroy a container: every process also
 * carries `MESOSCALE_CONTAINER_ID` in its environment, and kill() signals
 * the groups of all processes found with it under /proc (Linux). Mesos'
 * posix launcher walks the process tree instead; the marker also finds
 * processes re-parented to init after their executor died.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { constants } from 'node:os';

import { LaunchError } from '../errors.js';
import type { ExitStatus, LaunchedContainer, Launcher, LaunchSpec } from './launcher.js';

/** Environment variable that tags every process of a container. */
export const CONTAINER_MARKER_ENV = 'MESOSCALE_CONTAINER_ID';

interface Running {
  readonly pid: number;
  readonly exited: Promise<ExitStatus>;
  done: boolean;
}

export class PosixLauncher implements Launcher {
  readonly #containers = new Map<string, Running>();

  async launch(spec: LaunchSpec): Promise<LaunchedContainer> {
    const [program, ...args] = spec.argv;
    if (program === undefined) throw new LaunchError(`Container ${spec.containerId}: empty command line`);
    const stdout = openSync(spec.stdoutPath, 'a');
    const stderr = openSync(spec.stderrPath, 'a');
    let child;
    try {
      child = spawn(program, args, {
        cwd: spec.cwd,
        env: { ...spec.env, [CONTAINER_MARKER_ENV]: spec.containerId },
        detached: true,
        stdio: ['ignore', stdout, stderr],
      });
      await new Promise<void>((resolve, reject) => {
        child!.once('spawn', resolve);
        child!.once('error', reject);
      });
    } catch (err) {
      throw new LaunchError(`Failed to launch '${program}' in '${spec.cwd}': ${(err as Error).message}`, err);
    } finally {
      // The child has its own copies of the descriptors.
      closeSync(stdout);
      closeSync(stderr);
    }
    const pid = child.pid!;
    const running: Running = {
      pid,
      done: false,
      exited: new Promise<ExitStatus>((resolve) => {
        child.once('exit', (code, signal) => {
          running.done = true;
          resolve(exitStatus(code, signal));
        });
      }),
    };
    // The agent must be able to exit (and restart) while containers run on.
    child.unref();
    // Kept until destroy(), also after exit: its re-parented children may still need killing.
    this.#containers.set(spec.containerId, running);
    return { containerId: spec.containerId, pid, exited: running.exited };
  }

  kill(containerId: string, signal: NodeJS.Signals): void {
    const running = this.#containers.get(containerId);
    if (running !== undefined && !running.done) signalGroup(running.pid, signal);
    for (const pid of processesOfContainer(containerId)) {
      signalGroup(pid, signal);
      signalPid(pid, signal);
    }
  }

  async destroy(containerId: string): Promise<void> {
    this.kill(containerId, 'SIGKILL');
    const running = this.#containers.get(containerId);
    if (running !== undefined) await running.exited;
    this.#containers.delete(containerId);
  }
}

export function exitStatus(code: number | null, signal: NodeJS.Signals | null): ExitStatus {
  const waitStatus = signal !== null ? (constants.signals[signal] ?? 0) : ((code ?? 0) & 0xff) << 8;
  return { code, signal, waitStatus };
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is gone (or pid was not a group leader).
  }
}

function signalPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}

/** Pids whose environment carries the container's marker (Linux /proc; empty elsewhere). */
export function processesOfContainer(containerId: string): number[] {
  const needle = Buffer.from(`\0${CONTAINER_MARKER_ENV}=${containerId}\0`);
  const first = Buffer.from(`${CONTAINER_MARKER_ENV}=${containerId}\0`);
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const out: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    try {
      const env = readFileSync(`/proc/${entry}/environ`);
      if (env.includes(needle) || env.subarray(0, first.length).equals(first)) out.push(pid);
    } catch {
      // Another user's process, or it just exited.
    }
  }
  return out;
}
