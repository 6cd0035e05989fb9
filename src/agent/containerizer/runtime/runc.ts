/**
 * The runc command line, with our state root (`runc --root <runtime_dir>/runc`,
 * so nothing lands in /run/runc and orphans are ours to find).
 *
 * Containers run in the foreground (`runc run`, not `create`/`start`): runc
 * stays the parent of the container's init, so its exit code is the init's
 * (128 + signal when killed), which is the only way to get an exit status
 * without being the init's parent or a subreaper. `--keep` leaves the
 * stopped container and its cgroups in place, so the OOM counters can be read
 * after the exit; `delete` then removes both.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, rmdirSync, rmSync } from 'node:fs';
import { delimiter, join } from 'node:path';

import { RuntimeError } from '../isolators/errors.js';

export interface RuncOptions {
  /** The runc binary (a name looked up in PATH, or a path). */
  readonly binary: string;
  /** `--root`: runc's state directory. */
  readonly root: string;
}

/** The argv of `runc run` for one container (to be started under the status wrapper). */
export function runcRunArgs(options: RuncOptions, args: { containerId: string; bundle: string; pidFile: string; logFile: string }): string[] {
  return [
    options.binary,
    '--root', options.root,
    '--log', args.logFile,
    '--log-format', 'json',
    'run', '--keep', '--no-new-keyring',
    '--bundle', args.bundle,
    '--pid-file', args.pidFile,
    args.containerId,
  ];
}

/** Runs a short runc command; resolves with stdout, rejects with RuntimeError carrying stderr. */
function runc(options: RuncOptions, containerId: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(options.binary, ['--root', options.root, ...args], { timeout: 30_000 }, (err, stdout, stderr) => {
      if (err) reject(new RuntimeError(containerId, `runc ${args.join(' ')} failed: ${stderr.trim() || err.message}`, err));
      else resolve(stdout);
    });
  });
}

export async function runcKill(options: RuncOptions, containerId: string, signal: string): Promise<void> {
  try {
    await runc(options, containerId, ['kill', containerId, signal]);
  } catch (err) {
    // A container that already stopped (or was deleted) cannot be signalled: nothing to do.
    if (/not running|does not exist|container not running|process already finished/i.test((err as Error).message)) return;
    throw err;
  }
}

/** `runc delete --force`: kills what is left, removes runc's state and the container cgroups. Idempotent. */
export async function runcDelete(options: RuncOptions, containerId: string): Promise<void> {
  try {
    await runc(options, containerId, ['delete', '--force', containerId]);
  } catch (err) {
    if (/does not exist/i.test((err as Error).message)) return;
    throw err;
  }
}

/**
 * What `runc delete` does for a container that has stopped, in-process: rmdir
 * the container's cgroups (the paths runc recorded in its state.json, in
 * every hierarchy, v1 and v2) and remove runc's state dir. Measured: saves
 * the ~8 ms of a `runc delete` exec per container (a fifth of a short
 * container's cost here). Falls back to `runc delete --force` whenever
 * anything is unexpected (no state.json, a cgroup still busy), so it only
 * ever takes the shortcut when the container is certainly gone.
 */
export async function deleteStopped(options: RuncOptions, containerId: string): Promise<void> {
  const stateDir = join(options.root, containerId);
  let cgroupPaths: string[];
  try {
    const state = JSON.parse(readFileSync(join(stateDir, 'state.json'), 'utf8')) as { cgroup_paths?: Record<string, string> };
    cgroupPaths = [...new Set(Object.values(state.cgroup_paths ?? {}))];
  } catch {
    return runcDelete(options, containerId);
  }
  for (const path of cgroupPaths) {
    try {
      rmdirSync(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return runcDelete(options, containerId);
    }
  }
  rmSync(stateDir, { recursive: true, force: true });
}

export interface RuncContainerState {
  readonly id: string;
  readonly pid: number;
  readonly status: string;
}

/** Containers runc knows under our root (for recovery). */
export async function runcList(options: RuncOptions): Promise<RuncContainerState[]> {
  if (!existsSync(options.root)) return [];
  const out = await runc(options, '(all)', ['list', '--format', 'json']);
  const parsed = JSON.parse(out.trim() === '' ? 'null' : out) as RuncContainerState[] | null;
  return parsed ?? [];
}

/** The last error runc logged (its JSON log), for launch failure messages. */
export function lastRuncError(logFile: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(logFile, 'utf8');
  } catch {
    return undefined;
  }
  const lines = text.trim().split('\n').reverse();
  for (const line of lines) {
    try {
      const entry = JSON.parse(line) as { level?: string; msg?: string };
      if (entry.level === 'error' || entry.level === 'fatal') return entry.msg;
    } catch {
      if (line.trim() !== '') return line.trim();
    }
  }
  return undefined;
}

/** Resolves a binary name against PATH (undefined when absent). */
export function findBinary(name: string, path = process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin'): string | undefined {
  if (name.includes('/')) return existsSync(name) ? name : undefined;
  for (const dir of path.split(delimiter)) {
    const candidate = join(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}
