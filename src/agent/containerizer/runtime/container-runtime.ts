/**
 * The container runtime the agent's containerizer calls: isolators + runc
 * (containers with a rootfs) or a gated host process (no rootfs). One object
 * per agent; see docs/isolation.md for the API and the measurements behind it.
 *
 * launch():
 *   1. check the request; PREPARING: every isolator's prepare() → LaunchInfo
 *   2. fold them into one LaunchPlan (argv, env, cwd, mounts, namespaces, cgroup)
 *   3. ISOLATING: write the OCI bundle (rootfs) or start the gated host process
 *      and isolate(pid) it into the cgroups; checkpoint launch.json
 *   4. FETCHING: the caller's beforeStart() (the fetcher), nothing runs yet
 *   5. start: `runc run --keep` under the status wrapper (then isolate(pid),
 *      a no-op for cgroups: runc joined them before exec), or release the gate
 *   6. RUNNING: watch() every isolator; a limitation destroys the container
 * On exit (or destroy): DESTROYING → read limitations → runc delete → cleanup()
 * in reverse order → remove the runtime dir → wait() resolves.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';

import { create } from '@bufbuild/protobuf';

import { type ResourceStatistics, ResourceStatisticsSchema } from '../../../protocol/gen/mesos/v1/mesos_pb.js';
import type { Logger } from '../../../lib/logger.js';
import { describeExit, type ExitStatus } from '../../launcher/launcher.js';
import { type CgroupLayout, DEFAULT_CGROUPS_HIERARCHY, DEFAULT_CGROUPS_ROOT, detectHostLayout } from '../isolators/cgroups/layout.js';
import { IsolationConfigError, IsolatorPhaseError, RuntimeError, UnknownContainerError } from '../isolators/errors.js';
import type { ContainerConfig, ContainerLimitation, ContainerResources, Isolator, UsageFields } from '../isolators/isolator.js';
import { DEFAULT_OOM_POLL_INTERVAL_MS, DEFAULT_SANDBOX_DIRECTORY } from '../isolators/options.js';
import { createIsolators, DEFAULT_ISOLATION, needsCgroups, parseIsolation } from '../isolators/registry.js';
import { buildLaunchPlan, type LaunchPlan } from './launch-plan.js';
import { buildOciConfig, ociPlan } from './oci-config.js';
import { isValidContainerId, removeRuntimeDir, RuntimePaths } from './paths.js';
import { type LaunchKind, readPidFile, writeLaunchRecord } from './records.js';
import { type OciBackend, selectOciBackend } from './oci-backend.js';
import { lastRuncError } from './runc.js';
import { recoverContainers, type RecoverySummary } from './recovery.js';
import { ContainerState, transition } from './states.js';
import { exitStatusFromCode, startSupervised, type Supervised } from './supervisor.js';
import type { ContainerRuntimeOptions, LaunchRequest, LaunchedContainer, Termination } from './types.js';

export type { ContainerRuntimeOptions, LaunchRequest, LaunchedContainer, Termination } from './types.js';

interface Tracked {
  config: ContainerConfig;
  readonly kind: LaunchKind;
  state: ContainerState;
  pid: number | undefined;
  exited: Promise<number | null> | undefined;
  limitation: ContainerLimitation | undefined;
  /** Set by destroy(): the launch stops at its next step, a running container is killed. */
  destroyRequested: boolean;
  killedWith: NodeJS.Signals | undefined;
  readonly termination: Promise<Termination>;
  resolve: (termination: Termination) => void;
  finishing: boolean;
}

/** Validates the options and builds the isolators. Throws IsolationConfigError / UnknownIsolatorError. */
export function createContainerRuntime(options: ContainerRuntimeOptions): ContainerRuntime {
  return new ContainerRuntime(options);
}

export class ContainerRuntime {
  readonly isolation: readonly string[];
  /** The OCI runtime in use for containers with a rootfs (undefined without filesystem/linux). */
  readonly ociRuntime: 'runc' | 'crun' | undefined;
  readonly #isolators: readonly Isolator[];
  readonly #paths: RuntimePaths;
  readonly #oci: OciBackend | undefined;
  readonly #sandboxDirectory: string;
  readonly #log: Logger;
  readonly #unref: boolean;
  readonly #containers = new Map<string, Tracked>();
  /** Recent terminations, for wait() after the fact (bounded). */
  readonly #terminated = new Map<string, Termination>();

  constructor(options: ContainerRuntimeOptions) {
    const names = parseIsolation(options.isolation ?? DEFAULT_ISOLATION);
    if (needsCgroups(names) && process.getuid?.() !== 0) {
      throw new IsolationConfigError(
        `--isolation=${names.join(',')} needs root (cgroups); run the agent as root or use --isolation=posix/cpu,posix/mem`,
      );
    }
    this.#sandboxDirectory = options.sandboxDirectory ?? DEFAULT_SANDBOX_DIRECTORY;
    this.#log = options.log;
    this.#unref = options.unrefProcesses ?? false;
    this.#paths = new RuntimePaths(options.runtimeDir);
    let layout: CgroupLayout | undefined = options.cgroupsLayout;
    if (layout === undefined && (needsCgroups(names) || names.includes('filesystem/linux'))) {
      try {
        layout = detectHostLayout(options.cgroupsHierarchy ?? DEFAULT_CGROUPS_HIERARCHY);
      } catch (err) {
        if (needsCgroups(names)) throw err;
      }
    }
    if (names.includes('filesystem/linux')) this.#oci = selectOciBackend(options, this.#paths, layout);
    this.ociRuntime = this.#oci?.name;
    this.isolation = names;
    this.#isolators = createIsolators(names, {
      cgroupsHierarchy: options.cgroupsHierarchy ?? DEFAULT_CGROUPS_HIERARCHY,
      cgroupsRoot: options.cgroupsRoot ?? DEFAULT_CGROUPS_ROOT,
      cgroupsEnableCfs: options.cgroupsEnableCfs ?? false,
      ...(layout !== undefined ? { cgroupsLayout: layout } : {}),
      sandboxDirectory: this.#sandboxDirectory,
      dockerIgnoreRuntime: options.dockerIgnoreRuntime ?? false,
      oomPollIntervalMs: options.oomPollIntervalMs ?? DEFAULT_OOM_POLL_INTERVAL_MS,
      log: options.log,
    });
    mkdirSync(this.#paths.containers, { recursive: true });
  }

  state(containerId: string): ContainerState | undefined {
    return this.#containers.get(containerId)?.state;
  }

  containers(): string[] {
    return [...this.#containers.keys()];
  }

  async launch(request: LaunchRequest): Promise<LaunchedContainer> {
    // 1. Check, then PREPARING.
    const id = request.containerId;
    if (!isValidContainerId(id)) throw new RuntimeError(id, 'invalid container id: use letters, digits, ".", "_" and "-" only');
    if (this.#containers.has(id)) throw new RuntimeError(id, 'a container with this id already exists');
    if (request.rootfs !== undefined && this.#oci === undefined) {
      throw new IsolationConfigError(`Container ${id} has an image (rootfs) but 'filesystem/linux' is not in --isolation; add it`);
    }
    const config: ContainerConfig = {
      containerId: id,
      parentIds: request.parentIds ?? [],
      rootfs: request.rootfs,
      sandboxDir: request.sandboxDir,
      command: request.command,
      image: request.image,
      resources: request.resources,
    };
    const tracked = this.#track(config, request.rootfs !== undefined ? 'oci' : 'host', ContainerState.PREPARING);
    let supervised: Supervised | undefined;
    try {
      mkdirSync(this.#paths.container(id), { recursive: true });
      const prepared = [];
      for (const isolator of this.#isolators) {
        const info = isolator.prepare ? await this.#phase(isolator, 'prepare', id, () => isolator.prepare!(config)) : undefined;
        prepared.push({ isolator: isolator.name, info });
      }
      // 2. One plan.
      const plan = buildLaunchPlan(config, request.env, prepared, this.#sandboxDirectory);
      if (plan.namespaces.length > 0 && tracked.kind === 'host' && plan.namespaces.some((ns) => ns !== 'pid')) {
        throw new IsolationConfigError(`Container ${id}: namespaces ${plan.namespaces.join(',')} need an image (rootfs)`);
      }
      // 3. ISOLATING. Gated wrappers (host processes, crun) are isolated before they may exec anything.
      this.#transition(tracked, ContainerState.ISOLATING);
      const gated = tracked.kind === 'host' || this.#oci!.gated;
      if (tracked.kind === 'oci') this.#writeBundle(request, plan);
      if (gated) {
        supervised = await this.#start(request, plan, true);
        if (tracked.kind === 'host') tracked.pid = supervised.wrapperPid;
        await this.#isolate(tracked, supervised.wrapperPid);
      }
      this.#checkpoint(tracked, supervised);
      // 4. FETCHING.
      this.#transition(tracked, ContainerState.FETCHING);
      if (request.beforeStart) await request.beforeStart();
      this.#abortIfDestroyed(tracked);
      // 5. Start.
      if (gated) {
        supervised!.release();
      } else {
        supervised = await this.#start(request, plan, false);
        this.#checkpoint(tracked, supervised);
      }
      tracked.exited = supervised!.exited;
      if (tracked.kind === 'oci') {
        tracked.pid = await this.#awaitPid(id, supervised!.exited);
        if (tracked.pid === undefined) {
          const code = await supervised!.exited;
          const why = lastRuncError(this.#paths.runcLog(id)) ?? `${this.#oci!.name} exited with ${code} before starting it`;
          throw new RuntimeError(id, `failed to start: ${why}`);
        }
        // runc joined the cgroups before exec; isolators still learn the pid (posix usage, etc.).
        if (!gated) await this.#isolate(tracked, tracked.pid);
      }
      // 6. RUNNING.
      this.#transition(tracked, ContainerState.RUNNING);
      this.#watch(tracked);
      void tracked.exited.then((code) => this.#finish(tracked, code));
      if (tracked.destroyRequested) void this.kill(id, 'SIGKILL');
      return { containerId: id, pid: tracked.pid! };
    } catch (err) {
      // Undo whatever was done: a gated wrapper never released is killed (it never ran the
      // payload), a started container is killed, then the usual DESTROYING path cleans up.
      tracked.destroyRequested = true;
      if (supervised !== undefined && tracked.exited === undefined) {
        tracked.exited = supervised.exited;
        tracked.killedWith = 'SIGKILL';
        try {
          process.kill(-supervised.wrapperPid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      } else if (tracked.exited !== undefined) {
        await this.kill(id, 'SIGKILL').catch(() => undefined);
      }
      await this.#finish(tracked, tracked.exited === undefined ? null : await tracked.exited);
      throw err;
    }
  }

  /** Resolves when the container has ended and been cleaned up. */
  wait(containerId: string): Promise<Termination> {
    const tracked = this.#containers.get(containerId);
    if (tracked !== undefined) return tracked.termination;
    const done = this.#terminated.get(containerId);
    if (done !== undefined) return Promise.resolve(done);
    return Promise.reject(new UnknownContainerError(containerId));
  }

  /** Signals the container's processes (runc kill, or the host process group). Unknown or ended: no-op. */
  async kill(containerId: string, signal: NodeJS.Signals): Promise<void> {
    const tracked = this.#containers.get(containerId);
    if (tracked === undefined || tracked.exited === undefined) return;
    tracked.killedWith ??= signal === 'SIGKILL' ? signal : undefined;
    if (tracked.kind === 'oci') {
      await this.#oci!.kill(containerId, tracked.pid, signal);
    } else if (tracked.pid !== undefined) {
      try {
        process.kill(-tracked.pid, signal);
      } catch {
        // The group is gone.
      }
    }
  }

  /** Kills and cleans up; resolves with the termination (undefined for unknown ids). Idempotent. */
  async destroy(containerId: string): Promise<Termination | undefined> {
    const tracked = this.#containers.get(containerId);
    if (tracked === undefined) return this.#terminated.get(containerId);
    tracked.destroyRequested = true;
    if (tracked.state === ContainerState.RUNNING || tracked.state === ContainerState.DESTROYING) {
      await this.kill(containerId, 'SIGKILL');
    }
    return tracked.termination;
  }

  async update(containerId: string, resources: ContainerResources): Promise<void> {
    const tracked = this.#require(containerId);
    for (const isolator of this.#isolators) {
      if (isolator.update) await this.#phase(isolator, 'update', containerId, () => isolator.update!(containerId, resources));
    }
    tracked.config = { ...tracked.config, resources };
  }

  /** ResourceStatistics from every isolator's usage() (later isolators fill fields earlier ones left). */
  async usage(containerId: string): Promise<ResourceStatistics> {
    this.#require(containerId);
    const fields: UsageFields = {};
    for (const isolator of this.#isolators) {
      if (isolator.usage) Object.assign(fields, await this.#phase(isolator, 'usage', containerId, () => isolator.usage!(containerId)));
    }
    return create(ResourceStatisticsSchema, { timestamp: Date.now() / 1000, ...fields });
  }

  /** After an agent restart: see recovery.ts. `known`: the container ids the agent's checkpoint has. */
  recover(known: readonly string[]): Promise<RecoverySummary> {
    return recoverContainers(
      { paths: this.#paths, oci: this.#oci, isolators: this.#isolators, log: this.#log, unref: this.#unref },
      known,
      (config, kind, pid, exited) => {
        const tracked = this.#track(config, kind, ContainerState.RUNNING);
        tracked.pid = pid;
        tracked.exited = exited;
        this.#watch(tracked);
        void exited.then((code) => this.#finish(tracked, code));
      },
      (id) => this.destroy(id),
    );
  }

  // ---- internals ----

  #track(config: ContainerConfig, kind: LaunchKind, state: ContainerState): Tracked {
    let resolve!: (t: Termination) => void;
    const termination = new Promise<Termination>((r) => (resolve = r));
    const tracked: Tracked = {
      config, kind, state, pid: undefined, exited: undefined, limitation: undefined,
      destroyRequested: false, killedWith: undefined, termination, resolve, finishing: false,
    };
    this.#containers.set(config.containerId, tracked);
    return tracked;
  }

  #require(containerId: string): Tracked {
    const tracked = this.#containers.get(containerId);
    if (tracked === undefined) throw new UnknownContainerError(containerId);
    return tracked;
  }

  #transition(tracked: Tracked, to: ContainerState): void {
    this.#abortIfDestroyed(tracked);
    const from = tracked.state;
    tracked.state = transition(tracked.config.containerId, from, to);
    this.#log.debug({ containerId: tracked.config.containerId }, `Transitioning the state of container ${tracked.config.containerId} from ${from} to ${to}`);
  }

  #abortIfDestroyed(tracked: Tracked): void {
    if (tracked.destroyRequested && tracked.state !== ContainerState.DESTROYING) {
      throw new RuntimeError(tracked.config.containerId, `destroyed while ${tracked.state}`);
    }
  }

  async #phase<T>(isolator: Isolator, phase: string, containerId: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      throw new IsolatorPhaseError(isolator.name, phase, containerId, err);
    }
  }

  async #isolate(tracked: Tracked, pid: number): Promise<void> {
    for (const isolator of this.#isolators) {
      if (isolator.isolate) await this.#phase(isolator, 'isolate', tracked.config.containerId, () => isolator.isolate!(tracked.config.containerId, pid));
    }
  }

  #watch(tracked: Tracked): void {
    for (const isolator of this.#isolators) {
      if (!isolator.watch) continue;
      void isolator.watch(tracked.config.containerId).then((limitation) => {
        if (tracked.finishing || tracked.limitation !== undefined) return;
        tracked.limitation = limitation;
        this.#log.info({ containerId: tracked.config.containerId, reason: limitation.reason }, `Container ${tracked.config.containerId} has reached its limit for resource [${limitation.resources.join(', ')}] and will be terminated`);
        void this.destroy(tracked.config.containerId);
      });
    }
  }

  #writeBundle(request: LaunchRequest, plan: LaunchPlan): void {
    const id = request.containerId;
    mkdirSync(this.#paths.bundle(id), { recursive: true });
    writeFileSync(this.#paths.ociConfig(id), JSON.stringify(buildOciConfig(ociPlan(request.rootfs!, plan, request.user))));
  }

  /** Host processes: a pid namespace (namespaces/pid) through unshare, which also remounts /proc. */
  #start(request: LaunchRequest, plan: LaunchPlan, gated: boolean): Promise<Supervised> {
    const id = request.containerId;
    if (request.rootfs !== undefined) {
      return startSupervised({
        argv: this.#oci!.runArgs({ containerId: id, bundle: this.#paths.bundle(id), pidFile: this.#paths.pid(id), logFile: this.#paths.runcLog(id) }),
        statusFile: this.#paths.status(id),
        stdoutPath: request.stdoutPath,
        stderrPath: request.stderrPath,
        env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin' },
        cwd: this.#paths.container(id),
        gated,
        unref: this.#unref,
      });
    }
    const pidNs = plan.namespaces.includes('pid') ? ['unshare', '--pid', '--fork', '--kill-child', '--mount-proc'] : [];
    if (!existsSync(plan.cwd)) throw new RuntimeError(id, `working directory '${plan.cwd}' does not exist`);
    return startSupervised({
      argv: [...pidNs, ...plan.argv],
      statusFile: this.#paths.status(id),
      stdoutPath: request.stdoutPath,
      stderrPath: request.stderrPath,
      env: plan.env,
      cwd: plan.cwd,
      gated,
      unref: this.#unref,
    });
  }

  #checkpoint(tracked: Tracked, supervised: Supervised | undefined): void {
    writeLaunchRecord(this.#paths, {
      version: 1,
      config: { ...tracked.config, ...(tracked.pid !== undefined ? { pid: tracked.pid } : {}) },
      kind: tracked.kind,
      wrapperPid: supervised?.wrapperPid,
      wrapperStartTime: supervised?.wrapperStartTime,
    });
  }

  /** runc writes --pid-file once the init exists (before exec); poll until then or until runc gave up. */
  async #awaitPid(id: string, exited: Promise<number | null>): Promise<number | undefined> {
    let done = false;
    void exited.then(() => (done = true));
    for (;;) {
      const pid = readPidFile(this.#paths.pid(id));
      if (pid !== undefined) return pid;
      if (done) return readPidFile(this.#paths.pid(id));
      await new Promise((r) => setTimeout(r, 1));
    }
  }

  /** DESTROYING: limitations, runc delete, isolator cleanup (reverse order), runtime dir. Runs once. */
  async #finish(tracked: Tracked, code: number | null): Promise<void> {
    if (tracked.finishing) return tracked.termination.then(() => undefined);
    tracked.finishing = true;
    const id = tracked.config.containerId;
    if (tracked.state !== ContainerState.DESTROYING) {
      const from = tracked.state;
      tracked.state = transition(id, from, ContainerState.DESTROYING);
      this.#log.debug({ containerId: id }, `Transitioning the state of container ${id} from ${from} to DESTROYING`);
    }
    for (const isolator of this.#isolators) {
      if (tracked.limitation !== undefined) break;
      if (isolator.limitation) tracked.limitation = await isolator.limitation(id).catch(() => undefined);
    }
    const errors: string[] = [];
    if (tracked.kind === 'oci') {
      // A known exit status means the runtime's init is gone (and, in its pid namespace, every process).
      await this.#oci!.remove(id, code !== null && tracked.pid !== undefined).catch((err: Error) => errors.push(err.message));
    }
    for (const isolator of [...this.#isolators].reverse()) {
      if (isolator.cleanup) await isolator.cleanup(id).catch((err: Error) => errors.push(`${isolator.name}: ${err.message}`));
    }
    removeRuntimeDir(this.#paths, id);
    if (errors.length > 0) this.#log.warn({ containerId: id, errors }, `Failed to clean up container ${id} completely`);
    const status: ExitStatus | undefined =
      code !== null ? exitStatusFromCode(code) : tracked.killedWith !== undefined ? exitStatusFromCode(128 + os.constants.signals[tracked.killedWith]) : undefined;
    const termination: Termination = {
      containerId: id,
      status,
      limitation: tracked.limitation,
      destroyed: tracked.destroyRequested,
      message: tracked.limitation?.message ?? (status !== undefined ? describeExit(status) : 'The exit status was lost (the wrapper process was killed)'),
      cleanupErrors: errors,
    };
    this.#containers.delete(id);
    this.#terminated.set(id, termination);
    if (this.#terminated.size > 1024) this.#terminated.delete(this.#terminated.keys().next().value!);
    tracked.resolve(termination);
  }
}
