/**
 * The two OCI runtimes we can drive, measured on this machine (docs/isolation.md):
 *
 *   runc  works as installed. It must be given the cgroup (cgroupsPath) and
 *         joins it itself before exec; it deletes the cgroup at exit unless
 *         `--keep`, so we run with --keep and delete afterwards (in-process
 *         when safe, see runc.ts). ~35 ms CPU per container.
 *   crun  ~2x faster (~16 ms CPU). Run with `--cgroup-manager=disabled`: it
 *         never touches cgroups; instead the gated wrapper that will exec crun
 *         is put into our cgroups first (Mesos' isolate-before-exec), and the
 *         container inherits them. On a hybrid host crun refuses to start
 *         while /sys/fs/cgroup/unified offers controllers, so it runs in a
 *         private mount namespace where that mount is hidden by a tmpfs.
 *
 * `gated`: the wrapper must be isolated before it may exec the runtime.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

import type { CgroupLayout } from '../isolators/cgroups/layout.js';
import { IsolationConfigError, RuntimeError } from '../isolators/errors.js';
import type { RuntimePaths } from './paths.js';
import type { ContainerRuntimeOptions } from './types.js';
import { deleteStopped, findBinary, type RuncOptions, runcDelete, runcKill, runcList, runcRunArgs } from './runc.js';
import { execFile } from 'node:child_process';

export type OciRuntimeName = 'runc' | 'crun';

export interface RunArgs {
  readonly containerId: string;
  readonly bundle: string;
  readonly pidFile: string;
  readonly logFile: string;
}

export interface OciBackend {
  readonly name: OciRuntimeName;
  readonly gated: boolean;
  runArgs(args: RunArgs): string[];
  /** Signals the container (pid = its init as seen from the host). */
  kill(containerId: string, pid: number | undefined, signal: NodeJS.Signals): Promise<void>;
  /** After the exit (`exited`: the status is known) or to get rid of a container: state and runtime-made cgroups. */
  remove(containerId: string, exited: boolean): Promise<void>;
  /** Container ids the runtime has state for under our root. */
  list(): Promise<string[]>;
}

export function runcBackend(options: RuncOptions): OciBackend {
  return {
    name: 'runc',
    gated: false,
    runArgs: (args) => runcRunArgs(options, args),
    kill: (id, _pid, signal) => runcKill(options, id, signal),
    remove: (id, exited) => (exited ? deleteStopped(options, id) : runcDelete(options, id)),
    list: async () => (await runcList(options)).map((c) => c.id),
  };
}

export interface CrunOptions {
  readonly binary: string;
  readonly root: string;
  /** The cgroup2 mount to hide (hybrid hosts), or undefined. */
  readonly hideUnified: string | undefined;
}

/** `unshare -m sh -c 'mount -t tmpfs ... <unified> && exec "$@"'` in front of crun on hybrid hosts. */
function crunCommand(options: CrunOptions, args: readonly string[]): string[] {
  const crun = [options.binary, '--cgroup-manager=disabled', '--root', options.root, ...args];
  if (options.hideUnified === undefined) return crun;
  return ['unshare', '-m', '/bin/sh', '-c', 'mount -t tmpfs -o size=64k none "$0" && exec "$@"', options.hideUnified, ...crun];
}

export function crunBackend(options: CrunOptions): OciBackend {
  const exec = (id: string, args: string[]) =>
    new Promise<void>((resolve, reject) => {
      const argv = crunCommand(options, args);
      execFile(argv[0]!, argv.slice(1), { timeout: 30_000 }, (err, _out, stderr) =>
        err ? reject(new RuntimeError(id, `crun ${args.join(' ')} failed: ${stderr.trim() || err.message}`, err)) : resolve(),
      );
    });
  return {
    name: 'crun',
    gated: true,
    runArgs: (args) =>
      crunCommand(options, ['--log', `file:${args.logFile}`, '--log-format', 'json', 'run', '--bundle', args.bundle, '--pid-file', args.pidFile, args.containerId]),
    kill: async (_id, pid, signal) => {
      // The init's pid from --pid-file; in its own pid namespace, SIGKILL to it ends every process.
      if (pid === undefined) return;
      try {
        process.kill(pid, signal);
      } catch {
        // Already gone.
      }
    },
    // crun removes its state when `run` ends; only a crun killed mid-way leaves some.
    remove: async (id) => {
      if (existsSync(join(options.root, id))) await exec(id, ['delete', '--force', id]);
    },
    list: async () => (existsSync(options.root) ? readdirSync(options.root) : []),
  };
}

/**
 * The OCI runtime for containers with a rootfs. `auto` (the default) takes crun
 * when installed, else runc: crun measured about 2x faster per container here
 * and is the only one that meets the 1,000-containers floor (docs/isolation.md).
 */
export function selectOciBackend(
  options: Pick<ContainerRuntimeOptions, 'ociRuntime' | 'runc' | 'crun'>,
  paths: RuntimePaths,
  layout: CgroupLayout | undefined,
): OciBackend {
  const choice = options.ociRuntime ?? 'auto';
  const crun = choice === 'runc' ? undefined : findBinary(options.crun ?? 'crun');
  const runc = choice === 'crun' || crun !== undefined ? undefined : findBinary(options.runc ?? 'runc');
  if (crun !== undefined) {
    // crun refuses hybrid hosts whose cgroup2 mount offers controllers; hide that mount from it.
    const hide = layout?.kind === 'hybrid' && layout.v2 !== undefined && layout.v2.controllers.size > 0 ? layout.v2.mountPoint : undefined;
    return crunBackend({ binary: crun, root: paths.crunRoot, hideUnified: hide });
  }
  if (runc !== undefined) return runcBackend({ binary: runc, root: paths.runcRoot });
  const wanted = choice === 'auto' ? 'crun or runc' : choice;
  throw new IsolationConfigError(`filesystem/linux needs ${wanted}, and none was found in PATH; install one: apt-get install ${choice === 'auto' ? 'crun' : choice}`);
}
