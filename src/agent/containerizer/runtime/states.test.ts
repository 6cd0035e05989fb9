import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ContainerStateError } from '../isolators/errors.js';
import { canTransition, ContainerState, transition } from './states.js';

describe('container states', () => {
  it('follows the Mesos launch order', () => {
    const order: ContainerState[] = ['PROVISIONING', 'PREPARING', 'ISOLATING', 'FETCHING', 'RUNNING'];
    for (let i = 0; i + 1 < order.length; i++) assert.ok(canTransition(order[i]!, order[i + 1]!), `${order[i]} → ${order[i + 1]}`);
  });

  it('can be destroyed from every state but DESTROYING', () => {
    for (const state of Object.values(ContainerState)) {
      assert.equal(canTransition(state, 'DESTROYING'), state !== 'DESTROYING', state);
    }
  });

  it('refuses skipping or going back, naming the container', () => {
    assert.throws(() => transition('c1', 'PREPARING', 'RUNNING'), ContainerStateError);
    assert.throws(() => transition('c1', 'RUNNING', 'ISOLATING'), /c1: no transition from RUNNING to ISOLATING/);
    assert.equal(transition('c1', 'FETCHING', 'RUNNING'), 'RUNNING');
  });
});
