/**
 * posix/mem: no isolation, only statistics: resident memory summed over the
 * container's process tree (Mesos' posix/mem). No limit is enforced.
 */
import type { ContainerConfig, Isolator, UsageFields } from '../isolator.js';
import { processTree } from './procfs.js';

export class PosixMemIsolator implements Isolator {
  readonly name = 'posix/mem';
  readonly #pids = new Map<string, number>();

  static create(): PosixMemIsolator {
    return new PosixMemIsolator();
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
    const rss = processTree(pid).reduce((sum, p) => sum + p.rssBytes, 0);
    return { memRssBytes: BigInt(rss), memTotalBytes: BigInt(rss) };
  }

  async cleanup(containerId: string): Promise<void> {
    this.#pids.delete(containerId);
  }
}
