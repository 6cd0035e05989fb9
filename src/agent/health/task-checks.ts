/**
 * The checks of one running task, as an executor uses them:
 *
 *   const checks = startTaskChecks(taskInfo, { cwd, env, stdio }, sink);   // after TASK_RUNNING
 *   ...sink.healthChanged(true) / sink.checkChanged(status) / sink.killUnhealthy(message)
 *   checks.stop();                                                        // killing, or exited
 *
 * TaskInfo.health_check drives a HealthCheckCore, TaskInfo.check a CheckCore;
 * each has its own ProbeLoop. The executor turns the sink calls into status
 * updates (task-status.ts) and, on killUnhealthy, kills the task with its kill
 * policy, then calls stop(). A check the master should have refused is
 * logged and skipped: the task still runs.
 */
import { systemClock, type Clock } from '../../lib/clock.js';
import { errorMessage } from '../../lib/errors.js';
import type { CheckInfo, CheckStatusInfo, HealthCheck, TaskInfo } from '../../protocol/gen/mesos/v1/mesos_pb.js';
import { CheckCore, type CheckDecision, checkTiming } from './check-core.js';
import { commandProber } from './command-probe.js';
import { HealthCheckCore, type HealthDecision, healthCheckTiming, judgeHealthProbe } from './health-core.js';
import { httpProber } from './http-probe.js';
import { describeProbe, type ProbeContext, type Prober, type ProbeSpec, probeSpecOfCheck, probeSpecOfHealthCheck } from './probe.js';
import { ProbeLoop } from './probe-loop.js';
import { checkStatusInfo } from './task-status.js';
import { tcpProber } from './tcp-probe.js';

export interface TaskCheckSink {
  /** Send the last status again with `healthy` set (REASON_TASK_HEALTH_CHECK_STATUS_UPDATED). */
  healthChanged(healthy: boolean): void;
  /** Send the last status again with this `check_status` (REASON_TASK_CHECK_STATUS_UPDATED). */
  checkChanged(status: CheckStatusInfo): void;
  /** Consecutive failures reached the limit: kill the task with its kill policy; `message` says why. */
  killUnhealthy(message: string): void;
  log(line: string): void;
}

export interface TaskChecks {
  /** Stops every probe now; nothing reaches the sink afterwards. Idempotent. */
  stop(): void;
}

export function createProber(spec: ProbeSpec, context: ProbeContext): Prober {
  switch (spec.kind) {
    case 'command':
      return commandProber(spec.command, context);
    case 'http':
      return httpProber(spec);
    case 'tcp':
      return tcpProber(spec);
  }
}

export function startTaskChecks(task: TaskInfo, context: ProbeContext, sink: TaskCheckSink, clock: Clock = systemClock): TaskChecks {
  const stops: Array<() => void> = [];
  const taskId = task.taskId?.value ?? '';
  try {
    if (task.healthCheck !== undefined) stops.push(startHealthCheck(taskId, task.healthCheck, context, sink, clock));
  } catch (err) {
    sink.log(`Not health checking task ${taskId}: ${errorMessage(err)}`);
  }
  try {
    if (task.check !== undefined) stops.push(startCheck(taskId, task.check, context, sink, clock));
  } catch (err) {
    sink.log(`Not checking task ${taskId}: ${errorMessage(err)}`);
  }
  let stopped = false;
  return {
    stop: () => {
      if (stopped) return;
      stopped = true;
      for (const stop of stops) stop();
    },
  };
}

function startHealthCheck(taskId: string, check: HealthCheck, context: ProbeContext, sink: TaskCheckSink, clock: Clock): () => void {
  const spec = probeSpecOfHealthCheck(check);
  const timing = healthCheckTiming(check);
  const core = new HealthCheckCore(timing, clock);
  const statuses = check.http?.statuses ?? [];
  const carryOut = (decisions: HealthDecision[]): void => {
    for (const decision of decisions) {
      switch (decision.kind) {
        case 'probe':
          loop.probeAt(decision.atMs);
          break;
        case 'report':
          sink.log(
            decision.healthy
              ? `Task ${taskId} is healthy: ${decision.detail}`
              : `Task ${taskId} is unhealthy (${decision.consecutiveFailures} failed health check(s) in a row): ${decision.detail}`,
          );
          sink.healthChanged(decision.healthy);
          break;
        case 'ignore':
          sink.log(`Ignoring a failed health check of task ${taskId}: ${decision.detail}`);
          break;
        case 'kill':
          loop.stop();
          sink.killUnhealthy(
            `Task was killed after ${decision.consecutiveFailures} consecutive failed health checks; last: ${decision.detail}`,
          );
          break;
      }
    }
  };
  const loop = new ProbeLoop(createProber(spec, context), timing.timeoutMs, clock, (result) => carryOut(core.probed(judgeHealthProbe(spec, result, statuses))));
  sink.log(
    `Health checking task ${taskId} with ${describeProbe(spec)}: delay ${timing.delayMs} ms, interval ${timing.intervalMs} ms, ` +
      `timeout ${timing.timeoutMs} ms, grace period ${timing.gracePeriodMs} ms, ${timing.consecutiveFailures} consecutive failures`,
  );
  carryOut(core.start());
  return () => {
    core.stop();
    loop.stop();
  };
}

function startCheck(taskId: string, check: CheckInfo, context: ProbeContext, sink: TaskCheckSink, clock: Clock): () => void {
  const spec = probeSpecOfCheck(check);
  const timing = checkTiming(check);
  const core = new CheckCore(spec.kind, timing, clock);
  const carryOut = (decisions: CheckDecision[]): void => {
    for (const decision of decisions) {
      if (decision.kind === 'probe') loop.probeAt(decision.atMs);
      else sink.checkChanged(checkStatusInfo(decision.outcome));
    }
  };
  const loop = new ProbeLoop(createProber(spec, context), timing.timeoutMs, clock, (result) => {
    if (result.kind === 'error') sink.log(`Check of task ${taskId} got no answer: ${result.message}`);
    carryOut(core.probed(result));
  });
  sink.log(`Checking task ${taskId} with ${describeProbe(spec)}: delay ${timing.delayMs} ms, interval ${timing.intervalMs} ms, timeout ${timing.timeoutMs} ms`);
  carryOut(core.start());
  return () => {
    core.stop();
    loop.stop();
  };
}
