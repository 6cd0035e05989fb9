import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { create } from '@bufbuild/protobuf';

import { ManualClock } from '../../lib/clock.js';
import { CheckInfoSchema, CheckInfo_Type } from '../../protocol/gen/mesos/v1/mesos_pb.js';
import { CheckCore, type CheckDecision, checkKind, checkOutcome, checkTiming } from './check-core.js';
import type { ProbeKind, ProbeResult } from './probe.js';

const T0 = 1_700_000_000_000;
const TIMING = { delayMs: 300, intervalMs: 100, timeoutMs: 50 };

function short(decisions: CheckDecision[]): string[] {
  return decisions.map((d) => (d.kind === 'probe' ? `probe@+${d.atMs - T0}` : `report:${JSON.stringify(d.outcome)}`));
}

function run(kind: ProbeKind, results: ProbeResult[]): string[][] {
  const clock = new ManualClock(T0);
  const core = new CheckCore(kind, TIMING, clock);
  const out = [short(core.start())];
  clock.advance(TIMING.delayMs);
  for (const result of results) {
    out.push(short(core.probed(result)));
    clock.advance(TIMING.intervalMs);
  }
  return out;
}

describe('CheckCore', () => {
  it('reports a command check exit code only when it changes', () => {
    const exit = (exitCode: number): ProbeResult => ({ kind: 'command', exitCode });
    assert.deepEqual(run('command', [exit(0), exit(0), exit(3), exit(3), exit(0)]), [
      ['probe@+300'],
      ['report:{"kind":"command","exitCode":0}', 'probe@+400'],
      ['probe@+500'],
      ['report:{"kind":"command","exitCode":3}', 'probe@+600'],
      ['probe@+700'],
      ['report:{"kind":"command","exitCode":0}', 'probe@+800'],
    ]);
  });

  it('reports "no answer" (an empty status) once, and the first outcome even when it is empty', () => {
    const none: ProbeResult = { kind: 'error', message: 'timed out' };
    assert.deepEqual(run('http', [none, none, { kind: 'http', statusCode: 200 }, none]), [
      ['probe@+300'],
      ['report:{"kind":"http"}', 'probe@+400'],
      ['probe@+500'],
      ['report:{"kind":"http","statusCode":200}', 'probe@+600'],
      ['report:{"kind":"http"}', 'probe@+700'],
    ]);
  });

  it('tells a refused TCP connection (succeeded=false) from no answer', () => {
    assert.deepEqual(run('tcp', [{ kind: 'tcp', succeeded: true }, { kind: 'tcp', succeeded: false }, { kind: 'error', message: 'timeout' }]), [
      ['probe@+300'],
      ['report:{"kind":"tcp","succeeded":true}', 'probe@+400'],
      ['report:{"kind":"tcp","succeeded":false}', 'probe@+500'],
      ['report:{"kind":"tcp"}', 'probe@+600'],
    ]);
  });

  it('decides nothing after stop', () => {
    const core = new CheckCore('command', TIMING, new ManualClock(T0));
    core.start();
    core.stop();
    assert.deepEqual(core.probed({ kind: 'command', exitCode: 1 }), []);
    assert.deepEqual(core.start(), []);
  });

  it('maps results of the wrong kind to no answer', () => {
    assert.deepEqual(checkOutcome('command', { kind: 'http', statusCode: 200 }), { kind: 'command', exitCode: undefined });
  });

  it('reads CheckInfo timing with proto2 defaults, and the probe kind of each type', () => {
    assert.deepEqual(checkTiming(create(CheckInfoSchema, {})), { delayMs: 15_000, intervalMs: 10_000, timeoutMs: 20_000 });
    assert.deepEqual(checkTiming(create(CheckInfoSchema, { delaySeconds: 0, intervalSeconds: 0.5, timeoutSeconds: 1 })), {
      delayMs: 0,
      intervalMs: 500,
      timeoutMs: 1000,
    });
    assert.equal(checkKind(CheckInfo_Type.COMMAND), 'command');
    assert.equal(checkKind(CheckInfo_Type.HTTP), 'http');
    assert.equal(checkKind(CheckInfo_Type.TCP), 'tcp');
    assert.equal(checkKind(CheckInfo_Type.UNKNOWN), undefined);
  });
});
