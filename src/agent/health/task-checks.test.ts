import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import { fromMesosJson, toMesosJson } from '../../protocol/codec/json.js';
import { CheckStatusInfoSchema, TaskInfoSchema } from '../../protocol/gen/mesos/v1/mesos_pb.js';
import { startTaskChecks, type TaskCheckSink } from './task-checks.js';

const sandbox = mkdtempSync(join(tmpdir(), 'task-checks-'));
const context = { cwd: sandbox, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } };

function task(fields: object) {
  return fromMesosJson(TaskInfoSchema, { name: 't', task_id: { value: 't' }, agent_id: { value: 'a' }, command: { value: 'sleep 1' }, ...fields });
}

/** Records what reaches the sink: `healthy`, `unhealthy`, `kill: ...`, `check: {...}`. */
function recordingSink(): TaskCheckSink & { events: string[]; logs: string[]; waitFor(pred: (e: string[]) => boolean, ms?: number): Promise<void> } {
  const events: string[] = [];
  const logs: string[] = [];
  return {
    events,
    logs,
    healthChanged: (healthy) => events.push(healthy ? 'healthy' : 'unhealthy'),
    checkChanged: (status) => events.push(`check: ${JSON.stringify(toMesosJson(CheckStatusInfoSchema, status))}`),
    killUnhealthy: (message) => events.push(`kill: ${message}`),
    log: (line) => logs.push(line),
    async waitFor(pred, ms = 5_000) {
      const deadline = Date.now() + ms;
      while (!pred(events)) {
        if (Date.now() > deadline) throw new Error(`timed out; events: ${events.join(' | ')}; logs: ${logs.join(' | ')}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
  };
}

describe('startTaskChecks', () => {
  after(() => rmSync(sandbox, { recursive: true, force: true }));

  it('HTTP health check: healthy, then unhealthy after the server stops, then a kill after consecutive_failures', async () => {
    const server = http.createServer((_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const sink = recordingSink();
    const checks = startTaskChecks(
      task({ health_check: { type: 'HTTP', http: { port, path: '/' }, delay_seconds: 0, interval_seconds: 0.05, timeout_seconds: 1, consecutive_failures: 3, grace_period_seconds: 0 } }),
      context,
      sink,
    );
    try {
      await sink.waitFor((e) => e.includes('healthy'));
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.deepEqual(sink.events, ['healthy'], 'later successes send nothing');
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await sink.waitFor((e) => e.some((x) => x.startsWith('kill')));
      assert.deepEqual(sink.events.slice(0, 4), ['healthy', 'unhealthy', 'unhealthy', 'unhealthy']);
      assert.match(sink.events[4]!, /^kill: Task was killed after 3 consecutive failed health checks; last: GET http:\/\/127\.0\.0\.1:\d+\/ failed: .*ECONNREFUSED/);
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal(sink.events.length, 5, 'no probing after the kill decision');
    } finally {
      checks.stop();
      server.close();
    }
  });

  it('COMMAND check: reports the exit code when it changes, and nothing after stop()', async () => {
    const sink = recordingSink();
    const checks = startTaskChecks(
      task({ check: { type: 'COMMAND', command: { command: { value: 'test -f ready && exit 0; exit 3' } }, delay_seconds: 0, interval_seconds: 0.05, timeout_seconds: 2 } }),
      context,
      sink,
    );
    try {
      await sink.waitFor((e) => e.length === 1);
      assert.deepEqual(sink.events, ['check: {"type":"COMMAND","command":{"exit_code":3}}']);
      writeFileSync(join(sandbox, 'ready'), '');
      await sink.waitFor((e) => e.length === 2);
      assert.equal(sink.events[1], 'check: {"type":"COMMAND","command":{"exit_code":0}}');
      checks.stop();
      rmSync(join(sandbox, 'ready'));
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(sink.events.length, 2);
    } finally {
      checks.stop();
    }
  });

  it('TCP health check within the grace period: failures are only logged', async () => {
    const sink = recordingSink();
    const checks = startTaskChecks(
      task({ health_check: { type: 'TCP', tcp: { port: 9 }, delay_seconds: 0, interval_seconds: 0.05, grace_period_seconds: 60 } }),
      context,
      sink,
    );
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.deepEqual(sink.events, []);
      assert.ok(sink.logs.some((l) => l.includes('still in the 60000 ms grace period')), sink.logs.join('\n'));
    } finally {
      checks.stop();
    }
  });

  it('logs and skips a check the master should have refused', () => {
    const sink = recordingSink();
    startTaskChecks(task({ health_check: { type: 'HTTP' } }), context, sink).stop();
    assert.match(sink.logs.join('\n'), /Not health checking task t: .*type HTTP without 'http'/);
    assert.deepEqual(sink.events, []);
  });
});
