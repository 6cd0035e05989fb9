/**
 * Writes what a restarted agent needs to find its executors again, for
 * frameworks with FrameworkInfo.checkpoint (layout in paths.ts): the
 * framework, executor and task infos and the executor's pid. Status updates
 * are logged by the status update manager (status-updates/checkpoint.ts).
 *
 * Recovery itself (reading this back, reconnecting to live executors,
 * replaying update logs) is a later issue; this is the write side of it.
 */
import { toBinary } from '@bufbuild/protobuf';
import type { Logger } from 'pino';

import {
  type FrameworkInfo,
  FrameworkInfoSchema,
  ExecutorInfoSchema,
  type TaskInfo,
  TaskInfoSchema,
} from '../protocol/gen/mesos/v1/mesos_pb.js';
import { replaceSymlink } from './containerizer/containerizer.js';
import { executorInfoPath, forkedPidPath, frameworkInfoPath, metaLatestRunLink, type RunIds, taskInfoPath } from './paths.js';
import type { ExecutorRecord } from './state.js';
import { writeFileAtomic } from './status-updates/checkpoint.js';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';

export class RunCheckpointer {
  readonly #workDir: string;
  readonly #logger: Logger;

  constructor(workDir: string, logger: Logger) {
    this.#workDir = workDir;
    this.#logger = logger;
  }

  framework(agentId: string, info: FrameworkInfo): Promise<void> {
    return this.#write(frameworkInfoPath(this.#workDir, agentId, info.id!.value), toBinary(FrameworkInfoSchema, info));
  }

  async executor(framework: FrameworkInfo, executor: ExecutorRecord): Promise<void> {
    const ids = executor.runIds;
    await this.framework(ids.agentId, framework);
    await this.#write(executorInfoPath(this.#workDir, ids.agentId, ids.frameworkId, ids.executorId), toBinary(ExecutorInfoSchema, executor.info));
    const latest = metaLatestRunLink(this.#workDir, ids);
    try {
      await mkdir(dirname(latest), { recursive: true });
      await replaceSymlink(ids.containerId, latest);
    } catch (err) {
      this.#logger.error({ err, path: latest }, 'failed to checkpoint the latest run link');
    }
  }

  task(ids: RunIds, task: TaskInfo): Promise<void> {
    return this.#write(taskInfoPath(this.#workDir, ids, task.taskId!.value), toBinary(TaskInfoSchema, task));
  }

  pid(ids: RunIds, pid: number): Promise<void> {
    return this.#write(forkedPidPath(this.#workDir, ids), `${pid}\n`);
  }

  async #write(path: string, bytes: Uint8Array | string): Promise<void> {
    try {
      await writeFileAtomic(path, bytes);
    } catch (err) {
      // Losing a checkpoint only hurts a future recovery; the task keeps running.
      this.#logger.error({ err, path }, 'failed to write checkpoint');
    }
  }
}
