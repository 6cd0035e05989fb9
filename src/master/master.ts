/**
 * Wiring of the master: clock, allocator, core, HTTP server, timers.
 *
 * 1. Build MasterInfo and the core over the hierarchical allocator.
 * 2. Register the HTTP APIs (scheduler, agent link, operator, legacy JSON).
 * 3. After every input, `flush()` carries out the core's effects and schedules
 *    an allocation round (coalesced); a timer runs the time-driven work and a
 *    batch allocation every --allocation_interval.
 */
import { randomUUID } from 'node:crypto';
import { create } from '@bufbuild/protobuf';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { MasterInfoSchema, MasterInfo_Capability_Type, type MasterInfo } from '../protocol/gen/mesos/v1/mesos_pb.js';
import { systemClock, type Clock } from '../lib/clock.js';
import { SeededRng } from '../lib/rng.js';
import { effectiveFlags, type FlagValues } from '../lib/flags/index.js';
import { createHttpServer } from '../http/server.js';
import { MESOS_COMPATIBLE_VERSION } from '../version.js';
import { createAllocator } from './allocator/index.js';
import { allocatorPort } from './allocator-port-adapter.js';
import { masterFlagDefs } from './flags.js';
import { MasterCore } from './state/agent-link.js';
import type { Effect } from './state/effects.js';
import { registerAgentLinkApi } from './http/agent-link-api.js';
import { AgentStreams } from './http/agent-streams.js';
import { FrameworkStreams } from './http/framework-streams.js';
import { registerLegacyEndpoints } from './http/legacy-endpoints.js';
import { registerOperatorApi } from './http/operator-api.js';
import { registerSchedulerApi } from './http/scheduler-api.js';
import type { StateViewContext } from './http/state-json.js';

export type MasterFlags = FlagValues<typeof masterFlagDefs>;

export interface Master {
  readonly core: MasterCore;
  readonly url: string;
  stop(): Promise<void>;
}

/** The IPv4 address packed in network byte order, read as a host uint32 (MasterInfo.ip). */
export function packIpv4(ip: string): number {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !(p >= 0 && p <= 255))) return 0;
  return Buffer.from(parts).readUInt32LE(0);
}

export async function startMaster(flags: MasterFlags, log: Logger, clock: Clock = systemClock): Promise<Master> {
  const app = createHttpServer({ logger: log, bodyLimit: flags.max_body_bytes });
  const port = flags.port;
  const advertisedIp = flags.advertise_ip ?? flags.ip;
  const advertisedPort = flags.advertise_port ?? port;
  const hostname = flags.hostname ?? advertisedIp;
  const masterInfo: MasterInfo = create(MasterInfoSchema, {
    id: randomUUID(),
    ip: packIpv4(advertisedIp),
    port: advertisedPort,
    pid: `master@${advertisedIp}:${advertisedPort}`,
    hostname,
    version: MESOS_COMPATIBLE_VERSION,
    address: { hostname, ip: advertisedIp, port: advertisedPort },
    capabilities: [{ type: MasterInfo_Capability_Type.AGENT_UPDATE }],
  });

  const allocator = createAllocator({
    clock,
    rng: new SeededRng(Date.now() & 0xffffffff),
    allocationIntervalMs: flags.allocation_interval,
    minAllocatableResources: flags.min_allocatable_resources,
    ...(flags.weights !== undefined ? { weights: Object.fromEntries(flags.weights) } : {}),
  });
  const core = new MasterCore({
    masterInfo,
    clock,
    allocator: allocatorPort(allocator, log.child({ component: 'allocator' })),
    offerTimeoutMs: flags.offer_timeout,
    agentPingTimeoutMs: flags.agent_ping_timeout,
    maxAgentPingTimeouts: flags.max_agent_ping_timeouts,
    maxCompletedFrameworks: flags.max_completed_frameworks,
    maxCompletedTasksPerFramework: flags.max_completed_tasks_per_framework,
    allowedRoles: flags.roles,
    rootSubmissions: flags.root_submissions,
  });

  const frameworkStreams = new FrameworkStreams();
  const agentStreams = new AgentStreams();
  let allocationPending = false;

  const carryOut = (effect: Effect): void => {
    switch (effect.kind) {
      case 'framework-event':
        frameworkStreams.send(effect.frameworkId, effect.event);
        break;
      case 'framework-close':
        frameworkStreams.close(effect.frameworkId, effect.streamId, effect.finalEvent);
        break;
      case 'agent-event':
        agentStreams.send(effect.agentId, effect.event);
        break;
      case 'agent-close':
        agentStreams.close(effect.agentId, effect.streamId);
        break;
    }
  };
  const drain = (): void => {
    for (const effect of core.drain()) carryOut(effect);
  };
  const allocateNow = (): void => {
    allocationPending = false;
    core.allocate(false);
    drain();
  };
  const flush = (): void => {
    drain();
    if (!allocationPending) {
      allocationPending = true;
      setImmediate(allocateNow);
    }
  };

  registerSchedulerApi(app, { core, streams: frameworkStreams, flush });
  registerAgentLinkApi(app, { core, streams: agentStreams, flush });
  const view: StateViewContext = {
    core,
    flags: effectiveFlags(masterFlagDefs, flags),
    pid: masterInfo.pid,
    hostname,
    cluster: flags.cluster,
  };
  registerLegacyEndpoints(app, view);
  registerOperatorApi(app, view, flush);

  // Time-driven work is checked often; batch allocation runs every interval.
  const tickMs = Math.max(50, Math.min(flags.allocation_interval, 250));
  let sinceAllocation = 0;
  const timer = setInterval(() => {
    core.tick();
    sinceAllocation += tickMs;
    if (sinceAllocation >= flags.allocation_interval) {
      sinceAllocation = 0;
      core.allocate();
    }
    drain();
  }, tickMs);

  await app.listen({ host: flags.ip, port });
  const address = app.server.address();
  const boundPort = typeof address === 'object' && address !== null ? address.port : port;
  if (flags.advertise_port === undefined && boundPort !== port) {
    // --port=0: advertise the port the kernel chose.
    masterInfo.port = boundPort;
    masterInfo.pid = `master@${advertisedIp}:${boundPort}`;
    masterInfo.address!.port = boundPort;
    view.pid = masterInfo.pid;
  }
  const url = `http://${advertisedIp}:${boundPort}`;
  log.info({ url, masterId: masterInfo.id }, 'master started');
  return {
    core,
    url,
    stop: async () => {
      clearInterval(timer);
      frameworkStreams.closeAll();
      agentStreams.closeAll();
      await closeServer(app);
    },
  };
}

async function closeServer(app: FastifyInstance): Promise<void> {
  app.server.closeAllConnections?.();
  await app.close();
}
