/**
 * Starts a container's first process under a tiny `/bin/sh` wrapper that
 * outlives the agent and records the exit code in a file:
 *
 *   sh -c 's=$1; shift; "$@"; echo $? > "$s"' status-wrapper <status file> <argv...>
 *
 * Why a wrapper and a file: after an agent restart the container's process
 * is not our child any more, so waitpid() is impossible (and Node has no
 * subreaper without an addon). The wrapper is spawned detached (its own
 * session, stdio on sandbox files, not pipes), keeps running when the agent
 * dies, and leaves the status behind. While the agent lives, the wrapper's
 * 'exit' event tells us at once; after a restart we poll the file and the
 * wrapper's liveness (pid + start time, so a reused pid is not mistaken for it).
 *
 * Host processes (no rootfs) are also gated, as Mesos' launcher is: the
 * wrapper blocks reading fd 3 until release(), so isolators can put its pid in
 * the container's cgroups (and the fetcher can run) before the payload starts.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { constants } from 'node:os';

import type { ExitStatus } from '../../launcher/launcher.js';
import { exitStatus } from '../../launcher/posix.js';

export const STATUS_WRAPPER_SCRIPT = 's=$1; shift; "$@"; echo $? > "$s"';
/** EOF on fd 3 (the agent died before releasing it) must not start the payload: exit instead. */
export const GATE_SCRIPT = 'read _ <&3 || exit 125; exec 3<&-; exec "$@"';
const SH = '/bin/sh';

export interface SupervisedSpec {
  /** What the wrapper runs (runc run ..., or the payload). */
  readonly argv: readonly string[];
  readonly statusFile: string;
  readonly stdoutPath: string;
  readonly stderrPath: string;
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  /** Block on fd 3 until release() (host processes). */
  readonly gated: boolean;
  /** Unref the wrapper so it does not keep Node's event loop alive (see ContainerRuntimeOptions.unrefProcesses). */
  readonly unref: boolean;
}

export interface Supervised {
  readonly wrapperPid: number;
  /** /proc/<pid>/stat starttime: with the pid, identifies the wrapper across agent restarts. */
  readonly wrapperStartTime: string;
  /** Lets a gated wrapper run its payload. No-op when not gated. */
  release(): void;
  /** The wrapped command's exit code; null when the wrapper itself was killed (status lost). */
  readonly exited: Promise<number | null>;
}

export function startSupervised(spec: SupervisedSpec): Promise<Supervised> {
  const wrapped = [SH, '-c', STATUS_WRAPPER_SCRIPT, 'status-wrapper', spec.statusFile, ...spec.argv];
  const argv = spec.gated ? [SH, '-c', GATE_SCRIPT, 'gate', ...wrapped] : wrapped;
  const stdout = openSync(spec.stdoutPath, 'a');
  const stderr = openSync(spec.stderrPath, 'a');
  let child: ChildProcess;
  try {
    child = spawn(argv[0]!, argv.slice(1), {
      cwd: spec.cwd,
      env: { ...spec.env },
      detached: true,
      stdio: spec.gated ? ['ignore', stdout, stderr, 'pipe'] : ['ignore', stdout, stderr],
    });
  } finally {
    // The child holds its own copies.
    closeSync(stdout);
    closeSync(stderr);
  }
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', () => resolve(readStatus(spec.statusFile)));
    child.once('error', () => resolve(null));
  });
  if (spec.unref) child.unref();
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('spawn', () => {
      const gate = spec.gated ? (child.stdio[3] as NodeJS.WritableStream & { unref?: () => void }) : undefined;
      (gate as { unref?: () => void } | undefined)?.unref?.();
      resolve({
        wrapperPid: child.pid!,
        wrapperStartTime: processStartTime(child.pid!) ?? '',
        release: () => gate?.end('go\n'),
        exited,
      });
    });
  });
}

/** For a wrapper started by an earlier agent: polls its status file and liveness. */
export function watchSupervised(wrapperPid: number, wrapperStartTime: string, statusFile: string, intervalMs = 100, unref = false): Promise<number | null> {
  return new Promise((resolve) => {
    const check = () => {
      const code = readStatus(statusFile);
      if (code !== null) return resolve(code);
      if (processStartTime(wrapperPid) !== wrapperStartTime) {
        // The wrapper is gone; it may have written the status just before exiting.
        return resolve(readStatus(statusFile));
      }
      const timer = setTimeout(check, intervalMs);
      if (unref) timer.unref();
    };
    check();
  });
}

/** The code the wrapper wrote; null when missing or partly written. */
export function readStatus(statusFile: string): number | null {
  try {
    const text = readFileSync(statusFile, 'utf8').trim();
    return /^\d+$/.test(text) ? Number(text) : null;
  } catch {
    return null;
  }
}

/**
 * A shell/runc exit code as an ExitStatus: codes 129..192 mean "killed by
 * signal code-128" (runc and sh both report a signalled child that way). A
 * process that itself exits with such a code is indistinguishable; Mesos'
 * runc-less launcher has the same ambiguity for shell-wrapped commands.
 */
export function exitStatusFromCode(code: number): ExitStatus {
  if (code > 128 && code <= 128 + 64) {
    const name = (Object.keys(constants.signals) as NodeJS.Signals[]).find((s) => constants.signals[s] === code - 128);
    if (name !== undefined) return exitStatus(null, name);
  }
  return exitStatus(code, null);
}

/** Field 22 of /proc/<pid>/stat (clock ticks since boot), or undefined when the pid is gone. */
export function processStartTime(pid: number): string | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}
