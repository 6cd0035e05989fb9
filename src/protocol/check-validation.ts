/**
 * Validation of health checks and checks, as Mesos' `common::validation`
 * (validateHealthCheck, validateCheckInfo, validateCheckStatusInfo) words it.
 * Pure; each returns the problem or undefined.
 *
 * Where they belong:
 * - master, ACCEPT(LAUNCH / LAUNCH_GROUP): validateTaskChecks(task) → TASK_ERROR
 *   (REASON_TASK_INVALID / REASON_TASK_GROUP_INVALID) with its message;
 * - agent, executor UPDATE: validateCheckStatusInfo(status.check_status) when
 *   set → 400 "Failed to validate executor::Call: ...".
 */
import { isFieldSet } from '@bufbuild/protobuf';

import {
  type CheckInfo,
  CheckInfoSchema,
  CheckInfo_Type,
  type CheckStatusInfo,
  CheckStatusInfoSchema,
  type CommandInfo,
  CommandInfoSchema,
  Environment_Variable_Type,
  Environment_VariableSchema,
  type HealthCheck,
  HealthCheckSchema,
  HealthCheck_HTTPCheckInfoSchema,
  HealthCheck_Type,
  type TaskInfo,
} from './gen/mesos/v1/mesos_pb.js';

/** The master's per-task check: `Task uses invalid health check: ...` / `Task uses invalid check: ...`. */
export function validateTaskChecks(task: TaskInfo): string | undefined {
  if (task.healthCheck !== undefined) {
    const problem = validateHealthCheck(task.healthCheck);
    if (problem !== undefined) return `Task uses invalid health check: ${problem}`;
  }
  if (task.check !== undefined) {
    const problem = validateCheckInfo(task.check);
    if (problem !== undefined) return `Task uses invalid check: ${problem}`;
  }
  return undefined;
}

export function validateHealthCheck(check: HealthCheck): string | undefined {
  if (!isFieldSet(check, HealthCheckSchema.field.type)) return "HealthCheck must specify 'type'";
  switch (check.type) {
    case HealthCheck_Type.COMMAND: {
      if (check.command === undefined) return "Expecting 'command' to be set for COMMAND health check";
      const problem = commandProblem(check.command);
      if (problem === 'no value') return `Command health check must contain ${check.command.shell ? "'shell command'" : "'executable path'"}`;
      if (problem !== undefined) return `Health check's \`CommandInfo\` is invalid: ${problem}`;
      break;
    }
    case HealthCheck_Type.HTTP: {
      const http = check.http;
      if (http === undefined) return "Expecting 'http' to be set for HTTP health check";
      if (isFieldSet(http, HealthCheck_HTTPCheckInfoSchema.field.scheme) && http.scheme !== 'http' && http.scheme !== 'https') {
        return `Unsupported HTTP health check scheme: '${http.scheme}'`;
      }
      if (http.path !== '' && !http.path.startsWith('/')) return `The path '${http.path}' of HTTP health check must start with '/'`;
      break;
    }
    case HealthCheck_Type.TCP:
      if (check.tcp === undefined) return "Expecting 'tcp' to be set for TCP health check";
      break;
    default:
      return `'${HealthCheck_Type[check.type] ?? check.type}' is not a valid health check type`;
  }
  return negativeProblem([
    ['delay_seconds', check.delaySeconds],
    ['grace_period_seconds', check.gracePeriodSeconds],
    ['interval_seconds', check.intervalSeconds],
    ['timeout_seconds', check.timeoutSeconds],
  ]);
}

export function validateCheckInfo(check: CheckInfo): string | undefined {
  if (!isFieldSet(check, CheckInfoSchema.field.type)) return "CheckInfo must specify 'type'";
  switch (check.type) {
    case CheckInfo_Type.COMMAND: {
      if (check.command === undefined) return "Expecting 'command' to be set for COMMAND check";
      const command = check.command.command;
      if (command === undefined) return "Command check must contain 'shell command'";
      const problem = commandProblem(command);
      if (problem === 'no value') return `Command check must contain ${command.shell ? "'shell command'" : "'executable path'"}`;
      if (problem !== undefined) return `Check's \`CommandInfo\` is invalid: ${problem}`;
      break;
    }
    case CheckInfo_Type.HTTP:
      if (check.http === undefined) return "Expecting 'http' to be set for HTTP check";
      if (check.http.path !== '' && !check.http.path.startsWith('/')) return `The path '${check.http.path}' of HTTP check must start with '/'`;
      break;
    case CheckInfo_Type.TCP:
      if (check.tcp === undefined) return "Expecting 'tcp' to be set for TCP check";
      break;
    default:
      return `'${CheckInfo_Type[check.type] ?? check.type}' is not a valid check type`;
  }
  return negativeProblem([
    ['delay_seconds', check.delaySeconds],
    ['interval_seconds', check.intervalSeconds],
    ['timeout_seconds', check.timeoutSeconds],
  ]);
}

/** What an executor's UPDATE may carry as `check_status`: a type and its (possibly empty) result. */
export function validateCheckStatusInfo(status: CheckStatusInfo): string | undefined {
  if (!isFieldSet(status, CheckStatusInfoSchema.field.type)) return "CheckStatusInfo must specify 'type'";
  switch (status.type) {
    case CheckInfo_Type.COMMAND:
      return status.command === undefined ? "Expecting 'command' to be set for COMMAND check's status" : undefined;
    case CheckInfo_Type.HTTP:
      return status.http === undefined ? "Expecting 'http' to be set for HTTP check's status" : undefined;
    case CheckInfo_Type.TCP:
      return status.tcp === undefined ? "Expecting 'tcp' to be set for TCP check's status" : undefined;
    default:
      return `'${CheckInfo_Type[status.type] ?? status.type}' is not a valid check's status type`;
  }
}

/** 'no value', an environment problem, or undefined (Mesos' `validateCommandInfo` plus the has_value check). */
function commandProblem(command: CommandInfo): string | undefined {
  if (!isFieldSet(command, CommandInfoSchema.field.value)) return 'no value';
  for (const variable of command.environment?.variables ?? []) {
    switch (variable.type) {
      case Environment_Variable_Type.SECRET:
        if (variable.secret === undefined) return `Environment variable '${variable.name}' of type 'SECRET' must have a secret set`;
        if (isFieldSet(variable, Environment_VariableSchema.field.value)) {
          return `Environment variable '${variable.name}' of type 'SECRET' must not have a value set`;
        }
        break;
      case Environment_Variable_Type.VALUE:
        if (!isFieldSet(variable, Environment_VariableSchema.field.value)) {
          return `Environment variable '${variable.name}' of type 'VALUE' must have a value set`;
        }
        if (variable.secret !== undefined) return `Environment variable '${variable.name}' of type 'VALUE' must not have a secret set`;
        break;
      default:
        return "Environment variable of type 'UNKNOWN' is not allowed";
    }
  }
  return undefined;
}

function negativeProblem(fields: ReadonlyArray<readonly [string, number]>): string | undefined {
  for (const [name, value] of fields) if (value < 0) return `Expecting '${name}' to be non-negative`;
  return undefined;
}
