/**
 * `mesoscale execute` end to end: a real master and agent (test/support),
 * the command run as a separate process exactly as a user runs it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { startCluster, withClusterLogs, type Cluster } from '../support/cluster.js';
import { MESOSCALE_BIN } from '../support/repo.js';
import { describeResult, runCommand } from '../support/run-command.js';

describe('mesoscale execute', () => {
  let cluster: Cluster | undefined;

  before(async () => {
    cluster = await startCluster({ agents: 1 });
  }, { timeout: 120_000 });

  after(async () => {
    await cluster?.stop();
  });

  async function execute(...flags: string[]) {
    return runCommand(process.execPath, [MESOSCALE_BIN, 'execute', `--master=${cluster!.masterAddress}`, ...flags], { timeoutMs: 60_000 });
  }

  for (const codec of ['protobuf', 'json'] as const) {
    it(`runs a command to TASK_FINISHED, prints its states and output, exits 0 (${codec})`, { timeout: 90_000 }, async (t) => {
      await withClusterLogs(cluster!, t, async () => {
        const result = await execute(`--name=hello-${codec}`, '--command=echo hello from $GREETING; echo to-stderr >&2', '--env={"GREETING":"mesoscale"}', `--content_type=${codec}`);
        const report = describeResult('mesoscale execute', result);
        assert.equal(result.code, 0, report);
        assert.match(result.stdout, /^Subscribed with ID \S+/m, report);
        assert.match(result.stdout, new RegExp(`^Submitted task 'hello-${codec}' to agent '\\S+'`, 'm'), report);
        assert.match(result.stdout, new RegExp(`^Received status update TASK_RUNNING for task 'hello-${codec}'`, 'm'), report);
        assert.match(result.stdout, new RegExp(`^Received status update TASK_FINISHED for task 'hello-${codec}'`, 'm'), report);
        assert.ok(result.stdout.indexOf('TASK_RUNNING') < result.stdout.indexOf('TASK_FINISHED'), report);
        assert.match(result.stdout, /^hello from mesoscale$/m, report);
        assert.match(result.stderr, /^to-stderr$/m, report);
      });
    });
  }

  it('exits 1 and names the state when the command fails', { timeout: 90_000 }, async (t) => {
    await withClusterLogs(cluster!, t, async () => {
      const result = await execute('--name=fails', '--command=exit 3');
      const report = describeResult('mesoscale execute', result);
      assert.equal(result.code, 1, report);
      assert.match(result.stdout, /^Received status update TASK_FAILED for task 'fails'/m, report);
      assert.match(result.stderr, /^Task 'fails' ended in TASK_FAILED/m, report);
    });
  });

  it('kills the task after --kill_after and exits 1', { timeout: 90_000 }, async (t) => {
    await withClusterLogs(cluster!, t, async () => {
      const result = await execute('--name=sleeper', '--command=sleep 60', '--kill_after=500ms');
      const report = describeResult('mesoscale execute', result);
      assert.equal(result.code, 1, report);
      assert.match(result.stdout, /^Received status update TASK_KILLED for task 'sleeper'/m, report);
    });
  });

  it('stops at start with a message naming a malformed flag', async () => {
    const result = await execute('--name=x', '--command=true', '--resources=cpus:abc');
    assert.equal(result.code, 1);
    assert.match(result.stderr, /resources.*'abc' is not a number/);
  });
});
