import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { TaskState, TaskStatus_Reason } from '../../../protocol/gen/mesos/v1/mesos_pb.js';
import { taskStateName } from '../../task-states.js';
import type { NestedContainerExit } from './nested-container-port.js';
import { decodeWaitStatus, terminalOutcome } from './wait-outcome.js';

describe('decodeWaitStatus', () => {
  it('reads exit codes and signals out of raw wait statuses', () => {
    assert.deepEqual(decodeWaitStatus(0), { code: 0, signal: null, waitStatus: 0 });
    assert.deepEqual(decodeWaitStatus(3 << 8), { code: 3, signal: null, waitStatus: 768 });
    assert.deepEqual(decodeWaitStatus(9), { code: null, signal: 'SIGKILL', waitStatus: 9 });
    assert.equal(decodeWaitStatus(0x7f), undefined, 'a stopped process is not a terminal status');
  });
});

describe('terminalOutcome', () => {
  const cases: Array<[string, NestedContainerExit, boolean, string, string]> = [
    ['exit 0', { exitStatus: 0 }, false, 'TASK_FINISHED', 'Command exited with status 0'],
    ['exit 3', { exitStatus: 3 << 8 }, false, 'TASK_FAILED', 'Command exited with status 3'],
    ['SIGTERM, not by the executor', { exitStatus: 15 }, false, 'TASK_FAILED', 'Command terminated with signal Terminated'],
    ['SIGTERM by the executor', { exitStatus: 15 }, true, 'TASK_KILLED', 'Command terminated with signal Terminated'],
    ['exit 0 while being killed', { exitStatus: 0 }, true, 'TASK_KILLED', 'Command exited with status 0'],
    ['no exit status', {}, false, 'TASK_FAILED', 'Command terminated with unknown status'],
    [
      'the agent says why',
      { exitStatus: 9, state: TaskState.TASK_FAILED, reason: TaskStatus_Reason.CONTAINER_LIMITATION_MEMORY, message: 'Memory limit exceeded' },
      false,
      'TASK_FAILED',
      'Command terminated with signal Killed: Memory limit exceeded',
    ],
  ];
  for (const [name, exit, killing, state, message] of cases) {
    it(name, () => {
      const outcome = terminalOutcome(exit, killing);
      assert.equal(taskStateName(outcome.state), state);
      assert.equal(outcome.message, message);
      assert.equal(outcome.reason, exit.reason);
    });
  }
});
