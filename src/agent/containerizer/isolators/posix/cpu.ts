/**
 * posix/cpu: no isolation, only statistics: CPU time summed over the
 * container's process tree (Mesos' posix/cpu). The default `--isolation` and
 * the fallback for machines without root or cgroups.
 */
import type { UsageFields } from '../isolator.js';
import type { ProcessSample } from './procfs.js';
import { ProcessTreeIsolator } from './process-tree-isolator.js';

export class PosixCpuIsolator extends ProcessTreeIsolator {
  readonly name = 'posix/cpu';

  static create(): PosixCpuIsolator {
    return new PosixCpuIsolator();
  }

  protected usageOf(tree: readonly ProcessSample[]): UsageFields {
    return {
      cpusUserTimeSecs: tree.reduce((sum, p) => sum + p.userSecs, 0),
      cpusSystemTimeSecs: tree.reduce((sum, p) => sum + p.systemSecs, 0),
      processes: tree.length,
      threads: tree.reduce((sum, p) => sum + p.threads, 0),
    };
  }
}
