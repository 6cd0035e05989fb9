import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { InvariantError } from '../lib/errors.js';
import { ConnectionState, ConnectionTracker, type Subscription } from './connection-state.js';

/** Reads the getter afresh (TypeScript would keep an earlier narrowing of tracker.subscription). */
const subscriptionOf = (tracker: ConnectionTracker): Subscription | undefined => tracker.subscription;

describe('ConnectionTracker', () => {
  it('goes DISCONNECTED → SUBSCRIBING → SUBSCRIBED and exposes the subscription', () => {
    const tracker = new ConnectionTracker();
    assert.equal(tracker.state, ConnectionState.disconnected);
    const generation = tracker.beginSubscribe();
    assert.equal(generation, 1);
    assert.equal(tracker.state, ConnectionState.subscribing);
    assert.equal(tracker.subscription, undefined);
    assert.ok(tracker.streamOpened(generation, 'stream-a'));
    assert.ok(tracker.subscribed(generation, 'fw-1', 15_000));
    assert.deepEqual(tracker.subscription, { generation: 1, frameworkId: 'fw-1', streamId: 'stream-a', heartbeatIntervalMs: 15_000 });
  });

  it('keeps the framework id across a reconnect but forgets the stream id', () => {
    const tracker = new ConnectionTracker();
    const first = tracker.beginSubscribe();
    tracker.streamOpened(first, 'stream-a');
    tracker.subscribed(first, 'fw-1', 15_000);
    assert.ok(tracker.disconnected(first));
    assert.equal(tracker.subscription, undefined);
    assert.equal(tracker.frameworkId, 'fw-1');
    const second = tracker.beginSubscribe();
    assert.equal(second, 2);
    assert.ok(tracker.streamOpened(second, 'stream-b'));
    assert.ok(tracker.subscribed(second, 'fw-1', 15_000));
    assert.equal(subscriptionOf(tracker)?.streamId, 'stream-b');
  });

  it('ignores everything reported by a stale generation', () => {
    const tracker = new ConnectionTracker('fw-0');
    const first = tracker.beginSubscribe();
    tracker.disconnected(first);
    const second = tracker.beginSubscribe();
    assert.equal(tracker.isCurrent(first), false);
    assert.equal(tracker.streamOpened(first, 'late'), false);
    assert.equal(tracker.subscribed(first, 'fw-x', 1), false);
    assert.equal(tracker.disconnected(first), false);
    assert.equal(tracker.state, ConnectionState.subscribing);
    assert.ok(tracker.isCurrent(second));
    assert.equal(tracker.frameworkId, 'fw-0');
  });

  it('refuses to start a second attempt while one is running', () => {
    const tracker = new ConnectionTracker();
    tracker.beginSubscribe();
    assert.throws(() => tracker.beginSubscribe(), InvariantError);
  });

  it('is terminal once closed', () => {
    const tracker = new ConnectionTracker();
    const generation = tracker.beginSubscribe();
    assert.ok(tracker.close());
    assert.equal(tracker.close(), false);
    assert.equal(tracker.state, ConnectionState.closed);
    assert.equal(tracker.isCurrent(generation), false);
    assert.equal(tracker.disconnected(generation), false);
    assert.throws(() => tracker.beginSubscribe(), InvariantError);
  });

  it('treats an empty framework id as none', () => {
    assert.equal(new ConnectionTracker('').frameworkId, undefined);
  });
});
