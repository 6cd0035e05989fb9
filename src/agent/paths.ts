/**
 * The agent's on-disk layout, after Mesos' `src/slave/paths.hpp`. Everything
 * the agent writes under `--work_dir` is named here, so recovery (a later
 * issue) reads back exactly what was written.
 *
 *   <work_dir>/
 *   ├── slaves/<agent_id>/frameworks/<framework_id>/executors/<executor_id>/runs/
 *   │   ├── latest -> <container_id>               symlink to the current run
 *   │   └── <container_id>/                        the SANDBOX of one executor run
 *   │       ├── stdout, stderr                     executor (and command task) output
 *   │       └── ...                                fetched URIs, task files
 *   └── meta/                                      CHECKPOINTS (only for frameworks
 *       └── slaves/                                with FrameworkInfo.checkpoint,
 *           ├── latest -> <agent_id>               except the agent's own identity)
 *           └── <agent_id>/
 *               ├── slave.info                     AgentInfo (binary protobuf)
 *               └── frameworks/<framework_id>/
 *                   ├── framework.info             FrameworkInfo
 *                   └── executors/<executor_id>/
 *                       ├── executor.info          ExecutorInfo
 *                       └── runs/
 *                           ├── latest -> <container_id>
 *                           └── <container_id>/
 *                               ├── pids/forked.pid          executor pid (decimal)
 *                               └── tasks/<task_id>/
 *                                   ├── task.info            TaskInfo
 *                                   └── task.updates         status update stream,
 *                                                            append-only (checkpoint.ts)
 *
 * IDs become path components, so every id is checked by `component()`:
 * an id such as `../x` must never leave its directory.
 */
import { join } from 'node:path';

export const LATEST = 'latest';
export const STDOUT = 'stdout';
export const STDERR = 'stderr';
export const AGENT_INFO_FILE = 'slave.info';
export const FRAMEWORK_INFO_FILE = 'framework.info';
export const EXECUTOR_INFO_FILE = 'executor.info';
export const FORKED_PID_FILE = 'forked.pid';
export const TASK_INFO_FILE = 'task.info';
export const TASK_UPDATES_FILE = 'task.updates';

/** An id used as one path component. Rejects separators and dot-names. */
export function component(kind: string, id: string): string {
  if (id === '' || id === '.' || id === '..' || id.includes('/') || id.includes('\0')) {
    throw new Error(`${kind} '${id}' cannot be used as a directory name (empty, '.', '..', '/' or NUL)`);
  }
  return id;
}

export interface RunIds {
  agentId: string;
  frameworkId: string;
  executorId: string;
  containerId: string;
}

// ---------------------------------------------------------------- sandboxes

export function agentDir(workDir: string, agentId: string): string {
  return join(workDir, 'slaves', component('agent id', agentId));
}

export function frameworkDir(workDir: string, agentId: string, frameworkId: string): string {
  return join(agentDir(workDir, agentId), 'frameworks', component('framework id', frameworkId));
}

export function executorRunsDir(workDir: string, agentId: string, frameworkId: string, executorId: string): string {
  return join(frameworkDir(workDir, agentId, frameworkId), 'executors', component('executor id', executorId), 'runs');
}

/** The sandbox of one executor run. */
export function sandboxDir(workDir: string, ids: RunIds): string {
  return join(executorRunsDir(workDir, ids.agentId, ids.frameworkId, ids.executorId), component('container id', ids.containerId));
}

/** `.../runs/latest`, the symlink to the current run's sandbox. */
export function latestSandboxLink(workDir: string, ids: Omit<RunIds, 'containerId'>): string {
  return join(executorRunsDir(workDir, ids.agentId, ids.frameworkId, ids.executorId), LATEST);
}

/** The virtual path `/files` also serves a sandbox under (reference 7.6). */
export function virtualSandboxPath(frameworkId: string, executorId: string): string {
  return `/frameworks/${frameworkId}/executors/${executorId}/runs/${LATEST}`;
}

// ---------------------------------------------------------------- checkpoints

export function metaDir(workDir: string): string {
  return join(workDir, 'meta');
}

export function metaAgentsDir(workDir: string): string {
  return join(metaDir(workDir), 'slaves');
}

/** Symlink whose target's basename is the agent id to reuse after a restart. */
export function latestAgentLink(workDir: string): string {
  return join(metaAgentsDir(workDir), LATEST);
}

export function metaAgentDir(workDir: string, agentId: string): string {
  return join(metaAgentsDir(workDir), component('agent id', agentId));
}

export function agentInfoPath(workDir: string, agentId: string): string {
  return join(metaAgentDir(workDir, agentId), AGENT_INFO_FILE);
}

export function metaFrameworkDir(workDir: string, agentId: string, frameworkId: string): string {
  return join(metaAgentDir(workDir, agentId), 'frameworks', component('framework id', frameworkId));
}

export function frameworkInfoPath(workDir: string, agentId: string, frameworkId: string): string {
  return join(metaFrameworkDir(workDir, agentId, frameworkId), FRAMEWORK_INFO_FILE);
}

export function metaExecutorDir(workDir: string, agentId: string, frameworkId: string, executorId: string): string {
  return join(metaFrameworkDir(workDir, agentId, frameworkId), 'executors', component('executor id', executorId));
}

export function executorInfoPath(workDir: string, agentId: string, frameworkId: string, executorId: string): string {
  return join(metaExecutorDir(workDir, agentId, frameworkId, executorId), EXECUTOR_INFO_FILE);
}

export function metaRunDir(workDir: string, ids: RunIds): string {
  return join(metaExecutorDir(workDir, ids.agentId, ids.frameworkId, ids.executorId), 'runs', component('container id', ids.containerId));
}

export function metaLatestRunLink(workDir: string, ids: Omit<RunIds, 'containerId'>): string {
  return join(metaExecutorDir(workDir, ids.agentId, ids.frameworkId, ids.executorId), 'runs', LATEST);
}

export function forkedPidPath(workDir: string, ids: RunIds): string {
  return join(metaRunDir(workDir, ids), 'pids', FORKED_PID_FILE);
}

export function metaTaskDir(workDir: string, ids: RunIds, taskId: string): string {
  return join(metaRunDir(workDir, ids), 'tasks', component('task id', taskId));
}

export function taskInfoPath(workDir: string, ids: RunIds, taskId: string): string {
  return join(metaTaskDir(workDir, ids, taskId), TASK_INFO_FILE);
}

export function taskUpdatesPath(workDir: string, ids: RunIds, taskId: string): string {
  return join(metaTaskDir(workDir, ids, taskId), TASK_UPDATES_FILE);
}
