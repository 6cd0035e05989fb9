import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { Backoff } from './backoff.js';
import { InvalidSchedulerOptionError } from './errors.js';

describe('Backoff', () => {
  it('doubles up to the cap; without jitter the delays are exact', () => {
    const backoff = new Backoff({ initialMs: 100, maxMs: 1000, jitter: 0 });
    assert.deepEqual([1, 2, 3, 4, 5, 6].map(() => backoff.next()), [100, 200, 400, 800, 1000, 1000]);
  });

  it('spreads each delay over [base * (1 - jitter), base)', () => {
    assert.equal(new Backoff({ initialMs: 1000, jitter: 0.5, random: () => 0 }).next(), 500);
    assert.equal(new Backoff({ initialMs: 1000, jitter: 0.5, random: () => 0.999999 }).next() < 1000, true);
  });

  it('starts over after reset', () => {
    const backoff = new Backoff({ initialMs: 10, jitter: 0 });
    backoff.next();
    backoff.next();
    backoff.reset();
    assert.equal(backoff.attempt, 0);
    assert.equal(backoff.next(), 10);
  });

  it('never overflows after many attempts', () => {
    const backoff = new Backoff({ initialMs: 1, maxMs: 50, jitter: 0 });
    for (let i = 0; i < 2000; i++) backoff.next();
    assert.equal(backoff.next(), 50);
  });

  it('rejects nonsense options', () => {
    assert.throws(() => new Backoff({ initialMs: 0 }), InvalidSchedulerOptionError);
    assert.throws(() => new Backoff({ initialMs: 10, maxMs: 5 }), InvalidSchedulerOptionError);
    assert.throws(() => new Backoff({ jitter: 2 }), InvalidSchedulerOptionError);
  });
});
