import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { create } from '@bufbuild/protobuf';

import { type TaskInfo, TaskInfoSchema, TaskState, TaskStatus_Reason } from '../../../protocol/gen/mesos/v1/mesos_pb.js';
import { taskStateName } from '../../task-states.js';
import { type Decision, killGraceMs, TaskGroupCore, taskIdOf } from './task-group-core.js';

function task(id: string, graceMs?: number): TaskInfo {
  return create(TaskInfoSchema, {
    name: id,
    taskId: { value: id },
    command: { value: 'true' },
    ...(graceMs !== undefined ? { killPolicy: { gracePeriod: { nanoseconds: BigInt(graceMs) * 1_000_000n } } } : {}),
  });
}

/** Decisions as short strings; log lines left out. */
function show(decisions: readonly Decision[]): string[] {
  return decisions.flatMap((d): string[] => {
    switch (d.kind) {
      case 'update': {
        const extras = [
          d.fields.reason !== undefined ? TaskStatus_Reason[d.fields.reason] : undefined,
          d.fields.healthy === false ? 'unhealthy' : undefined,
        ].filter((x) => x !== undefined);
        return [`${taskIdOf(d.task)} ${taskStateName(d.state)}${extras.length > 0 ? ` (${extras.join(', ')})` : ''}`];
      }
      case 'launch':
        return [`launch ${d.tasks.map(taskIdOf).join(',')}`];
      case 'startChecks':
        return [`checks ${taskIdOf(d.task)}`];
      case 'stopChecks':
        return [`stop checks ${taskIdOf(d.task)}`];
      case 'watch':
        return [`watch ${taskIdOf(d.task)}`];
      case 'kill':
        return [`kill ${taskIdOf(d.task)} ${d.graceMs}ms`];
      case 'destroy':
        return [`destroy ${taskIdOf(d.task)}`];
      case 'idle':
        return ['idle'];
      case 'log':
        return [];
    }
  });
}

const NO_FAILURES = new Map<string, string>();
const EXIT_0 = { exitStatus: 0 };
const EXIT_1 = { exitStatus: 1 << 8 };
const SIGTERMED = { exitStatus: 15 };

/** A core with group 1 = [a, b] (b has a 5 s kill policy) launched and running. */
function runningGroup(options: { taskKillingState?: boolean } = {}): TaskGroupCore {
  const core = new TaskGroupCore({ shutdownGraceMs: 2_000 });
  core.taskKillingState = options.taskKillingState ?? false;
  core.launchGroup([task('a'), task('b', 5_000)]);
  core.groupLaunched(1, NO_FAILURES);
  return core;
}

describe('TaskGroupCore', () => {
  const cases: Array<{ name: string; setup: () => TaskGroupCore; event: (core: TaskGroupCore) => Decision[]; expect: string[] }> = [
    {
      name: 'a group arriving: TASK_STARTING per task, then one launch',
      setup: () => new TaskGroupCore({ shutdownGraceMs: 2_000 }),
      event: (core) => core.launchGroup([task('a'), task('b')]),
      expect: ['a TASK_STARTING', 'b TASK_STARTING', 'launch a,b'],
    },
    {
      name: 'all launched: TASK_RUNNING, checks and a wait per task',
      setup: () => {
        const core = new TaskGroupCore({ shutdownGraceMs: 2_000 });
        core.launchGroup([task('a'), task('b')]);
        return core;
      },
      event: (core) => core.groupLaunched(1, NO_FAILURES),
      expect: ['a TASK_RUNNING', 'checks a', 'watch a', 'b TASK_RUNNING', 'checks b', 'watch b'],
    },
    {
      name: 'one launch failed: the launched ones are destroyed, every task fails',
      setup: () => {
        const core = new TaskGroupCore({ shutdownGraceMs: 2_000 });
        core.launchGroup([task('a'), task('b')]);
        return core;
      },
      event: (core) => core.groupLaunched(1, new Map([['b', 'image not found']])),
      expect: ['destroy a', 'a TASK_FAILED (CONTAINER_LAUNCH_FAILED)', 'b TASK_FAILED (CONTAINER_LAUNCH_FAILED)', 'idle'],
    },
    {
      name: 'a task exits 0: TASK_FINISHED, the others run on',
      setup: runningGroup,
      event: (core) => core.exited('a', EXIT_0),
      expect: ['stop checks a', 'a TASK_FINISHED'],
    },
    {
      name: 'a task exits non-zero: TASK_FAILED and the group is killed, each with its own policy',
      setup: runningGroup,
      event: (core) => core.exited('a', EXIT_1),
      expect: ['stop checks a', 'a TASK_FAILED', 'stop checks b', 'kill b 5000ms'],
    },
    {
      name: 'a task killed by someone else counts as a failure',
      setup: runningGroup,
      event: (core) => core.exited('b', { exitStatus: 9 }),
      expect: ['stop checks b', 'b TASK_FAILED', 'stop checks a', 'kill a 3000ms'],
    },
    {
      name: 'KILL of one task kills the group; the KILL policy applies to that task',
      setup: runningGroup,
      event: (core) => core.kill('b', 100),
      expect: ['stop checks a', 'kill a 3000ms', 'stop checks b', 'kill b 100ms'],
    },
    {
      name: 'TASK_KILLING before the kill with TASK_KILLING_STATE',
      setup: () => runningGroup({ taskKillingState: true }),
      event: (core) => core.kill('a'),
      expect: ['stop checks a', 'a TASK_KILLING', 'kill a 3000ms', 'stop checks b', 'b TASK_KILLING', 'kill b 5000ms'],
    },
    {
      name: 'a second KILL may shorten the grace',
      setup: () => {
        const core = runningGroup();
        core.kill('a');
        return core;
      },
      event: (core) => core.kill('b', 0),
      expect: ['kill b 0ms'],
    },
    {
      name: 'a task ending while its group is killed does not kill it again',
      setup: () => {
        const core = runningGroup();
        core.kill('a');
        return core;
      },
      event: (core) => core.exited('a', SIGTERMED),
      expect: ['stop checks a', 'a TASK_KILLED'],
    },
    {
      name: 'the last task ending leaves the executor idle',
      setup: () => {
        const core = runningGroup();
        core.kill('a');
        core.exited('a', SIGTERMED);
        return core;
      },
      event: (core) => core.exited('b', SIGTERMED),
      expect: ['stop checks b', 'b TASK_KILLED', 'idle'],
    },
    {
      name: 'an unhealthy task gets its group killed and says healthy=false at the end',
      setup: () => {
        const core = runningGroup();
        core.unhealthy('a', 'health check failed');
        return core;
      },
      event: (core) => core.exited('a', SIGTERMED),
      expect: ['stop checks a', 'a TASK_KILLED (unhealthy)'],
    },
    {
      name: 'a KILL while launching waits for the launch, then kills the group',
      setup: () => {
        const core = new TaskGroupCore({ shutdownGraceMs: 2_000 });
        core.launchGroup([task('a'), task('b')]);
        core.kill('a', 50);
        return core;
      },
      event: (core) => core.groupLaunched(1, NO_FAILURES),
      expect: ['a TASK_RUNNING', 'checks a', 'watch a', 'b TASK_RUNNING', 'checks b', 'watch b', 'stop checks a', 'kill a 50ms', 'stop checks b', 'kill b 3000ms'],
    },
    {
      name: 'SHUTDOWN kills everything, graces capped by the shutdown grace period',
      setup: runningGroup,
      event: (core) => core.shutdown(),
      expect: ['stop checks a', 'kill a 2000ms', 'stop checks b', 'kill b 2000ms'],
    },
    {
      name: 'SHUTDOWN with no task: idle at once',
      setup: () => new TaskGroupCore({ shutdownGraceMs: 2_000 }),
      event: (core) => core.shutdown(),
      expect: ['idle'],
    },
    {
      name: 'after SHUTDOWN, a failing task does not trigger a group kill',
      setup: () => {
        const core = runningGroup();
        core.shutdown();
        return core;
      },
      event: (core) => core.exited('a', EXIT_1),
      expect: ['stop checks a', 'a TASK_KILLED'],
    },
    {
      name: 'a second group is independent of the first',
      setup: () => {
        const core = runningGroup();
        core.launchGroup([task('c'), task('d')]);
        core.groupLaunched(2, NO_FAILURES);
        return core;
      },
      event: (core) => core.exited('c', EXIT_1),
      expect: ['stop checks c', 'c TASK_FAILED', 'stop checks d', 'kill d 3000ms'],
    },
    {
      name: 'a group reusing an active task id is ignored',
      setup: runningGroup,
      event: (core) => core.launchGroup([task('a')]),
      expect: [],
    },
    {
      name: 'KILL of an unknown task is ignored',
      setup: runningGroup,
      event: (core) => core.kill('zzz'),
      expect: [],
    },
  ];
  for (const { name, setup, event, expect } of cases) {
    it(name, () => assert.deepEqual(show(event(setup())), expect));
  }

  it('reports checks only while a task runs and is not being killed', () => {
    const core = runningGroup();
    assert.equal(core.reportsChecks('a'), true);
    core.kill('a');
    assert.equal(core.reportsChecks('a'), false);
  });

  it('takes the grace from the KILL, else the task, else 3 seconds', () => {
    assert.equal(killGraceMs(task('a')), 3_000);
    assert.equal(killGraceMs(task('a', 700)), 700);
    assert.equal(killGraceMs(task('a', 700), 0), 0);
  });

  it('keeps TASK_STARTING before TASK_RUNNING for every task (no state skipped)', () => {
    const core = new TaskGroupCore({ shutdownGraceMs: 2_000 });
    const states = [...core.launchGroup([task('a')]), ...core.groupLaunched(1, NO_FAILURES), ...core.exited('a', EXIT_0)]
      .filter((d) => d.kind === 'update')
      .map((d) => (d.kind === 'update' ? d.state : TaskState.TASK_UNKNOWN));
    assert.deepEqual(states, [TaskState.TASK_STARTING, TaskState.TASK_RUNNING, TaskState.TASK_FINISHED]);
  });
});
