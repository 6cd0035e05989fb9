import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { HeartbeatWatchdog, type SetTimer } from './heartbeat-watchdog.js';

/** Timers moved by hand. */
function manualTimers(): { setTimer: SetTimer; advance: (ms: number) => void; pending: () => number } {
  let now = 0;
  let timers: Array<{ at: number; fn: () => void }> = [];
  return {
    setTimer: (fn, ms) => {
      const timer = { at: now + ms, fn };
      timers.push(timer);
      return () => {
        timers = timers.filter((t) => t !== timer);
      };
    },
    advance: (ms) => {
      now += ms;
      const due = timers.filter((t) => t.at <= now);
      timers = timers.filter((t) => t.at > now);
      for (const t of due) t.fn();
    },
    pending: () => timers.length,
  };
}

describe('HeartbeatWatchdog', () => {
  it('fires once after maxMissed silent intervals', () => {
    const timers = manualTimers();
    const fired: number[] = [];
    const watchdog = new HeartbeatWatchdog({ maxMissed: 5, setTimer: timers.setTimer, onMissed: (ms) => fired.push(ms) });
    watchdog.start(1000);
    timers.advance(4999);
    assert.deepEqual(fired, []);
    timers.advance(1);
    assert.deepEqual(fired, [5000]);
    assert.equal(watchdog.running, false);
    timers.advance(100_000);
    assert.deepEqual(fired, [5000]);
  });

  it('any event pushes the deadline out', () => {
    const timers = manualTimers();
    let fired = 0;
    const watchdog = new HeartbeatWatchdog({ maxMissed: 5, setTimer: timers.setTimer, onMissed: () => fired++ });
    watchdog.start(1000);
    for (let i = 0; i < 10; i++) {
      timers.advance(4000);
      watchdog.beat();
    }
    assert.equal(fired, 0);
    assert.equal(timers.pending(), 1);
  });

  it('does nothing once stopped, and beats before start are ignored', () => {
    const timers = manualTimers();
    let fired = 0;
    const watchdog = new HeartbeatWatchdog({ setTimer: timers.setTimer, onMissed: () => fired++ });
    watchdog.beat();
    assert.equal(timers.pending(), 0);
    watchdog.start(10);
    watchdog.stop();
    timers.advance(1000);
    assert.equal(fired, 0);
  });
});
