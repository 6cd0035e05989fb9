/**
 * `mesoscale local`: a master and N agents on this machine with one command,
 * each a real `mesoscale master` / `mesoscale agent` process, as a user would
 * run them. Optionally runs a sample task through `mesoscale execute`.
 *
 * 1. Pick the work directory and ports; start the master, wait for /health.
 * 2. Start the agents; wait until the master lists them all as active. As
 *    root with cgroups and crun/runc, agents run containers: the project's
 *    busybox test image is written to a local archive directory first (no
 *    network needed) and the sample task runs in it; otherwise tasks are
 *    plain host processes, and we say why.
 * 3. Print where to look; run the sample task if asked.
 * 4. On Ctrl-C (or after the sample with --exit_after_sample) stop the processes we started.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, readdirSync, rmdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';

import { CONTAINER_ISOLATION, containerUnsupportedReason, writeLocalTestImage } from '../../agent/containerizer/offline-setup.js';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../bin/mesoscale');

interface LocalOptions {
  agents: string;
  port: string;
  work_dir: string;
  sample_task?: boolean;
  exit_after_sample?: boolean;
}

export function registerLocalCommand(program: Command): void {
  program
    .command('local')
    .description('Run a master and agents on this machine (Ctrl-C stops them)')
    .option('--agents <n>', 'number of agents', '1')
    .option('--port <port>', 'master port; agents use the following ports', '5050')
    .option('--work_dir <dir>', 'where work dirs and logs go', path.join(os.tmpdir(), 'mesoscale-local'))
    .option('--sample_task', 'run a sample command task once the cluster is up')
    .option('--exit_after_sample', 'stop the cluster after the sample task and exit with its result')
    .action(async (options: LocalOptions) => {
      const code = await runLocal(options);
      if (code !== undefined) process.exit(code);
    });
}

async function runLocal(options: LocalOptions): Promise<number | undefined> {
  const agents = Number(options.agents);
  const port = Number(options.port);
  if (!Number.isInteger(agents) || agents < 1) throw new Error(`--agents must be a whole number of at least 1, got '${options.agents}'`);
  if (!Number.isInteger(port) || port < 1 || port > 65535 - agents) throw new Error(`--port must be a port number, got '${options.port}'`);
  const root = path.resolve(options.work_dir);
  const logs = path.join(root, 'logs');
  mkdirSync(logs, { recursive: true });
  const children: ChildProcess[] = [];
  const stopAll = () => {
    for (const child of children) if (child.exitCode === null && child.pid !== undefined) child.kill('SIGTERM');
  };
  process.once('SIGINT', () => {
    stopAll();
    process.exit(130);
  });
  process.once('SIGTERM', () => {
    stopAll();
    process.exit(143);
  });

  const start = (name: string, args: string[]): ChildProcess => {
    const log = openSync(path.join(logs, `${name}.log`), 'a');
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', log, log] });
    children.push(child);
    child.on('exit', (code, signal) => {
      if (!stopping) process.stderr.write(`${name} exited (${signal ?? code}); see ${path.join(logs, `${name}.log`)}\n`);
    });
    return child;
  };
  let stopping = false;

  const masterUrl = `http://127.0.0.1:${port}`;
  start('master', ['master', '--ip=127.0.0.1', `--port=${port}`, `--work_dir=${path.join(root, 'master')}`]);
  await waitUntil(async () => (await fetch(`${masterUrl}/health`)).ok, 20_000, `the master did not answer on ${masterUrl}; see ${logs}/master.log`);
  const noContainers = containerUnsupportedReason();
  const image = noContainers === undefined ? await writeLocalTestImage(path.join(root, 'images')) : undefined;
  // Each agent owns its runtime dir, store and cgroup root: recovery destroys whatever else it finds there.
  const cgroupRoots = Array.from({ length: agents }, (_, i) => `mesoscale-local-${port + 1 + i}`);
  for (let i = 0; i < agents; i++) {
    const agentDir = path.join(root, `agent-${i}`);
    start(`agent-${i}`, [
      'agent',
      `--master=127.0.0.1:${port}`,
      '--ip=127.0.0.1',
      `--port=${port + 1 + i}`,
      `--work_dir=${agentDir}`,
      `--runtime_dir=${path.join(agentDir, 'runtime')}`,
      ...(image !== undefined
        ? [`--isolation=${CONTAINER_ISOLATION}`, '--image_providers=docker', `--docker_registry=${path.join(root, 'images')}`,
          `--docker_store_dir=${path.join(agentDir, 'store')}`, `--cgroups_root=${cgroupRoots[i]}`, '--cgroups_enable_cfs']
        : []),
    ]);
  }
  await waitUntil(
    async () => {
      const state = (await (await fetch(`${masterUrl}/state`)).json()) as { activated_slaves: number };
      return state.activated_slaves >= agents;
    },
    30_000,
    `not every agent registered with the master; see the agent logs in ${logs}`,
  );

  process.stdout.write(
    [
      `mesoscale local cluster is up:`,
      `  master   ${masterUrl}   (state: ${masterUrl}/state)`,
      ...Array.from({ length: agents }, (_, i) => `  agent-${i}  http://127.0.0.1:${port + 1 + i}`),
      `  logs     ${logs}`,
      image !== undefined
        ? `  tasks    run in containers (${CONTAINER_ISOLATION}); image '${image}' from ${path.join(root, 'images')}`
        : `  tasks    run as plain host processes: ${noContainers}`,
      `Run a task:  ${BIN} execute --master=127.0.0.1:${port} --name=hello --command='echo hello'${image !== undefined ? ` --docker_image=${image}` : ''}`,
      '',
    ].join('\n'),
  );

  let sampleCode: number | undefined;
  if (options.sample_task) {
    sampleCode = await new Promise<number>((resolve) => {
      const execute = spawn(
        process.execPath,
        [
          BIN, 'execute', `--master=127.0.0.1:${port}`, '--name=sample-task', '--command=echo "Hello from a mesoscale task on $(hostname)"; ls "$MESOS_SANDBOX"',
          '--resources=cpus:0.1;mem:32', ...(image !== undefined ? [`--docker_image=${image}`] : []),
        ],
        { stdio: 'inherit' },
      );
      execute.on('exit', (code) => resolve(code ?? 1));
    });
    process.stdout.write(sampleCode === 0 ? 'The sample task finished.\n' : `The sample task failed (exit ${sampleCode}).\n`);
  }
  if (options.exit_after_sample) {
    stopping = true;
    stopAll();
    await Promise.all(children.map((c) => (c.exitCode !== null ? undefined : new Promise((r) => c.once('exit', r)))));
    if (image !== undefined) removeCgroupRoots(cgroupRoots);
    return sampleCode ?? 0;
  }
  process.stdout.write('Press Ctrl-C to stop the cluster.\n');
  return undefined;
}

/** The agents' (empty by now) cgroup roots in every hierarchy; best effort. */
function removeCgroupRoots(roots: readonly string[]): void {
  let hierarchies: string[] = [];
  try {
    hierarchies = readdirSync('/sys/fs/cgroup').map((h) => path.join('/sys/fs/cgroup', h));
  } catch {
    return;
  }
  for (const hierarchy of hierarchies) {
    for (const root of roots) {
      try {
        rmdirSync(path.join(hierarchy, root));
      } catch {
        // Absent, or not empty (a container still running): leave it.
      }
    }
  }
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, failure: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(failure);
}
