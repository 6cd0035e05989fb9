/**
 * End to end through the HTTP API on one local agent: a framework (our
 * scheduler library, protobuf codec) launches N command tasks running `true`
 * as fast as offers allow, and we measure
 *   - tasks per second launched and finished (first ACCEPT → last TASK_FINISHED),
 *   - offer-accept → TASK_RUNNING latency, p50 and p99.
 * Reference in the same run: the same N `sh -c true` spawned directly by Node
 * with the same parallelism, i.e. the floor any process-based launcher pays.
 *
 * Run: npm run build && node dist/bench/e2e/launch-throughput.js [tasks]
 */
import { spawn } from 'node:child_process';
import { Event_Type } from '../../src/protocol/gen/mesos/v1/scheduler/scheduler_pb.js';
import { TaskState } from '../../src/protocol/gen/mesos/v1/mesos_pb.js';
import { SchedulerClient } from '../../src/scheduler/index.js';
import { startCluster } from '../../test/support/cluster.js';
import { percentile, writeSection } from '../report.js';

const TASKS = Number(process.argv[2] ?? 200);
const TASK_CPUS = 0.1;
const TASK_MEM = 32;
const AGENT_RESOURCES = 'cpus:4;mem:8192;disk:4096;ports:[31000-31999]';
/** Tasks that fit at once: 4 cpus / 0.1 = 40, bounded by executor overhead the agent adds. */
const PARALLELISM = 40;

async function runThroughCluster(): Promise<{ wallMs: number; latencies: number[]; failed: number }> {
  const cluster = await startCluster({ agents: 1, agentResources: AGENT_RESOURCES, masterFlags: ['--allocation_interval=100ms'] });
  const client = new SchedulerClient({
    master: cluster.masterAddress,
    frameworkInfo: { user: 'root', name: 'bench-launch-throughput' },
    codec: 'protobuf',
  });
  const acceptedAt = new Map<string, number>();
  const latencies: number[] = [];
  let launched = 0;
  let finished = 0;
  let failed = 0;
  let firstAccept = 0;
  let lastFinish = 0;
  try {
    for await (const event of client.events()) {
      if (event.type === Event_Type.OFFERS) {
        for (const offer of event.offers!.offers) {
          const cpus = offer.resources.filter((r) => r.name === 'cpus').reduce((s, r) => s + (r.scalar?.value ?? 0), 0);
          const mem = offer.resources.filter((r) => r.name === 'mem').reduce((s, r) => s + (r.scalar?.value ?? 0), 0);
          const fit = Math.min(Math.floor((cpus + 1e-9) / TASK_CPUS), Math.floor(mem / TASK_MEM), TASKS - launched);
          if (fit <= 0) {
            await client.decline([offer.id!], { refuseSeconds: 0 });
            continue;
          }
          const now = performance.now();
          if (firstAccept === 0) firstAccept = now;
          const tasks = Array.from({ length: fit }, () => {
            const id = `t${launched++}`;
            acceptedAt.set(id, now);
            return {
              name: id,
              taskId: { value: id },
              agentId: offer.agentId!,
              resources: [
                { name: 'cpus', type: 0, scalar: { value: TASK_CPUS } },
                { name: 'mem', type: 0, scalar: { value: TASK_MEM } },
              ],
              command: { value: 'true' },
            };
          });
          await client.launch([offer.id!], tasks, { refuseSeconds: 0 });
        }
      } else if (event.type === Event_Type.UPDATE) {
        const status = event.update!.status!;
        const id = status.taskId!.value;
        if (status.state === TaskState.TASK_RUNNING && acceptedAt.has(id)) {
          latencies.push(performance.now() - acceptedAt.get(id)!);
          acceptedAt.delete(id);
        }
        if ([TaskState.TASK_FINISHED, TaskState.TASK_FAILED, TaskState.TASK_LOST, TaskState.TASK_ERROR, TaskState.TASK_KILLED].includes(status.state)) {
          finished++;
          if (status.state !== TaskState.TASK_FINISHED) failed++;
          lastFinish = performance.now();
        }
        // Pipelined, as frameworks do: awaiting each ACK would serialize the event loop.
        void client.acknowledge(status).catch(() => undefined);
        if (finished >= TASKS) break;
      }
    }
  } finally {
    await client.teardown().catch(() => undefined);
    client.close();
    await cluster.stop();
  }
  return { wallMs: lastFinish - firstAccept, latencies: latencies.sort((a, b) => a - b), failed };
}

/** The same work without mesoscale: N `sh -c true` with the same parallelism. */
async function runReference(): Promise<number> {
  const start = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < TASKS) {
      next++;
      await new Promise<void>((resolve) => spawn('/bin/sh', ['-c', 'true'], { stdio: 'ignore' }).on('exit', () => resolve()));
    }
  };
  await Promise.all(Array.from({ length: PARALLELISM }, worker));
  return performance.now() - start;
}

const reference = await runReference();
const result = await runThroughCluster();
const perSecond = (TASKS / result.wallMs) * 1000;
const referencePerSecond = (TASKS / reference) * 1000;
const body = `
| measure | value |
|---|---|
| tasks launched and finished | ${TASKS} (${result.failed} not TASK_FINISHED) |
| mesoscale: tasks per second (first ACCEPT → last TASK_FINISHED) | ${perSecond.toFixed(1)} |
| reference: \`sh -c true\` spawned by Node, ${PARALLELISM} at a time, per second | ${referencePerSecond.toFixed(1)} |
| ratio (reference / mesoscale) | ${(referencePerSecond / perSecond).toFixed(1)}× |
| ACCEPT → TASK_RUNNING p50 | ${percentile(result.latencies, 50).toFixed(1)} ms |
| ACCEPT → TASK_RUNNING p99 | ${percentile(result.latencies, 99).toFixed(1)} ms |

One agent with \`${AGENT_RESOURCES}\`, tasks of ${TASK_CPUS} cpus and ${TASK_MEM} MB running \`true\` through the built-in command executor (default \`--http_command_executor=false\`), \`--allocation_interval=100ms\`, filters of 0 s.
`;
process.stdout.write(body);
writeSection('e2e-launch', 'End to end: command tasks through the scheduler API', `npm run build && node dist/bench/e2e/launch-throughput.js ${TASKS}`, body);
if (result.failed > 0) process.exitCode = 1;
