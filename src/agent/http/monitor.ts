/**
 * `/monitor/statistics` (also `.json`) and `/containers`, each also under
 * `/slave(1)` (reference 7.5): one entry per running executor container with
 * its ResourceStatistics (cgroups or posix isolators, via the containerizer).
 * `/containers` takes the query filters `container_id`, `framework_id` and
 * `executor_id`.
 */
import { toJson, type JsonValue } from '@bufbuild/protobuf';
import type { FastifyInstance } from 'fastify';

import { routeWithPrefixes, sendJson } from '../../http/server.js';
import { type ResourceStatistics, ResourceStatisticsSchema } from '../../protocol/gen/mesos/v1/mesos_pb.js';
import type { FrameworkRecord } from '../state.js';

const PREFIXES = ['/slave(1)'];

export interface MonitoredContainer {
  readonly frameworkId: string;
  readonly executorId: string;
  readonly executorName: string;
  readonly source: string;
  readonly containerId: string;
  /** The executor's pid as the agent knows it (the agent's own for the built-in command executor). */
  readonly executorPid: number | undefined;
}

export interface ContainerMonitor {
  containers(): MonitoredContainer[];
  /** Undefined when the container has nothing to measure (ended, or not started yet). */
  usage(containerId: string): Promise<ResourceStatistics | undefined>;
}

/** Executors whose container runs (started and not terminated). */
export function runningContainers(frameworks: Iterable<FrameworkRecord>): MonitoredContainer[] {
  const out: MonitoredContainer[] = [];
  for (const framework of frameworks) {
    for (const executor of framework.executors.values()) {
      if (executor.container === undefined || executor.phase === 'terminated') continue;
      out.push({
        frameworkId: framework.id,
        executorId: executor.id,
        executorName: executor.info.name,
        source: executor.info.source,
        containerId: executor.containerId,
        executorPid: executor.container.pid,
      });
    }
  }
  return out;
}

async function withStatistics(monitor: ContainerMonitor, containers: MonitoredContainer[]) {
  const measured = await Promise.all(
    containers.map(async (c) => ({ container: c, stats: await monitor.usage(c.containerId).catch(() => undefined) })),
  );
  return measured.filter((m): m is { container: MonitoredContainer; stats: ResourceStatistics } => m.stats !== undefined);
}

/** Protobuf JSON as Mesos (stout) writes it: snake_case names, 64-bit integers as numbers. */
function statisticsJson(stats: ResourceStatistics): JsonValue {
  const json = toJson(ResourceStatisticsSchema, stats, { useProtoFieldName: true }) as Record<string, JsonValue>;
  for (const [key, value] of Object.entries(json)) if (typeof value === 'string' && /^-?\d+$/.test(value)) json[key] = Number(value);
  return json;
}

export function registerMonitorEndpoints(app: FastifyInstance, monitor: ContainerMonitor): void {
  for (const path of ['/monitor/statistics', '/monitor/statistics.json']) {
    routeWithPrefixes(app, 'GET', path, PREFIXES, async (req, reply) => {
      const measured = await withStatistics(monitor, monitor.containers());
      return sendJson(req, reply, measured.map(({ container: c, stats }) => ({
        executor_id: c.executorId,
        executor_name: c.executorName,
        framework_id: c.frameworkId,
        source: c.source,
        statistics: statisticsJson(stats),
      })));
    });
  }
  routeWithPrefixes(app, 'GET', '/containers', PREFIXES, async (req, reply) => {
    const query = req.query as Record<string, string | undefined>;
    const wanted = monitor.containers().filter((c) =>
      (query.container_id === undefined || c.containerId === query.container_id) &&
      (query.framework_id === undefined || c.frameworkId === query.framework_id) &&
      (query.executor_id === undefined || c.executorId === query.executor_id));
    const measured = await withStatistics(monitor, wanted);
    return sendJson(req, reply, measured.map(({ container: c, stats }) => ({
      framework_id: c.frameworkId,
      executor_id: c.executorId,
      executor_name: c.executorName,
      source: c.source,
      container_id: c.containerId,
      status: {
        container_id: { value: c.containerId },
        ...(c.executorPid !== undefined ? { executor_pid: c.executorPid } : {}),
        network_infos: [],
      },
      statistics: statisticsJson(stats),
    })));
  });
}
