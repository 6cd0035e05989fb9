/**
 * The per-container cgroups one cgroups isolator owns: the same relative path
 * (`<root>/<containerId>`) in each hierarchy serving its controllers. Shared by
 * cgroups/cpu and cgroups/mem so that both create, find, list and remove their
 * cgroups the same way, on v1 and v2.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

import { CgroupError } from '../errors.js';
import { addProcessIfAlive, createCgroup, enableV2Controllers, readProcs, removeCgroup } from './files.js';
import { type CgroupLayout, type CgroupVersion, cgroupDir, containerCgroup, locateController } from './layout.js';

export interface CgroupsOptions {
  readonly layout: CgroupLayout;
  /** `--cgroups_root`, e.g. `mesos`. */
  readonly root: string;
}

export interface ControllerDir {
  readonly controller: string;
  readonly version: CgroupVersion;
  readonly mountPoint: string;
}

export class ContainerCgroups {
  readonly #options: CgroupsOptions;
  readonly #hierarchies: readonly ControllerDir[];
  /** containerId → relative cgroup path, for every container this isolator prepared or recovered. */
  readonly #cgroups = new Map<string, string>();

  /**
   * `controllers` in v1 names; `optional` ones are skipped when absent (cpuacct
   * has no v2 counterpart: v2 `cpu.stat` carries the usage).
   */
  constructor(options: CgroupsOptions, controllers: readonly string[], optional: readonly string[] = []) {
    this.#options = options;
    const dirs: ControllerDir[] = [];
    for (const controller of controllers) {
      let location;
      try {
        location = locateController(options.layout, controller);
      } catch (err) {
        if (optional.includes(controller)) continue;
        throw err;
      }
      dirs.push({ controller, ...location });
    }
    this.#hierarchies = dirs;
  }

  get root(): string {
    return this.#options.root;
  }

  /** The hierarchy serving `controller` (first match), for reading and writing its files. */
  hierarchy(controller: string): ControllerDir | undefined {
    return this.#hierarchies.find((h) => h.controller === controller);
  }

  /** Remembers the container's cgroup path; returns it. */
  track(containerId: string, parentIds: readonly string[]): string {
    const cgroup = containerCgroup(this.#options.root, parentIds, containerId);
    this.#cgroups.set(containerId, cgroup);
    return cgroup;
  }

  cgroupOf(containerId: string): string | undefined {
    return this.#cgroups.get(containerId);
  }

  /** The absolute cgroup directory of a tracked container for `controller`; throws if untracked. */
  dir(containerId: string, controller: string): string {
    const cgroup = this.#cgroups.get(containerId);
    const hierarchy = this.hierarchy(controller);
    if (cgroup === undefined || hierarchy === undefined) {
      throw new CgroupError(`${controller}:${containerId}`, 'no such container cgroup; was the container prepared by this isolator?');
    }
    return cgroupDir(hierarchy, cgroup);
  }

  /** Creates the container's cgroup in every hierarchy (v2: enabling the controllers on the way down). */
  create(containerId: string): void {
    const cgroup = this.#cgroups.get(containerId)!;
    for (const hierarchy of this.#distinctHierarchies()) {
      if (hierarchy.version === 'v2') {
        const controllers = this.#hierarchies.filter((h) => h.version === 'v2').map((h) => h.controller);
        enableV2Controllers(hierarchy.mountPoint, cgroup, controllers);
      }
      createCgroup(cgroupDir(hierarchy, cgroup));
    }
  }

  /** Moves `pid` into the container's cgroup in every hierarchy. */
  addProcess(containerId: string, pid: number): void {
    const cgroup = this.#cgroups.get(containerId)!;
    for (const hierarchy of this.#distinctHierarchies()) addProcessIfAlive(cgroupDir(hierarchy, cgroup), pid);
  }

  /** Processes in the container's cgroup (first hierarchy). */
  procs(containerId: string): number[] {
    const cgroup = this.#cgroups.get(containerId);
    const first = this.#hierarchies[0];
    if (cgroup === undefined || first === undefined) return [];
    return readProcs(cgroupDir(first, cgroup));
  }

  /** Removes the container's cgroups; forgets it. Unknown ids are fine. */
  remove(containerId: string): void {
    const cgroup = this.#cgroups.get(containerId);
    if (cgroup === undefined) return;
    for (const hierarchy of this.#distinctHierarchies()) removeCgroup(cgroupDir(hierarchy, cgroup));
    this.#cgroups.delete(containerId);
  }

  /**
   * SIGKILLs every process in the container's cgroup and waits (up to
   * `timeoutMs`) until the cgroup is empty, so that remove() can succeed. Used
   * for orphans found at recovery, which no launcher knows how to kill.
   */
  async killAll(containerId: string, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const pids = this.procs(containerId);
      if (pids.length === 0) return;
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
      if (Date.now() > deadline) {
        throw new CgroupError(this.#cgroups.get(containerId) ?? containerId, `processes ${pids.join(' ')} survived SIGKILL for ${timeoutMs} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /**
   * Top-level container ids that have a cgroup under `<root>` in any of our
   * hierarchies (for recovery: those neither known nor orphans are removed).
   */
  /**
   * After an agent restart: track the containers the agent knows (`known`) or
   * the runtime still has (`orphans`, destroyed later through cleanup); kill
   * and remove the cgroups of containers nobody knows.
   */
  async recover(known: readonly { containerId: string; parentIds: readonly string[] }[], orphans: readonly { containerId: string; parentIds: readonly string[] }[]): Promise<void> {
    for (const config of known) this.track(config.containerId, config.parentIds);
    const keep = new Set([...known, ...orphans].map((c) => c.containerId));
    for (const id of this.listContainers()) {
      if (keep.has(id)) continue;
      this.track(id, []);
      await this.killAll(id);
      this.remove(id);
    }
    for (const config of orphans) this.track(config.containerId, config.parentIds);
  }

  listContainers(): string[] {
    const ids = new Set<string>();
    for (const hierarchy of this.#distinctHierarchies()) {
      const rootDir = join(hierarchy.mountPoint, this.#options.root);
      if (!existsSync(rootDir)) continue;
      for (const entry of readdirSync(rootDir, { withFileTypes: true })) if (entry.isDirectory()) ids.add(entry.name);
    }
    return [...ids];
  }

  /** v1 co-mounts (cpu,cpuacct in one hierarchy) and v2 appear once. */
  #distinctHierarchies(): ControllerDir[] {
    const seen = new Set<string>();
    return this.#hierarchies.filter((h) => (seen.has(h.mountPoint) ? false : (seen.add(h.mountPoint), true)));
  }
}
