/**
 * The decision core of a general check (CheckInfo; Mesos' `Checker`), with
 * no I/O. Unlike a health check it judges nothing: it reports what the probe
 * saw (exit code, HTTP status, TCP connect) and only when that differs from
 * the last report, so a check that keeps returning 0 produces one update.
 *
 *   start() ──► probe at now + delay
 *   probed(r) ─► REPORT outcome, if it differs from the previous one; probe at now + interval
 *
 * A probe that got no answer (timed out, could not run, killed by a signal,
 * no HTTP response) reports the check type with no value, as Mesos' empty
 * CheckStatusInfo. The first outcome is always reported.
 */
import type { Clock } from '../../lib/clock.js';
import { type CheckInfo, CheckInfo_Type } from '../../protocol/gen/mesos/v1/mesos_pb.js';
import { type ProbeKind, type ProbeResult, secondsToMs } from './probe.js';

export interface CheckTiming {
  readonly delayMs: number;
  readonly intervalMs: number;
  /** 0 means no limit. */
  readonly timeoutMs: number;
}

/** The timing of a CheckInfo, proto2 defaults included (15 s delay, 10 s interval, 20 s timeout). */
export function checkTiming(check: CheckInfo): CheckTiming {
  return { delayMs: secondsToMs(check.delaySeconds), intervalMs: secondsToMs(check.intervalSeconds), timeoutMs: secondsToMs(check.timeoutSeconds) };
}

export function checkKind(type: CheckInfo_Type): ProbeKind | undefined {
  if (type === CheckInfo_Type.COMMAND) return 'command';
  if (type === CheckInfo_Type.HTTP) return 'http';
  if (type === CheckInfo_Type.TCP) return 'tcp';
  return undefined;
}

/** A CheckStatusInfo as plain data; `undefined` values mean "no answer". */
export type CheckOutcome =
  | { readonly kind: 'command'; readonly exitCode: number | undefined }
  | { readonly kind: 'http'; readonly statusCode: number | undefined }
  | { readonly kind: 'tcp'; readonly succeeded: boolean | undefined };

export type CheckDecision =
  | { readonly kind: 'probe'; readonly atMs: number }
  | { readonly kind: 'report'; readonly outcome: CheckOutcome };

/** What a probe result means for a check of `kind`. */
export function checkOutcome(kind: ProbeKind, result: ProbeResult): CheckOutcome {
  switch (kind) {
    case 'command':
      return { kind, exitCode: result.kind === 'command' ? result.exitCode : undefined };
    case 'http':
      return { kind, statusCode: result.kind === 'http' ? result.statusCode : undefined };
    case 'tcp':
      return { kind, succeeded: result.kind === 'tcp' ? result.succeeded : undefined };
  }
}

function sameOutcome(a: CheckOutcome | undefined, b: CheckOutcome): boolean {
  if (a === undefined || a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'command':
      return a.exitCode === (b as typeof a).exitCode;
    case 'http':
      return a.statusCode === (b as typeof a).statusCode;
    case 'tcp':
      return a.succeeded === (b as typeof a).succeeded;
  }
}

export class CheckCore {
  readonly #kind: ProbeKind;
  readonly #timing: CheckTiming;
  readonly #clock: Clock;
  #phase: 'idle' | 'checking' | 'stopped' = 'idle';
  #last: CheckOutcome | undefined;

  constructor(kind: ProbeKind, timing: CheckTiming, clock: Clock) {
    this.#kind = kind;
    this.#timing = timing;
    this.#clock = clock;
  }

  get phase(): 'idle' | 'checking' | 'stopped' {
    return this.#phase;
  }

  start(): CheckDecision[] {
    if (this.#phase !== 'idle') return [];
    this.#phase = 'checking';
    return [{ kind: 'probe', atMs: this.#clock.now() + this.#timing.delayMs }];
  }

  probed(result: ProbeResult): CheckDecision[] {
    if (this.#phase !== 'checking') return [];
    const outcome = checkOutcome(this.#kind, result);
    const next: CheckDecision = { kind: 'probe', atMs: this.#clock.now() + this.#timing.intervalMs };
    if (sameOutcome(this.#last, outcome)) return [next];
    this.#last = outcome;
    return [{ kind: 'report', outcome }, next];
  }

  stop(): void {
    this.#phase = 'stopped';
  }
}
