/**
 * posix/cpu: no isolation, only statistics: CPU time summed over the
 * container's process tree (Mesos' posix/cpu). The default `--isolation` and
 * the fallback for machines without root or cgroups.
 */
import type { ContainerConfig, Isolator, UsageFields } from '../isolator.js';
import { processTree } from './procfs.js';

export class PosixCpuIsolator implements Isolator {
  readonly name = 'posix/cpu';
  readonly #pids = new Map<string, number>();

  static create(): PosixCpuIsolator {
    return new PosixCpuIsolator();
  }

  async recover(known: readonly ContainerConfig[]): Promise<void> {
    for (const config of known) if (config.pid !== undefined) this.#pids.set(config.containerId, config.pid);
  }

  async isolate(containerId: string, pid: number): Promise<void> {
    this.#pids.set(containerId, pid);
  }

  async usage(containerId: string): Promise<UsageFields> {
    const pid = this.#pids.get(containerId);
    if (pid === undefined) return {};
    const tree = processTree(pid);
    return {
      cpusUserTimeSecs: tree.reduce((sum, p) => sum + p.userSecs, 0),
      cpusSystemTimeSecs: tree.reduce((sum, p) => sum + p.systemSecs, 0),
      processes: tree.length,
      threads: tree.reduce((sum, p) => sum + p.threads, 0),
    };
  }

  async cleanup(containerId: string): Promise<void> {
    this.#pids.delete(containerId);
  }
}
