import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { MesoscaleError } from './errors.js';
import { DURATION_UNITS, DurationError, formatDuration, parseDuration } from './duration.js';

const SEC = 1000;
const MIN = 60 * SEC;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;

describe('parseDuration', () => {
  it('parses every unit into milliseconds', () => {
    const cases: [string, number][] = [
      ['1ns', 1e-6],
      ['1us', 0.001],
      ['250ms', 250],
      ['15secs', 15 * SEC],
      ['20mins', 20 * MIN],
      ['2hrs', 2 * HOUR],
      ['1days', DAY],
      ['1weeks', WEEK],
      ['0secs', 0],
    ];
    for (const [text, ms] of cases) assert.equal(parseDuration(text), ms, text);
  });

  it('accepts fractional numbers', () => {
    assert.equal(parseDuration('1.5secs'), 1500);
    assert.equal(parseDuration('.5mins'), 30 * SEC);
    assert.equal(parseDuration('2.mins'), 2 * MIN);
    assert.equal(parseDuration('0.3secs'), 300); // not 299.999999 (rounded to whole ns)
    assert.equal(parseDuration('1.5ns'), 2e-6); // whole nanoseconds, like stout
  });

  it('rejects what stout rejects, quoting the value and listing the units', () => {
    const units = /use one of ns, us, ms, secs, mins, hrs, days, weeks/;
    const cases: [string, RegExp][] = [
      ['5s', /^Invalid duration '5s': unknown unit 's'; use one of ns, us, ms, secs, mins, hrs, days, weeks$/],
      ['1sec', /unknown unit 'sec'/],
      ['1min', /unknown unit 'min'/],
      ['1SECS', /unknown unit 'SECS'/],
      ['1 secs', /unknown unit ' secs'/],
      ['15', /^Invalid duration '15': missing unit; use one of/],
      ['', /^Invalid duration '': expected a number followed by one of ns, us/],
      ['-1secs', /negative durations are not allowed/],
      ['secs', /expected a number before the unit/],
      ['1..5secs', /'1..5' is not a number/],
      ['.secs', /'.' is not a number/],
      ['1e3ms', /unknown unit 'e3ms'/],
    ];
    for (const [text, pattern] of cases) {
      assert.throws(
        () => parseDuration(text),
        (err: unknown) => {
          assert.ok(err instanceof DurationError && err instanceof MesoscaleError, text);
          assert.equal(err.code, 'DURATION_INVALID');
          assert.equal(err.value, text);
          assert.match(err.message, pattern, text);
          if (pattern.source.includes("unit '") || pattern.source.includes('missing unit')) {
            assert.match(err.message, units);
          }
          return true;
        },
      );
    }
  });

  it('rejects durations beyond int64 nanoseconds', () => {
    assert.throws(() => parseDuration('20000weeks'), /too large/);
    assert.equal(parseDuration('15000weeks'), 15000 * WEEK);
  });
});

describe('formatDuration', () => {
  it('prints like stout', () => {
    const cases: [number, string][] = [
      [0, '0ns'],
      [1e-6, '1ns'],
      [0.001, '1us'],
      [0.0015, '1500ns'],
      [1, '1ms'],
      [1.5, '1500us'],
      [100 + 1e-6, '100.000001ms'], // stout steps down one unit at most
      [1 + 1e-6, '1.000001ms'],
      [999, '999ms'],
      [SEC, '1secs'],
      [1500, '1500ms'],
      [5 * SEC, '5secs'],
      [15 * SEC, '15secs'],
      [MIN, '1mins'],
      [90 * SEC, '90secs'],
      [15 * MIN, '15mins'],
      [HOUR, '1hrs'],
      [90 * MIN, '90mins'],
      [DAY, '1days'],
      [36 * HOUR, '36hrs'],
      [10 * DAY, '10days'],
      [WEEK, '1weeks'],
      [2 * WEEK, '2weeks'],
      [-5 * SEC, '-5secs'],
    ];
    for (const [ms, text] of cases) assert.equal(formatDuration(ms), text, `${ms}ms`);
  });

  it('uses a fraction when neither the unit nor the one below is whole', () => {
    assert.equal(formatDuration(SEC + 1e-6), '1.000000001secs');
    assert.equal(formatDuration(1000 / 3), '333.333333ms');
    assert.equal(formatDuration(MIN + 500), '1.00833333333333mins'); // 15 significant digits, like stout
    assert.equal(formatDuration(MIN + SEC), '61secs');
  });

  it('round-trips through parseDuration', () => {
    for (const ms of [0, 1e-6, 0.25, 7, 1500, 15 * SEC, 61 * SEC, 3 * HOUR, 10 * DAY, 3 * WEEK, 1000 / 3]) {
      assert.equal(parseDuration(formatDuration(ms)), Math.round(ms * 1e6) / 1e6, `${ms}`);
    }
    for (const unit of Object.keys(DURATION_UNITS)) {
      assert.equal(formatDuration(parseDuration(`3${unit}`)), `3${unit}`);
    }
  });

  it('refuses non-finite values', () => {
    assert.throws(() => formatDuration(Infinity), DurationError);
    assert.throws(() => formatDuration(Number.NaN), DurationError);
  });
});
