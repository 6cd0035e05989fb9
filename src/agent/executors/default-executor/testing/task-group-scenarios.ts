/**
 * The default executor's task-group cases, written against a harness so they
 * run with the in-memory agent now (default-executor.test.ts) and can be run
 * against the real agent once it supports nested containers: a real harness
 * launches the group through the scheduler API (ACCEPT with LAUNCH_GROUP and
 * an ExecutorInfo of type DEFAULT), KILLs through it, and reads the updates
 * the scheduler receives. The commands are real shell; the failing image is
 * one no registry has.
 */
import assert from 'node:assert/strict';

import { create } from '@bufbuild/protobuf';

import {
  ContainerInfo_Type,
  Image_Type,
  type TaskInfo,
  TaskInfoSchema,
  TaskState,
  TaskStatus_Reason,
  Value_Type,
} from '../../../../protocol/gen/mesos/v1/mesos_pb.js';

export interface TaskGroupHarness {
  launchGroup(tasks: TaskInfo[]): void;
  /** KILL of one task; `graceMs` is the KILL's kill policy. */
  kill(taskId: string, graceMs?: number): void;
  waitForState(taskId: string, state: TaskState, timeoutMs?: number): Promise<{ readonly message: string; readonly reason: TaskStatus_Reason }>;
  /** The task's states in order, repeats collapsed: ['TASK_STARTING', 'TASK_RUNNING', ...]. */
  states(taskId: string): string[];
  /** Resolves with the executor's exit code. */
  readonly executorExited: Promise<number>;
}

export interface TaskOptions {
  readonly killGraceMs?: number;
  readonly dockerImage?: string;
}

export function commandTask(id: string, command: string, options: TaskOptions = {}): TaskInfo {
  return create(TaskInfoSchema, {
    name: id,
    taskId: { value: id },
    agentId: { value: 'agent' },
    command: { shell: true, value: command },
    resources: [{ name: 'cpus', type: Value_Type.SCALAR, scalar: { value: 0.1 } }],
    ...(options.killGraceMs !== undefined ? { killPolicy: { gracePeriod: { nanoseconds: BigInt(options.killGraceMs) * 1_000_000n } } } : {}),
    ...(options.dockerImage !== undefined ? { container: { type: ContainerInfo_Type.MESOS, mesos: { image: { type: Image_Type.DOCKER, docker: { name: options.dockerImage } } } } } : {}),
  });
}

const STARTED = ['TASK_STARTING', 'TASK_RUNNING'];

export const taskGroupScenarios: Record<string, (h: TaskGroupHarness) => Promise<void>> = {
  async 'a failed launch fails every task of the group'(h) {
    h.launchGroup([commandTask('web', 'sleep 30'), commandTask('sidecar', 'sleep 30', { dockerImage: 'does-not-exist/nothing:1' })]);
    for (const id of ['web', 'sidecar']) {
      const failed = await h.waitForState(id, TaskState.TASK_FAILED);
      assert.equal(failed.reason, TaskStatus_Reason.CONTAINER_LAUNCH_FAILED);
      assert.deepEqual(h.states(id), ['TASK_STARTING', 'TASK_FAILED'], `states of ${id}`);
    }
    assert.equal(await h.executorExited, 0);
  },

  async 'a task that fails gets the rest of its group killed'(h) {
    h.launchGroup([commandTask('server', 'sleep 30'), commandTask('job', 'sleep 0.2; exit 3')]);
    const failed = await h.waitForState('job', TaskState.TASK_FAILED);
    assert.match(failed.message, /Command exited with status 3/);
    await h.waitForState('server', TaskState.TASK_KILLED);
    assert.deepEqual(h.states('server'), [...STARTED, 'TASK_KILLED']);
    assert.equal(await h.executorExited, 0);
  },

  async 'killing one task kills the group, SIGKILL after the grace'(h) {
    h.launchGroup([commandTask('stubborn', "trap '' TERM; sleep 30"), commandTask('polite', 'sleep 30')]);
    await h.waitForState('stubborn', TaskState.TASK_RUNNING);
    await h.waitForState('polite', TaskState.TASK_RUNNING);
    const killedAt = Date.now();
    h.kill('stubborn', 400);
    await h.waitForState('polite', TaskState.TASK_KILLED);
    assert.ok(Date.now() - killedAt < 400, 'the task that honours SIGTERM ends before the grace');
    await h.waitForState('stubborn', TaskState.TASK_KILLED);
    assert.ok(Date.now() - killedAt >= 380, 'the task that ignores SIGTERM lives until the grace ends');
    assert.equal(await h.executorExited, 0);
  },

  async 'the executor exits once no task remains'(h) {
    h.launchGroup([commandTask('quick', 'sleep 0.1'), commandTask('slower', 'sleep 0.3')]);
    for (const id of ['quick', 'slower']) {
      await h.waitForState(id, TaskState.TASK_FINISHED);
      assert.deepEqual(h.states(id), [...STARTED, 'TASK_FINISHED']);
    }
    assert.equal(await h.executorExited, 0);
  },

  async 'two groups on one executor end independently'(h) {
    h.launchGroup([commandTask('first', 'sleep 30')]);
    await h.waitForState('first', TaskState.TASK_RUNNING);
    h.launchGroup([commandTask('second-a', 'sleep 30'), commandTask('second-b', 'sleep 0.2; exit 1')]);
    await h.waitForState('second-b', TaskState.TASK_FAILED);
    await h.waitForState('second-a', TaskState.TASK_KILLED);
    assert.deepEqual(h.states('first'), STARTED, 'the other group keeps running');
    h.kill('first');
    await h.waitForState('first', TaskState.TASK_KILLED);
    assert.equal(await h.executorExited, 0);
  },
};
