/**
 * posix/mem: no isolation, only statistics: resident memory summed over the
 * container's process tree (Mesos' posix/mem). No limit is enforced.
 */
import type { UsageFields } from '../isolator.js';
import type { ProcessSample } from './procfs.js';
import { ProcessTreeIsolator } from './process-tree-isolator.js';

export class PosixMemIsolator extends ProcessTreeIsolator {
  readonly name = 'posix/mem';

  static create(): PosixMemIsolator {
    return new PosixMemIsolator();
  }

  protected usageOf(tree: readonly ProcessSample[]): UsageFields {
    const rss = tree.reduce((sum, p) => sum + p.rssBytes, 0);
    return { memRssBytes: BigInt(rss), memTotalBytes: BigInt(rss) };
  }
}
