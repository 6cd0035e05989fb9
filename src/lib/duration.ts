/**
 * Durations in stout's text syntax (`3rdparty/stout/include/stout/duration.hpp`),
 * as used by Mesos flags, `/flags` and help text.
 *
 *   parse:  <number><unit>, number = digits and '.', unit one of DURATION_UNITS
 *           "15secs", "1.5mins", ".5hrs", "100ms"      -> milliseconds (number)
 *           rejected: "5s", "1sec", "1min", "-1secs", "1e3ms", "15", ""
 *   format: the bucket the value falls in (< 1us: ns, < 1ms: us, ... >= 1 week:
 *           weeks), stepping one unit down when that gives a whole number:
 *           60000ms -> "1mins", 90000ms -> "90secs", 1500ms -> "1500ms",
 *           864000000ms (10 days) -> "10days", 100ms + 1ns -> "100.000001ms"
 *           (15 significant digits, like a C++ stream at stout's precision).
 *
 * Like stout, a duration is a whole number of nanoseconds: parsing rounds to the
 * nearest nanosecond (stout truncates; rounding avoids "0.3secs" becoming
 * 299999999ns through floating point). Values are handed around as milliseconds
 * because that is what timers in Node take; they may be fractional (1us = 0.001).
 */
import { MesoscaleError } from './errors.js';

/** Units in stout's order, with their length in nanoseconds. */
export const DURATION_UNITS = {
  ns: 1,
  us: 1e3,
  ms: 1e6,
  secs: 1e9,
  mins: 60e9,
  hrs: 3600e9,
  days: 86_400e9,
  weeks: 604_800e9,
} as const;

export type DurationUnit = keyof typeof DURATION_UNITS;

const UNIT_NAMES = Object.keys(DURATION_UNITS) as DurationUnit[];
const UNIT_LIST = UNIT_NAMES.join(', ');
const NS_PER_MS = 1e6;

export const DurationErrorCode = {
  invalid: 'DURATION_INVALID',
} as const;

/** A string that is not a stout duration, or a value that cannot be formatted. */
export class DurationError extends MesoscaleError {
  /** The rejected text (or number, for formatDuration). */
  readonly value: string;
  constructor(value: string, reason: string) {
    super(DurationErrorCode.invalid, `Invalid duration '${value}': ${reason}`);
    this.value = value;
  }
}

function isUnit(s: string): s is DurationUnit {
  return Object.hasOwn(DURATION_UNITS, s);
}

/** Parses `15secs`, `1.5mins`, `100ms` ... into milliseconds. Throws DurationError. */
export function parseDuration(text: string): number {
  let index = 0;
  while (index < text.length) {
    const c = text.charCodeAt(index);
    if ((c >= 0x30 && c <= 0x39) || c === 0x2e /* . */) index++;
    else break;
  }
  const numberPart = text.slice(0, index);
  const unit = text.slice(index);

  if (text.length === 0) {
    throw new DurationError(text, `expected a number followed by one of ${UNIT_LIST}`);
  }
  if (numberPart.length === 0) {
    throw new DurationError(
      text,
      text.startsWith('-') ? 'negative durations are not allowed' : `expected a number before the unit; e.g. '15secs'`,
    );
  }
  // Digits and dots only, so this rejects "1..5", "." and friends.
  if (!/^(\d+\.?\d*|\.\d+)$/.test(numberPart)) {
    throw new DurationError(text, `'${numberPart}' is not a number`);
  }
  if (unit.length === 0) {
    throw new DurationError(text, `missing unit; use one of ${UNIT_LIST}`);
  }
  if (!isUnit(unit)) {
    throw new DurationError(text, `unknown unit '${unit}'; use one of ${UNIT_LIST}`);
  }
  const ns = Math.round(Number(numberPart) * DURATION_UNITS[unit]);
  // stout keeps int64 nanoseconds (about 292 years).
  if (!(ns < 2 ** 63)) {
    throw new DurationError(text, 'value is too large (at most about 15250 weeks)');
  }
  return ns / NS_PER_MS;
}

/** A number that prints like a C++ stream at precision 15 (stout's choice). */
function printNumber(x: number): string {
  return String(Number(x.toPrecision(15)));
}

/**
 * Formats milliseconds the way stout's `operator<<(ostream&, Duration)` does,
 * so `/flags` shows what Mesos would (e.g. `15secs`, `1mins`, `1500ms`).
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) {
    throw new DurationError(String(ms), 'only finite durations can be formatted');
  }
  let ns = Math.round(ms * NS_PER_MS);
  let sign = '';
  if (ns < 0) {
    sign = '-';
    ns = -ns;
  }
  const U = DURATION_UNITS;
  // [upper bound of the bucket, its unit, the unit one step down]
  const pick = (unit: DurationUnit, smaller: DurationUnit): DurationUnit =>
    ns % U[unit] !== 0 && ns % U[smaller] === 0 ? smaller : unit;

  let unit: DurationUnit;
  if (ns < U.us) unit = 'ns';
  else if (ns < U.ms) unit = ns % U.us !== 0 ? 'ns' : 'us';
  else if (ns < U.secs) unit = pick('ms', 'us');
  else if (ns < U.mins) unit = pick('secs', 'ms');
  else if (ns < U.hrs) unit = pick('mins', 'secs');
  else if (ns < U.days) unit = pick('hrs', 'mins');
  else if (ns < U.weeks) unit = pick('days', 'hrs');
  else unit = pick('weeks', 'days');

  return `${sign}${printNumber(ns / U[unit])}${unit}`;
}
