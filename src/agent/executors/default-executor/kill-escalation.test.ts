import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { KillEscalation } from './kill-escalation.js';

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('KillEscalation', () => {
  it('sends SIGTERM now and SIGKILL when the grace ends', async () => {
    const sent: string[] = [];
    const kill = new KillEscalation((signal) => sent.push(signal));
    kill.kill(30);
    assert.deepEqual(sent, ['SIGTERM']);
    await settle(60);
    assert.deepEqual(sent, ['SIGTERM', 'SIGKILL']);
  });

  it('lets a second kill shorten the grace but not extend it', async () => {
    const sent: string[] = [];
    const kill = new KillEscalation((signal) => sent.push(signal));
    kill.kill(10_000);
    kill.kill(20);
    kill.kill(60_000);
    await settle(60);
    assert.deepEqual(sent, ['SIGTERM', 'SIGKILL']);
  });

  it('sends nothing more once cancelled', async () => {
    const sent: string[] = [];
    const kill = new KillEscalation((signal) => sent.push(signal));
    kill.kill(20);
    kill.cancel();
    await settle(50);
    assert.deepEqual(sent, ['SIGTERM']);
  });
});
