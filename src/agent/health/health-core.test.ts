import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { create } from '@bufbuild/protobuf';

import { ManualClock } from '../../lib/clock.js';
import { CommandInfoSchema, HealthCheckSchema, HealthCheck_Type } from '../../protocol/gen/mesos/v1/mesos_pb.js';
import { HealthCheckCore, type HealthCheckTiming, type HealthDecision, healthCheckTiming, judgeHealthProbe } from './health-core.js';
import type { ProbeSpec } from './probe.js';

const T0 = 1_700_000_000_000;
const TIMING: HealthCheckTiming = { delayMs: 1000, intervalMs: 500, timeoutMs: 200, consecutiveFailures: 3, gracePeriodMs: 2000 };

/** A probe finishing `afterMs` after the previous step, healthy or not. */
type Step = readonly [afterMs: number, healthy: boolean];

/** Decisions in a compact form: `probe@+1000`, `report:true`, `report:false#2`, `kill#3`, `ignore`. */
function short(decisions: HealthDecision[]): string[] {
  return decisions.map((d) => {
    switch (d.kind) {
      case 'probe':
        return `probe@+${d.atMs - T0}`;
      case 'report':
        return d.healthy ? 'report:true' : `report:false#${d.consecutiveFailures}`;
      case 'kill':
        return `kill#${d.consecutiveFailures}`;
      case 'ignore':
        return 'ignore';
    }
  });
}

function run(timing: HealthCheckTiming, steps: readonly Step[]): string[][] {
  const clock = new ManualClock(T0);
  const core = new HealthCheckCore(timing, clock);
  const out = [short(core.start())];
  for (const [afterMs, healthy] of steps) {
    clock.advance(afterMs);
    out.push(short(core.probed({ healthy, detail: healthy ? 'ok' : 'refused' })));
  }
  return out;
}

describe('HealthCheckCore', () => {
  const cases: Array<{ name: string; timing?: Partial<HealthCheckTiming>; steps: Step[]; want: string[][] }> = [
    {
      name: 'the first probe waits for the delay; the first success reports healthy, later ones do not',
      steps: [[1000, true], [500, true], [500, true]],
      want: [['probe@+1000'], ['report:true', 'probe@+1500'], ['probe@+2000'], ['probe@+2500']],
    },
    {
      name: 'failures within the grace period before any success are ignored',
      steps: [[1000, false], [500, false], [500, true]],
      want: [['probe@+1000'], ['ignore', 'probe@+1500'], ['ignore', 'probe@+2000'], ['report:true', 'probe@+2500']],
    },
    {
      name: 'after the grace period each failure reports unhealthy, and the limit kills and stops',
      steps: [[1000, false], [1500, false], [500, false], [500, false]],
      want: [['probe@+1000'], ['ignore', 'probe@+1500'], ['report:false#1', 'probe@+3000'], ['report:false#2', 'probe@+3500'], ['report:false#3', 'kill#3']],
    },
    {
      name: 'a task that was healthy once is not covered by the grace period any more',
      steps: [[1000, true], [500, false], [500, false], [500, false]],
      want: [['probe@+1000'], ['report:true', 'probe@+1500'], ['report:false#1', 'probe@+2000'], ['report:false#2', 'probe@+2500'], ['report:false#3', 'kill#3']],
    },
    {
      name: 'a success after failures reports healthy again and resets the count',
      steps: [[1000, true], [500, false], [500, false], [500, true], [500, false], [500, false]],
      want: [
        ['probe@+1000'],
        ['report:true', 'probe@+1500'],
        ['report:false#1', 'probe@+2000'],
        ['report:false#2', 'probe@+2500'],
        ['report:true', 'probe@+3000'],
        ['report:false#1', 'probe@+3500'],
        ['report:false#2', 'probe@+4000'],
      ],
    },
    {
      name: 'no grace period: the first failure counts',
      timing: { gracePeriodMs: 0, consecutiveFailures: 1 },
      steps: [[1000, false]],
      want: [['probe@+1000'], ['report:false#1', 'kill#1']],
    },
    {
      name: 'consecutive_failures 0 kills on the first counted failure, as Mesos (>=)',
      timing: { gracePeriodMs: 0, consecutiveFailures: 0 },
      steps: [[0, false]],
      want: [['probe@+1000'], ['report:false#1', 'kill#1']],
    },
    {
      name: 'the end of the grace period is inclusive',
      timing: { delayMs: 0 },
      steps: [[2000, false], [1, false]],
      want: [['probe@+0'], ['ignore', 'probe@+2500'], ['report:false#1', 'probe@+2501']],
    },
    {
      name: 'the interval runs from the end of a slow probe',
      steps: [[1180, true]],
      want: [['probe@+1000'], ['report:true', 'probe@+1680']],
    },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(run({ ...TIMING, ...c.timing }, c.steps), c.want));
  }

  it('decides nothing before start, after stop, after a kill, or on a second start', () => {
    const clock = new ManualClock(T0);
    const core = new HealthCheckCore({ ...TIMING, gracePeriodMs: 0, consecutiveFailures: 1 }, clock);
    assert.deepEqual(core.probed({ healthy: true, detail: '' }), []);
    assert.equal(core.start().length, 1);
    assert.deepEqual(core.start(), []);
    assert.deepEqual(short(core.probed({ healthy: false, detail: 'x' })), ['report:false#1', 'kill#1']);
    assert.equal(core.phase, 'stopped');
    assert.deepEqual(core.probed({ healthy: true, detail: '' }), []);

    const stopped = new HealthCheckCore(TIMING, clock);
    stopped.start();
    stopped.stop();
    assert.deepEqual(stopped.probed({ healthy: true, detail: '' }), []);
  });

  it('passes the failing probe detail on with the kill', () => {
    const core = new HealthCheckCore({ ...TIMING, gracePeriodMs: 0, consecutiveFailures: 1 }, new ManualClock(T0));
    core.start();
    const kill = core.probed({ healthy: false, detail: 'GET http://127.0.0.1:1/ returned 503' }).find((d) => d.kind === 'kill');
    assert.deepEqual(kill, { kind: 'kill', consecutiveFailures: 1, detail: 'GET http://127.0.0.1:1/ returned 503' });
  });
});

describe('healthCheckTiming', () => {
  it('uses the proto2 defaults of an unset HealthCheck', () => {
    assert.deepEqual(healthCheckTiming(create(HealthCheckSchema, { type: HealthCheck_Type.TCP })), {
      delayMs: 15_000,
      intervalMs: 10_000,
      timeoutMs: 20_000,
      consecutiveFailures: 3,
      gracePeriodMs: 10_000,
    });
  });

  it('converts fractional seconds and treats negatives as 0', () => {
    const check = create(HealthCheckSchema, { delaySeconds: 0.25, intervalSeconds: 0.5, timeoutSeconds: -1, consecutiveFailures: 2, gracePeriodSeconds: 0 });
    assert.deepEqual(healthCheckTiming(check), { delayMs: 250, intervalMs: 500, timeoutMs: 0, consecutiveFailures: 2, gracePeriodMs: 0 });
  });
});

describe('judgeHealthProbe', () => {
  const http: ProbeSpec = { kind: 'http', scheme: 'http', host: '127.0.0.1', port: 8080, path: '/health' };
  const tcp: ProbeSpec = { kind: 'tcp', host: '127.0.0.1', port: 8080 };
  const command: ProbeSpec = { kind: 'command', command: create(CommandInfoSchema, { value: 'true' }) };
  const cases: Array<[string, ProbeSpec, Parameters<typeof judgeHealthProbe>[1], number[], boolean]> = [
    ['exit 0', command, { kind: 'command', exitCode: 0 }, [], true],
    ['exit 1', command, { kind: 'command', exitCode: 1 }, [], false],
    ['HTTP 200', http, { kind: 'http', statusCode: 200 }, [], true],
    ['HTTP 399', http, { kind: 'http', statusCode: 399 }, [], true],
    ['HTTP 400', http, { kind: 'http', statusCode: 400 }, [], false],
    ['HTTP 199', http, { kind: 'http', statusCode: 199 }, [], false],
    ['HTTP 503 listed in statuses', http, { kind: 'http', statusCode: 503 }, [503], true],
    ['HTTP 200 not listed in statuses', http, { kind: 'http', statusCode: 200 }, [204], false],
    ['TCP connected', tcp, { kind: 'tcp', succeeded: true }, [], true],
    ['TCP refused', tcp, { kind: 'tcp', succeeded: false }, [], false],
    ['no answer', http, { kind: 'error', message: 'timed out' }, [], false],
  ];
  for (const [name, spec, result, statuses, healthy] of cases) {
    it(`${name} → ${healthy ? 'healthy' : 'unhealthy'}`, () => assert.equal(judgeHealthProbe(spec, result, statuses).healthy, healthy));
  }

  it('says what was probed', () => {
    assert.equal(judgeHealthProbe(http, { kind: 'http', statusCode: 503 }).detail, 'GET http://127.0.0.1:8080/health returned 503');
  });
});
