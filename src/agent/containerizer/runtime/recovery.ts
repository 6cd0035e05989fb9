/**
 * Recovery after an agent restart, in Mesos' order:
 *   1. read every launch.json under <runtime_dir>/containers;
 *   2. force-delete containers the OCI runtime has under our root that no
 *      record mentions (the agent died between `runc run` and the checkpoint);
 *   3. split records into known (the agent's checkpoint has them) and orphans;
 *   4. isolators recover(known, orphans): rebuild their state, and remove
 *      cgroups of containers nobody knows at all;
 *   5. adopt both: watch their status files so wait()/destroy() work again;
 *   6. destroy the orphans.
 * Known ids without a record are reported as missing: the agent must treat
 * them as terminated (their exit status is gone).
 */
import { rmSync } from 'node:fs';

import type { Logger } from '../../../lib/logger.js';
import { IsolatorPhaseError } from '../isolators/errors.js';
import type { ContainerConfig, Isolator } from '../isolators/isolator.js';
import type { RuntimePaths } from './paths.js';
import { type LaunchKind, readLaunchRecords, readPidFile } from './records.js';
import type { OciBackend } from './oci-backend.js';
import { watchSupervised } from './supervisor.js';

export interface RecoverySummary {
  /** Known containers found again (wait() works on them). */
  readonly recovered: readonly string[];
  /** Containers the runtime had but the agent does not know: destroyed. */
  readonly orphans: readonly string[];
  /** Known ids with no trace in the runtime dir: treat as terminated. */
  readonly missing: readonly string[];
}

export interface RecoveryContext {
  readonly paths: RuntimePaths;
  readonly oci: OciBackend | undefined;
  readonly isolators: readonly Isolator[];
  readonly log: Logger;
  /** See ContainerRuntimeOptions.unrefProcesses. */
  readonly unref: boolean;
}

export async function recoverContainers(
  ctx: RecoveryContext,
  knownIds: readonly string[],
  adopt: (config: ContainerConfig, kind: LaunchKind, pid: number | undefined, exited: Promise<number | null>) => void,
  destroy: (containerId: string) => Promise<unknown>,
): Promise<RecoverySummary> {
  // 1.
  const { records, unreadable } = readLaunchRecords(ctx.paths);
  for (const id of unreadable) {
    ctx.log.warn({ containerId: id }, `Removing container ${id}: its launch record is unreadable`);
    if (ctx.oci) await ctx.oci.remove(id, false).catch(() => undefined);
    rmSync(ctx.paths.container(id), { recursive: true, force: true });
  }
  // 2.
  if (ctx.oci) {
    const recorded = new Set(records.map((r) => r.config.containerId));
    for (const stray of await ctx.oci.list()) {
      if (recorded.has(stray)) continue;
      ctx.log.warn({ containerId: stray }, `Destroying unknown ${ctx.oci.name} container ${stray}`);
      await ctx.oci.remove(stray, false);
    }
  }
  // 3.
  const wanted = new Set(knownIds);
  const known = records.filter((r) => wanted.has(r.config.containerId));
  const orphans = records.filter((r) => !wanted.has(r.config.containerId));
  // 4.
  for (const isolator of ctx.isolators) {
    if (!isolator.recover) continue;
    try {
      await isolator.recover(known.map((r) => r.config), orphans.map((r) => r.config));
    } catch (err) {
      throw new IsolatorPhaseError(isolator.name, 'recover', '(all)', err);
    }
  }
  // 5.
  for (const record of [...known, ...orphans]) {
    const id = record.config.containerId;
    const exited =
      record.wrapperPid !== undefined && record.wrapperStartTime !== undefined
        ? watchSupervised(record.wrapperPid, record.wrapperStartTime, ctx.paths.status(id), 100, ctx.unref)
        : Promise.resolve(null);
    // runc writes the pid file after the last checkpoint; host records carry the pid.
    adopt(record.config, record.kind, record.config.pid ?? readPidFile(ctx.paths.pid(id)), exited);
  }
  // 6.
  await Promise.all(orphans.map((r) => destroy(r.config.containerId)));
  const found = new Set(known.map((r) => r.config.containerId));
  return {
    recovered: [...found],
    orphans: orphans.map((r) => r.config.containerId),
    missing: knownIds.filter((id) => !found.has(id)),
  };
}
