/**
 * What posix/cpu and posix/mem share: no isolation, only statistics summed
 * over each container's process tree, which is found from the pid the
 * container was launched with.
 */
import type { ContainerConfig, Isolator, UsageFields } from '../isolator.js';
import { processTree, type ProcessSample } from './procfs.js';

export abstract class ProcessTreeIsolator implements Isolator {
  abstract readonly name: string;
  readonly #pids = new Map<string, number>();

  /** The statistics this isolator reports for a container's processes. */
  protected abstract usageOf(tree: readonly ProcessSample[]): UsageFields;

  async recover(known: readonly ContainerConfig[]): Promise<void> {
    for (const config of known) if (config.pid !== undefined) this.#pids.set(config.containerId, config.pid);
  }

  async isolate(containerId: string, pid: number): Promise<void> {
    this.#pids.set(containerId, pid);
  }

  async usage(containerId: string): Promise<UsageFields> {
    const pid = this.#pids.get(containerId);
    return pid === undefined ? {} : this.usageOf(processTree(pid));
  }

  async cleanup(containerId: string): Promise<void> {
    this.#pids.delete(containerId);
  }
}
