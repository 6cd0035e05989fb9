/**
 * An agent process killed and started again on the same work_dir keeps its
 * agent id (meta/slaves/latest) and re-registers with the real master as the
 * same agent. Recovery of executors is a later issue, so this checks the
 * agent id, what the master and a framework see, and that the agent works
 * afterwards.
 */
import assert from 'node:assert/strict';
import { readlink } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { DEFAULT_AGENT_RESOURCES, startCluster, withClusterLogs, type Cluster, type ClusterAgent } from '../support/cluster.js';
import { LOOPBACK } from '../support/ports.js';
import { TestProcess } from '../support/test-process.js';
import { getJson, waitFor, waitForHealth } from '../support/wait.js';
import { WireFramework } from './wire-framework.js';

interface MasterState {
  slaves: Array<{ id: string; active: boolean; reregistered_time?: number }>;
}

describe('agent restart on the same work_dir', () => {
  let cluster: Cluster;
  let agent: ClusterAgent;
  let framework: WireFramework;
  let restarted: TestProcess | undefined;

  before(async () => {
    cluster = await startCluster({ agents: 1, masterFlags: ['--allocation_interval=100ms'] });
    agent = cluster.agents[0]!;
    framework = await WireFramework.subscribe(cluster.masterUrl, { name: 'restart-test' });
  });

  after(async () => {
    framework?.close();
    await restarted?.stop();
    await cluster?.stop();
  });

  /** The agent's command line as startCluster built it, so the new process is the same agent. */
  function restartAgent(): TestProcess {
    const agentDir = path.dirname(agent.workDir);
    const env: NodeJS.ProcessEnv = {};
    for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('MESOS_')) env[key] = value;
    return TestProcess.start({
      name: 'agent-0 (restarted)',
      logFile: agent.process.logFile,
      env,
      args: [
        'agent',
        `--master=${cluster.masterAddress}`,
        `--ip=${LOOPBACK}`,
        `--port=${agent.address.split(':')[1]}`,
        `--work_dir=${agent.workDir}`,
        `--runtime_dir=${path.join(agentDir, 'runtime')}`,
        `--fetcher_cache_dir=${path.join(agentDir, 'fetch-cache')}`,
        `--resources=${DEFAULT_AGENT_RESOURCES}`,
      ],
    });
  }

  it('re-registers with the same agent id; the master lists one agent, active again', async (t) =>
    withClusterLogs(cluster, t, async () => {
      const before = await getJson<MasterState>(`${cluster.masterUrl}/state`);
      assert.equal(before.slaves.length, 1);
      const agentId = before.slaves[0]!.id;
      // Checkpointed shortly after REGISTERED (not before the master lists the agent).
      const latest = path.join(agent.workDir, 'meta', 'slaves', 'latest');
      const checkpointed = await waitFor('the agent to checkpoint its id', async () => path.basename(await readlink(latest)), { timeoutMs: 5_000 });
      assert.equal(checkpointed, agentId);

      // A task of this (non-checkpointing) framework cannot outlive the agent.
      await framework.launch('before-restart', { command: { value: 'sleep 60' } });
      await framework.waitForState('before-restart', 'TASK_RUNNING');

      process.kill(agent.process.pid, 'SIGKILL');
      await agent.process.exited;
      await waitFor('the master to deactivate the agent', async () => {
        const state = await getJson<MasterState>(`${cluster.masterUrl}/state`);
        return state.slaves[0]?.active === false ? true : undefined;
      }, { timeoutMs: 10_000 });
      const lost = await framework.waitForState('before-restart', 'TASK_LOST');
      assert.equal(lost.source, 'SOURCE_MASTER');
      assert.equal(lost.reason, 'REASON_AGENT_DISCONNECTED');

      restarted = restartAgent();
      await waitForHealth(agent.url, restarted);
      const after = await waitFor('the master to list the agent as active again', async () => {
        const state = await getJson<MasterState>(`${cluster.masterUrl}/state`);
        return state.slaves.length === 1 && state.slaves[0]!.active ? state : undefined;
      }, { timeoutMs: 15_000, process: restarted });
      assert.equal(after.slaves[0]!.id, agentId);
      assert.equal(typeof after.slaves[0]!.reregistered_time, 'number', 'it re-registered rather than registered');
      const own = await getJson<{ id: string }>(`${agent.url}/state`);
      assert.equal(own.id, agentId);

      // Offers name the same agent, and tasks run there again.
      const agentOfTask = await framework.launch('after-restart', { command: { value: 'echo back' } });
      assert.equal(agentOfTask, agentId);
      const finished = await framework.waitForState('after-restart', 'TASK_FINISHED');
      assert.equal(finished.agent_id.value, agentId);
    }));
});
