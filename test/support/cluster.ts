/**
 * A real mesoscale cluster for multi-process tests: one master and N agents
 * started as separate `node bin/mesoscale` processes on free loopback ports,
 * each with its own temporary work_dir.
 *
 *   let cluster: Cluster;
 *   before(async () => { cluster = await startCluster({ agents: 1 }); });
 *   after(async () => { await cluster?.stop(); });
 *   it('runs a task', async (t) => withClusterLogs(cluster, t, async () => { ... cluster.masterUrl ... }));
 *
 * startCluster returns once the master and every agent answer /health and the
 * master lists every agent as active, so offers can follow. Logs go to files
 * under cluster.rootDir; withClusterLogs prints them when a test fails.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { freePort, LOOPBACK } from './ports.js';
import { killProcessesIn, TestProcess } from './test-process.js';
import { getJson, tail, waitFor, waitForHealth } from './wait.js';

export interface ClusterOptions {
  /** Number of agents. Default 1. */
  agents?: number;
  /** Extra master flags, e.g. ['--offer_timeout=1secs']. */
  masterFlags?: readonly string[];
  /** Extra agent flags, for all agents or per agent index. */
  agentFlags?: readonly string[] | ((index: number) => readonly string[]);
  /** Each agent's --resources. Fixed by default so tests do not depend on the host. */
  agentResources?: string;
  /** Extra environment for every process (MESOS_* from the test's own environment are dropped). */
  env?: Readonly<Record<string, string>>;
  /** Per process. Default 30 s. */
  startTimeoutMs?: number;
  /** Keep the temporary directories after stop() (for debugging). */
  keepFiles?: boolean;
}

export interface ClusterAgent {
  /** 0-based index in the cluster. */
  index: number;
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** `127.0.0.1:<port>` */
  address: string;
  workDir: string;
  process: TestProcess;
}

export interface Cluster {
  /** `http://127.0.0.1:<port>` */
  masterUrl: string;
  /** `127.0.0.1:<port>`, what --master flags take. */
  masterAddress: string;
  master: TestProcess;
  agents: ClusterAgent[];
  /** Temporary directory holding work dirs and logs. */
  rootDir: string;
  /** Every process's log, each under a heading. */
  logs(): string;
  /** Stops agents, then the master, kills leftover executors, removes the files. Idempotent. */
  stop(): Promise<void>;
}

export const DEFAULT_AGENT_RESOURCES = 'cpus:2;mem:2048;disk:4096;ports:[31000-31999]';
const START_ATTEMPTS = 3;

export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const rootDir = mkdtempSync(path.join(os.tmpdir(), 'mesoscale-cluster-'));
  const processes: TestProcess[] = [];
  const agents: ClusterAgent[] = [];
  const env = testEnvironment(options.env);
  const timeoutMs = options.startTimeoutMs ?? 30_000;
  let stopped = false;

  const logs = (): string =>
    processes.map((p) => `===== ${p.name} (pid ${p.pid}, ${p.logFile}) =====\n${tail(p.logs(), 200)}`).join('\n');

  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    // Agents first so they do not spend the shutdown re-registering.
    await Promise.all(agents.map((a) => a.process.stop()));
    await Promise.all(processes.map((p) => p.stop()));
    for (const agent of agents) killProcessesIn(agent.workDir);
    if (options.keepFiles !== true) rmSync(rootDir, { recursive: true, force: true });
  };

  try {
    const masterDir = path.join(rootDir, 'master');
    mkdirSync(masterDir);
    const master = await startServing('master', masterDir, timeoutMs, processes, (port) => [
      'master',
      `--ip=${LOOPBACK}`,
      `--port=${port}`,
      `--work_dir=${path.join(masterDir, 'work')}`,
      ...(options.masterFlags ?? []),
    ], env);
    const masterAddress = `${LOOPBACK}:${master.port}`;

    for (let index = 0; index < (options.agents ?? 1); index++) {
      const agentDir = path.join(rootDir, `agent-${index}`);
      const workDir = path.join(agentDir, 'work');
      mkdirSync(workDir, { recursive: true });
      const extra = typeof options.agentFlags === 'function' ? options.agentFlags(index) : options.agentFlags ?? [];
      const agent = await startServing(`agent-${index}`, agentDir, timeoutMs, processes, (port) => [
        'agent',
        `--master=${masterAddress}`,
        `--ip=${LOOPBACK}`,
        `--port=${port}`,
        `--work_dir=${workDir}`,
        // Per-agent paths that would otherwise be shared host-wide.
        `--runtime_dir=${path.join(agentDir, 'runtime')}`,
        `--fetcher_cache_dir=${path.join(agentDir, 'fetch-cache')}`,
        `--resources=${options.agentResources ?? DEFAULT_AGENT_RESOURCES}`,
        ...extra,
      ], env);
      agents.push({ index, url: agent.url, address: `${LOOPBACK}:${agent.port}`, workDir, process: agent.process });
    }

    await waitFor(
      `the master to list ${agents.length} active agent(s)`,
      async () => {
        const state = await getJson<{ slaves?: Array<{ active?: boolean }> }>(`${master.url}/state`);
        return (state.slaves ?? []).filter((s) => s.active !== false).length >= agents.length ? true : undefined;
      },
      { timeoutMs, process: master.process },
    );

    return { masterUrl: master.url, masterAddress, master: master.process, agents, rootDir, logs, stop };
  } catch (err) {
    const message = `startCluster failed: ${err instanceof Error ? err.message : String(err)}\n${logs()}`;
    await stop();
    throw new Error(message, { cause: err });
  }
}

interface Serving {
  process: TestProcess;
  port: number;
  url: string;
}

/**
 * Starts a process on a free port and waits for /health. A port can be taken
 * between choosing it and binding it; then the process dies with EADDRINUSE
 * and we try another.
 */
async function startServing(
  name: string,
  dir: string,
  timeoutMs: number,
  processes: TestProcess[],
  args: (port: number) => string[],
  env: NodeJS.ProcessEnv,
): Promise<Serving> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const child = TestProcess.start({ name, args: args(port), logFile: path.join(dir, `${name}.log`), env });
    processes.push(child);
    const url = `http://${LOOPBACK}:${port}`;
    try {
      await waitForHealth(url, child, timeoutMs);
      return { process: child, port, url };
    } catch (err) {
      await child.stop();
      if (attempt < START_ATTEMPTS && /EADDRINUSE/.test(child.logs())) continue;
      throw err;
    }
  }
}

/** The test's environment without MESOS_* (a developer's shell must not change the flags), plus `extra`. */
function testEnvironment(extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('MESOS_')) env[key] = value;
  return { ...env, ...extra };
}

/** What withClusterLogs needs of node:test's TestContext. */
interface DiagnosticSink {
  diagnostic(message: string): void;
}

/**
 * Runs `body`; if it throws, writes every process's log to the test's
 * diagnostics (and stderr) before rethrowing, so CI output shows what the
 * master and agents were doing.
 */
export async function withClusterLogs<T>(cluster: Cluster, t: DiagnosticSink | undefined, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (err) {
    const logs = cluster.logs();
    t?.diagnostic(logs);
    process.stderr.write(`\n${logs}\n`);
    throw err;
  }
}
