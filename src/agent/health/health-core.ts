/**
 * The decision core of a health check (Mesos' `HealthChecker`), with no I/O:
 * it is told when checking starts and what each probe returned, reads time
 * from an injected Clock, and answers with decisions as data. The runner
 * (task-checks.ts) carries them out: timers, probes, status updates, kills.
 *
 *   start() ──► probe at now + delay
 *                  │
 *   probed(ok) ────┼─► first success, or first after failures: REPORT healthy=true
 *                  │   failure while never healthy and within the grace period: IGNORE
 *                  │   other failure: REPORT healthy=false (every one, not just changes)
 *                  │     ... and when consecutive failures reach the limit: KILL, then stop
 *                  └─► probe again at now + interval (one probe at a time)
 *
 * The grace period runs from start(), includes the delay, and stops
 * mattering after the first success: a task that was healthy once and
 * fails is counted at once, as in Mesos.
 */
import type { Clock } from '../../lib/clock.js';
import type { HealthCheck } from '../../protocol/gen/mesos/v1/mesos_pb.js';
import { describeProbe, type ProbeResult, type ProbeSpec, secondsToMs } from './probe.js';

export interface HealthCheckTiming {
  /** From start to the first probe. */
  readonly delayMs: number;
  /** From the end of one probe to the start of the next. */
  readonly intervalMs: number;
  /** Per probe; 0 means no limit. */
  readonly timeoutMs: number;
  /** Failures in a row that get the task killed (Mesos kills at >=, so 0 acts as 1). */
  readonly consecutiveFailures: number;
  /** From start: failures before the first success are ignored while within it. */
  readonly gracePeriodMs: number;
}

/** The timing of a HealthCheck, proto2 defaults included (15 s delay, 10 s interval, 20 s timeout, 3 failures, 10 s grace). */
export function healthCheckTiming(check: HealthCheck): HealthCheckTiming {
  return {
    delayMs: secondsToMs(check.delaySeconds),
    intervalMs: secondsToMs(check.intervalSeconds),
    timeoutMs: secondsToMs(check.timeoutSeconds),
    consecutiveFailures: check.consecutiveFailures,
    gracePeriodMs: secondsToMs(check.gracePeriodSeconds),
  };
}

/** What one probe said, judged healthy or not (judgeHealthProbe). */
export interface HealthProbeOutcome {
  readonly healthy: boolean;
  /** Why, for logs and the kill message: `GET http://... returned 503`. */
  readonly detail: string;
}

/**
 * Healthy means: the command exited 0; the HTTP status is in `statuses`, or
 * 200-399 when none are given (Mesos' built-in executors ignore `statuses`;
 * we honour it); the TCP connect succeeded. No answer is unhealthy.
 */
export function judgeHealthProbe(spec: ProbeSpec, result: ProbeResult, statuses: readonly number[] = []): HealthProbeOutcome {
  const target = describeProbe(spec);
  switch (result.kind) {
    case 'command':
      return { healthy: result.exitCode === 0, detail: `Command '${target}' exited with status ${result.exitCode}` };
    case 'http': {
      const healthy = statuses.length > 0 ? statuses.includes(result.statusCode) : result.statusCode >= 200 && result.statusCode < 400;
      return { healthy, detail: `GET ${target} returned ${result.statusCode}` };
    }
    case 'tcp':
      return { healthy: result.succeeded, detail: result.succeeded ? `Connected to ${target}` : (result.detail ?? `Could not connect to ${target}`) };
    case 'error':
      return { healthy: false, detail: result.message };
  }
}

export type HealthDecision =
  | { readonly kind: 'probe'; readonly atMs: number }
  | { readonly kind: 'report'; readonly healthy: boolean; readonly consecutiveFailures: number; readonly detail: string }
  | { readonly kind: 'kill'; readonly consecutiveFailures: number; readonly detail: string }
  | { readonly kind: 'ignore'; readonly detail: string };

export type HealthCheckPhase = 'idle' | 'checking' | 'stopped';

export class HealthCheckCore {
  readonly #timing: HealthCheckTiming;
  readonly #clock: Clock;
  #phase: HealthCheckPhase = 'idle';
  #startedAtMs = 0;
  /** True until the first success (Mesos' `initializing`). */
  #neverHealthy = true;
  #consecutiveFailures = 0;

  constructor(timing: HealthCheckTiming, clock: Clock) {
    this.#timing = timing;
    this.#clock = clock;
  }

  get phase(): HealthCheckPhase {
    return this.#phase;
  }

  get consecutiveFailures(): number {
    return this.#consecutiveFailures;
  }

  /** Checking begins (the task is running); the grace period starts now. */
  start(): HealthDecision[] {
    if (this.#phase !== 'idle') return [];
    this.#phase = 'checking';
    this.#startedAtMs = this.#clock.now();
    return [{ kind: 'probe', atMs: this.#startedAtMs + this.#timing.delayMs }];
  }

  /** A probe finished. Results arriving after stop() (a probe in flight) are dropped. */
  probed(outcome: HealthProbeOutcome): HealthDecision[] {
    if (this.#phase !== 'checking') return [];
    const now = this.#clock.now();
    const next: HealthDecision = { kind: 'probe', atMs: now + this.#timing.intervalMs };
    if (outcome.healthy) {
      const decisions: HealthDecision[] = [];
      if (this.#neverHealthy || this.#consecutiveFailures > 0) {
        decisions.push({ kind: 'report', healthy: true, consecutiveFailures: 0, detail: outcome.detail });
      }
      this.#neverHealthy = false;
      this.#consecutiveFailures = 0;
      return [...decisions, next];
    }
    const withinGrace = this.#timing.gracePeriodMs > 0 && now - this.#startedAtMs <= this.#timing.gracePeriodMs;
    if (this.#neverHealthy && withinGrace) {
      return [{ kind: 'ignore', detail: `${outcome.detail}; still in the ${this.#timing.gracePeriodMs} ms grace period` }, next];
    }
    this.#consecutiveFailures++;
    const report: HealthDecision = { kind: 'report', healthy: false, consecutiveFailures: this.#consecutiveFailures, detail: outcome.detail };
    if (this.#consecutiveFailures >= this.#timing.consecutiveFailures) {
      // The executor kills the task now and probing it further means nothing.
      this.#phase = 'stopped';
      return [report, { kind: 'kill', consecutiveFailures: this.#consecutiveFailures, detail: outcome.detail }];
    }
    return [report, next];
  }

  /** The task is being killed or has exited: no more decisions. */
  stop(): void {
    this.#phase = 'stopped';
  }
}
