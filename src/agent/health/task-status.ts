/**
 * The TaskStatus side of checks, as Mesos' command and default executors
 * build it (pure; the executor sends what these return):
 *
 * - A health or check update is a copy of the task's last status (TASK_RUNNING,
 *   with whatever `healthy` / `check_status` it carried) with a fresh uuid and
 *   timestamp, the new value and reason REASON_TASK_HEALTH_CHECK_STATUS_UPDATED
 *   or REASON_TASK_CHECK_STATUS_UPDATED.
 * - Every status built from scratch for a task with a CheckInfo carries an
 *   empty `check_status` of the check's type ("no result yet"), so schedulers
 *   always find the field.
 */
import { create } from '@bufbuild/protobuf';

import {
  type CheckInfo,
  CheckInfo_Type,
  type CheckStatusInfo,
  CheckStatusInfoSchema,
  type TaskStatus,
  TaskStatus_Reason,
  TaskStatusSchema,
} from '../../protocol/gen/mesos/v1/mesos_pb.js';
import { patch } from '../../protocol/patch.js';
import type { CheckOutcome } from './check-core.js';

/** The `check_status` of a task whose check has no result yet; undefined for an invalid check type. */
export function emptyCheckStatus(check: CheckInfo): CheckStatusInfo | undefined {
  switch (check.type) {
    case CheckInfo_Type.COMMAND:
      return create(CheckStatusInfoSchema, { type: check.type, command: {} });
    case CheckInfo_Type.HTTP:
      return create(CheckStatusInfoSchema, { type: check.type, http: {} });
    case CheckInfo_Type.TCP:
      return create(CheckStatusInfoSchema, { type: check.type, tcp: {} });
    default:
      return undefined;
  }
}

/** A check outcome as CheckStatusInfo; "no answer" leaves the value unset. */
export function checkStatusInfo(outcome: CheckOutcome): CheckStatusInfo {
  switch (outcome.kind) {
    case 'command':
      return create(CheckStatusInfoSchema, {
        type: CheckInfo_Type.COMMAND,
        command: outcome.exitCode === undefined ? {} : { exitCode: outcome.exitCode },
      });
    case 'http':
      return create(CheckStatusInfoSchema, {
        type: CheckInfo_Type.HTTP,
        http: outcome.statusCode === undefined ? {} : { statusCode: outcome.statusCode },
      });
    case 'tcp':
      return create(CheckStatusInfoSchema, {
        type: CheckInfo_Type.TCP,
        tcp: outcome.succeeded === undefined ? {} : { succeeded: outcome.succeeded },
      });
  }
}

export interface FreshStatusFields {
  readonly uuid: Uint8Array;
  /** Seconds since the epoch. */
  readonly timestamp: number;
}

/** TASK_RUNNING (the last status) again, now saying whether the task is healthy. */
export function healthStatusUpdate(last: TaskStatus, healthy: boolean, fresh: FreshStatusFields): TaskStatus {
  return patch(TaskStatusSchema, last, {
    uuid: fresh.uuid,
    timestamp: fresh.timestamp,
    reason: TaskStatus_Reason.TASK_HEALTH_CHECK_STATUS_UPDATED,
    healthy,
  });
}

/** The last status again, now with the check's new result. */
export function checkStatusUpdate(last: TaskStatus, checkStatus: CheckStatusInfo, fresh: FreshStatusFields): TaskStatus {
  return patch(TaskStatusSchema, last, {
    uuid: fresh.uuid,
    timestamp: fresh.timestamp,
    reason: TaskStatus_Reason.TASK_CHECK_STATUS_UPDATED,
    checkStatus,
  });
}
