/**
 * Health checks and checks of command tasks on a real master and agent,
 * driven by a framework on the wire (test/agent/wire-framework.ts), in both
 * command-executor modes. Reference: shared/reference/mesos-http-api.md 5.7,
 * 5.8; issue 4's acceptance line: "An HTTP health check on a server reports
 * healthy=true; when the server stops answering, unhealthy updates follow and
 * the task is killed after consecutive_failures".
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';

import { startCluster, withClusterLogs, type Cluster } from '../support/cluster.js';
import { LOOPBACK } from '../support/ports.js';
import { scalars, WireFramework } from '../agent/wire-framework.js';

const FLAKY_SERVER = fileURLToPath(new URL('./flaky-http-server.js', import.meta.url));

const MODES = [
  { name: 'built-in command executor', agentFlags: [] as string[] },
  { name: 'HTTP command executor process', agentFlags: ['--http_command_executor'] },
];

/** A port of the agent's offered range (31000-31999) that nothing on this host listens on now. */
async function freeOfferedPort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 31_000 + Math.floor(Math.random() * 1000);
    const free = await new Promise<boolean>((resolve) => {
      const probe = net.createServer();
      probe.once('error', () => resolve(false));
      probe.listen(port, LOOPBACK, () => probe.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error('no free port in 31000-31999');
}

const portResource = (port: number) => ({ name: 'ports', type: 'RANGES', ranges: { range: [{ begin: port, end: port }] } });

for (const mode of MODES) {
  describe(`health checks and checks of command tasks (${mode.name})`, () => {
    let cluster: Cluster;
    let framework: WireFramework;

    before(async () => {
      cluster = await startCluster({ agents: 1, masterFlags: ['--allocation_interval=100ms'], agentFlags: mode.agentFlags });
      framework = await WireFramework.subscribe(cluster.masterUrl, { name: 'health-test', capabilities: ['TASK_KILLING_STATE'] });
    });

    after(async () => {
      framework?.close();
      await cluster?.stop();
    });

    it('HTTP health check: healthy=true, then healthy=false updates once the server stops answering, then TASK_KILLED', async (t) =>
      withClusterLogs(cluster, t, async () => {
        const port = await freeOfferedPort();
        const taskId = 'flaky-web';
        await framework.launch(
          taskId,
          {
            command: { value: `exec "${process.execPath}" "${FLAKY_SERVER}" ${port} 3` },
            // Failures before the server listens fall in the grace period; after its
            // three answers every failure counts, and the third kills the task.
            health_check: {
              type: 'HTTP',
              http: { port, path: '/health' },
              delay_seconds: 0.2,
              interval_seconds: 0.5,
              timeout_seconds: 2,
              consecutive_failures: 3,
              grace_period_seconds: 20,
            },
            kill_policy: { grace_period: { nanoseconds: 2_000_000_000 } },
          },
          [...scalars(0.1, 64), portResource(port)],
        );
        const running = await framework.waitForState(taskId, 'TASK_RUNNING');
        assert.equal(running.healthy, undefined, 'TASK_RUNNING itself says nothing about health yet');

        const killed = await framework.waitForState(taskId, 'TASK_KILLED', 30_000);
        const statuses = framework.statuses(taskId);
        const health = statuses.filter((s) => s.reason === 'REASON_TASK_HEALTH_CHECK_STATUS_UPDATED');
        assert.deepEqual(
          health.map((s) => [s.state, s.healthy, s.source]),
          [
            ['TASK_RUNNING', true, 'SOURCE_EXECUTOR'],
            ['TASK_RUNNING', false, 'SOURCE_EXECUTOR'],
            ['TASK_RUNNING', false, 'SOURCE_EXECUTOR'],
            ['TASK_RUNNING', false, 'SOURCE_EXECUTOR'],
          ],
          `health updates: ${JSON.stringify(statuses.map((s) => [s.state, s.healthy, s.reason]))}`,
        );
        assert.deepEqual(
          statuses.map((s) => s.state),
          ['TASK_STARTING', 'TASK_RUNNING', 'TASK_RUNNING', 'TASK_RUNNING', 'TASK_RUNNING', 'TASK_RUNNING', 'TASK_KILLING', 'TASK_KILLED'],
        );
        // Each update is its own reliable update: distinct uuids.
        assert.equal(new Set(statuses.map((s) => s.uuid)).size, statuses.length);
        assert.equal(killed.healthy, false, 'the terminal update says the task was unhealthy');
        assert.match(killed.message, /^Command terminated with signal Terminated: Task was killed after 3 consecutive failed health checks; last: GET http:\/\/127\.0\.0\.1:\d+\/health failed/);

        // The master's view agrees.
        const tasks = await (await fetch(`${cluster.masterUrl}/tasks`)).json() as { tasks: Array<{ id: string; state: string }> };
        assert.equal(tasks.tasks.find((task) => task.id === taskId)?.state, 'TASK_KILLED');
        framework.assertAcksAccepted();
      }));

    it('COMMAND check: check_status updates when the exit code changes, an empty check_status before the first result', async (t) =>
      withClusterLogs(cluster, t, async () => {
        const taskId = 'checked-task';
        const agentId = await framework.launch(taskId, {
          command: { value: 'sleep 60' },
          // Fails twice, then passes for good: one update for exit 1, one for exit 0.
          check: {
            type: 'COMMAND',
            command: { command: { value: 'n=$(cat probes 2>/dev/null || echo 0); n=$((n+1)); echo $n > probes; test $n -ge 3' } },
            delay_seconds: 0.2,
            interval_seconds: 0.3,
            timeout_seconds: 5,
          },
        });
        const running = await framework.waitForState(taskId, 'TASK_RUNNING');
        assert.deepEqual(running.check_status, { type: 'COMMAND', command: {} });
        const starting = framework.statuses(taskId)[0];
        assert.deepEqual(starting.check_status, { type: 'COMMAND', command: {} });

        const checkUpdate = (exitCode: number) =>
          framework.sub.next(
            (e) =>
              e.type === 'UPDATE' &&
              e.update.status.task_id.value === taskId &&
              e.update.status.reason === 'REASON_TASK_CHECK_STATUS_UPDATED' &&
              e.update.status.check_status?.command?.exit_code === exitCode,
            15_000,
          );
        const failing = (await checkUpdate(1)).update.status;
        assert.equal(failing.state, 'TASK_RUNNING');
        const passing = (await checkUpdate(0)).update.status;
        assert.equal(passing.state, 'TASK_RUNNING');
        assert.deepEqual(passing.check_status, { type: 'COMMAND', command: { exit_code: 0 } });

        // Exit 0 again and again changes nothing: no further check updates.
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        const checkUpdates = framework.statuses(taskId).filter((s) => s.reason === 'REASON_TASK_CHECK_STATUS_UPDATED');
        assert.deepEqual(checkUpdates.map((s) => s.check_status.command.exit_code), [1, 0]);

        await framework.kill(taskId, agentId, 1_000);
        const killed = await framework.waitForState(taskId, 'TASK_KILLED');
        assert.deepEqual(killed.check_status, { type: 'COMMAND', command: {} }, 'statuses built from scratch carry an empty check_status');
        assert.equal(killed.healthy, undefined);
        assert.equal(killed.message, 'Command terminated with signal Terminated');
      }));
  });
}
