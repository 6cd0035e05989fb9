/**
 * The terminal update of a task from how its nested container ended, as Mesos'
 * default executor decides it (`waited()` in src/launcher/default_executor.cpp):
 *
 * - no exit status            → TASK_FAILED "Command terminated with unknown status"
 * - the executor was killing  → TASK_KILLED (whatever the exit status)
 * - exit 0                    → TASK_FINISHED
 * - anything else             → TASK_FAILED
 *
 * with message "Command exited with status N" / "Command terminated with
 * signal Killed". The agent's state and reason, when it gives them, win (it
 * knows about limitations such as an OOM kill); its message is appended.
 * Pure.
 */
import { constants } from 'node:os';

import { type TaskResourceLimitation, TaskState, type TaskStatus_Reason } from '../../../protocol/gen/mesos/v1/mesos_pb.js';
import { describeExit, type ExitStatus } from '../../launcher/launcher.js';
import type { NestedContainerExit } from './nested-container-port.js';

export interface TerminalOutcome {
  readonly state: TaskState;
  readonly message: string;
  readonly reason?: TaskStatus_Reason;
  readonly limitation?: TaskResourceLimitation;
}

const SIGNAL_NAMES = new Map<number, NodeJS.Signals>(
  Object.entries(constants.signals).map(([name, number]) => [number, name as NodeJS.Signals]),
);

/** A raw wait(2) status as exit code or signal; undefined for a stopped/continued status (never a terminal one). */
export function decodeWaitStatus(waitStatus: number): ExitStatus | undefined {
  const low = waitStatus & 0x7f;
  if (low === 0) return { code: (waitStatus >> 8) & 0xff, signal: null, waitStatus };
  if (low === 0x7f) return undefined;
  return { code: null, signal: SIGNAL_NAMES.get(low) ?? (`SIG${low}` as NodeJS.Signals), waitStatus };
}

export function terminalOutcome(exit: NestedContainerExit, killedByExecutor: boolean): TerminalOutcome {
  let state: TaskState;
  let message: string;
  const status = exit.exitStatus === undefined ? undefined : decodeWaitStatus(exit.exitStatus);
  if (status === undefined) {
    state = TaskState.TASK_FAILED;
    message = exit.exitStatus === undefined ? 'Command terminated with unknown status' : `Command returned unexpected wait status ${exit.exitStatus}`;
  } else {
    if (killedByExecutor) state = TaskState.TASK_KILLED;
    else if (status.code === 0) state = TaskState.TASK_FINISHED;
    else state = TaskState.TASK_FAILED;
    message = describeExit(status);
  }
  if (exit.state !== undefined) state = exit.state;
  if (exit.message !== undefined && exit.message !== '') message = `${message}: ${exit.message}`;
  return {
    state,
    message,
    ...(exit.reason !== undefined ? { reason: exit.reason } : {}),
    ...(exit.limitation !== undefined ? { limitation: exit.limitation } : {}),
  };
}
