/**
 * `mesoscale agent`: wiring of the agent's parts.
 *
 *   MasterLink ──events──► Agent ──► ExecutorManager ──► Containerizer ──► Launcher (posix)
 *       ▲                    │             │  ▲
 *       └──calls─────────────┘             │  └── HTTP: /api/v1/executor (executors)
 *                                          ▼
 *                              StatusUpdateManager (streams + update logs)
 *
 * Start-up steps of createAgent():
 *   1. total resources (--resources + detection) and attributes;
 *   2. the agent id of a previous run (meta/slaves/latest), unless --recover=cleanup;
 *   3. the container runtime (--isolation beyond posix/*) and the provisioner
 *      (--image_providers), each recover()ed before any launch: executors are
 *      not recovered yet, so every container of a previous run is an orphan;
 *   4. parts: status updates, containerizer, executor manager, master link;
 *   5. HTTP server (executor API, /state, /files, /monitor ...), then registration.
 */
import { hostname as osHostname } from 'node:os';
import { mkdir, readlink, unlink } from 'node:fs/promises';
import { basename, join } from 'node:path';

import { create, toBinary } from '@bufbuild/protobuf';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';

import { createHttpServer } from '../http/server.js';
import { type Clock, systemClock } from '../lib/clock.js';
import { effectiveFlags } from '../lib/flags/index.js';
import type { Resources } from '../resources/index.js';
import { MESOS_COMPATIBLE_VERSION } from '../version.js';
import { type AgentInfo, AgentInfoSchema, type MasterInfo } from '../protocol/gen/mesos/v1/mesos_pb.js';
import {
  type AgentCall,
  AgentCallSchema,
  AgentCall_Type,
  type AgentEvent,
  AgentEvent_Type,
  type AgentEvent_Registered,
} from '../protocol/gen/mesoscale/internal/agent_link_pb.js';
import { Containerizer, replaceSymlink } from './containerizer/containerizer.js';
import { type ContainerParts, createContainerParts } from './containerizer/create.js';
import { customExecutorArgv, executorEnvironment } from './containerizer/executor-env.js';
import { ExecutorManager } from './executor-manager.js';
import { agentFlagDefs, type AgentFlags } from './flags.js';
import { registerAgentEndpoints, type AgentSnapshot } from './http/endpoints.js';
import { registerExecutorApi } from './http/executor-api.js';
import { registerFilesRoutes } from './http/files.js';
import { registerMonitorEndpoints, runningContainers } from './http/monitor.js';
import { PosixLauncher } from './launcher/posix.js';
import { MasterLink, type MasterLinkHandler } from './master-link.js';
import { agentInfoPath, executorRunsDir, latestAgentLink, virtualSandboxPath } from './paths.js';
import { agentTotalResources, readHostFacts, toProtoAttributes, toProtoResources } from './resources.js';
import { RunCheckpointer } from './run-checkpointer.js';
import type { AttachedRoot } from './sandbox-files.js';
import { type ExecutorRecord, type FrameworkRecord, newTask } from './state.js';
import { UpdateLog, writeFileAtomic } from './status-updates/checkpoint.js';
import { StatusUpdateManager } from './status-updates/manager.js';
import type { Forward } from './status-updates/streams.js';

/** Name of the agent's log file under --log_dir (also `/slave/log` in /files). */
export const AGENT_LOG_FILE = 'mesos-agent.log';

export interface AgentOptions {
  readonly flags: AgentFlags;
  readonly logger: Logger;
  readonly clock?: Clock;
}

export class Agent implements MasterLinkHandler {
  readonly #flags: AgentFlags;
  readonly #log: Logger;
  readonly #clock: Clock;
  readonly #resources: Resources;
  readonly #hostname: string;
  readonly #startTime = Date.now() / 1000;
  readonly #statusUpdates: StatusUpdateManager;
  readonly #executors: ExecutorManager;
  readonly #link: MasterLink;
  readonly #app: FastifyInstance;
  #agentId: string | undefined;
  #endpoint = '';
  #masterInfo: MasterInfo | undefined;

  private constructor(options: AgentOptions, resources: Resources, agentId: string | undefined, parts: ContainerParts) {
    const flags = options.flags;
    this.#flags = flags;
    this.#log = options.logger;
    this.#clock = options.clock ?? systemClock;
    this.#resources = resources;
    this.#agentId = agentId;
    this.#hostname = flags.hostname ?? (flags.hostname_lookup ? osHostname() : (flags.advertise_ip ?? flags.ip));
    this.#statusUpdates = new StatusUpdateManager({
      clock: this.#clock,
      logger: this.#log.child({ component: 'status-updates' }),
      log: new UpdateLog(),
      retryMinMs: flags.status_update_retry_interval,
      send: (forward) => this.#forwardUpdate(forward),
    });
    const containerizer = new Containerizer({
      launcher: new PosixLauncher(),
      fetcher: { frameworksHome: flags.frameworks_home, stallTimeoutMs: flags.fetcher_stall_timeout },
      logger: this.#log.child({ component: 'containerizer' }),
      ...parts,
    });
    this.#executors = new ExecutorManager({
      workDir: flags.work_dir,
      logger: this.#log.child({ component: 'executors' }),
      clock: this.#clock,
      containerizer,
      statusUpdates: this.#statusUpdates,
      checkpointer: new RunCheckpointer(flags.work_dir, this.#log),
      registrationTimeoutMs: flags.executor_registration_timeout,
      shutdownGracePeriodMs: flags.executor_shutdown_grace_period,
      maxCompletedExecutorsPerFramework: flags.max_completed_executors_per_framework,
      httpCommandExecutor: flags.http_command_executor,
      agentId: () => this.#agentId ?? '',
      agentInfo: () => this.#agentInfo(),
      executorProcess: (executor, framework, inImage) => this.#executorProcess(executor, framework, inImage),
      sendToMaster: (call) => this.#link.send(call),
    });
    this.#link = new MasterLink({
      masterUrl: flags.master.url,
      backoffFactorMs: flags.registration_backoff_factor,
      logger: this.#log.child({ component: 'master-link' }),
      handler: this,
    });
    this.#app = createHttpServer({ logger: this.#log });
    registerExecutorApi(this.#app, this.#executors);
    registerFilesRoutes(this.#app, () => this.#fileRoots());
    registerAgentEndpoints(this.#app, () => this.snapshot());
    registerMonitorEndpoints(this.#app, {
      containers: () => runningContainers(this.#executors.frameworks.values()),
      usage: (containerId) => containerizer.usage(containerId),
    });
  }

  /** Steps 1-4 of the start-up (see the file comment). Throws for bad --resources, --isolation or image flags. */
  static async create(options: AgentOptions): Promise<Agent> {
    const { flags } = options;
    await mkdir(flags.work_dir, { recursive: true });
    const resources = agentTotalResources(flags.resources, flags.default_role, readHostFacts(flags.work_dir));
    let agentId: string | undefined;
    if (flags.recover === 'cleanup') {
      await unlink(latestAgentLink(flags.work_dir)).catch(() => undefined);
    } else {
      agentId = await readlink(latestAgentLink(flags.work_dir)).then((target) => basename(target), () => undefined);
    }
    const parts = await createContainerParts(flags, options.logger.child({ component: 'containerizer' }));
    return new Agent(options, resources, agentId, parts);
  }

  /** Step 5: listen, then register. Returns the base URL. */
  async start(): Promise<string> {
    await this.#app.listen({ host: this.#flags.ip, port: this.#flags.port });
    const address = this.#app.server.address();
    const port = this.#flags.advertise_port ?? (typeof address === 'object' && address !== null ? address.port : this.#flags.port);
    this.#endpoint = `${this.#flags.advertise_ip ?? this.#flags.ip}:${port}`;
    this.#log.info({ endpoint: this.#endpoint, agentId: this.#agentId, resources: this.#resources.toString() }, 'agent started');
    this.#link.start();
    return `http://${this.#endpoint}`;
  }

  /** Stops talking to the master and serving HTTP. Executors keep running (and exit on their own if not checkpointing). */
  async stop(): Promise<void> {
    this.#statusUpdates.stop();
    await this.#link.stop();
    await this.#app.close();
  }

  snapshot(): AgentSnapshot {
    return {
      agentId: this.#agentId,
      endpoint: this.#endpoint,
      hostname: this.#hostname,
      startTimeSeconds: this.#startTime,
      resources: this.#resources,
      attributes: this.#flags.attributes ?? [],
      masterHostname: this.#masterInfo?.hostname ?? this.#masterInfo?.address?.hostname,
      logDir: this.#flags.log_dir,
      externalLogFile: this.#flags.external_log_file,
      flags: effectiveFlags(agentFlagDefs, this.#flags),
      frameworks: [...this.#executors.frameworks.values()],
      completedFrameworks: this.#executors.completedFrameworks,
    };
  }

  // ------------------------------------------------------------ MasterLinkHandler

  registrationCall(): AgentCall {
    const base = { agentInfo: this.#agentInfo(), version: MESOS_COMPATIBLE_VERSION, endpoint: `http://${this.#endpoint}` };
    if (this.#agentId === undefined) return create(AgentCallSchema, { type: AgentCall_Type.REGISTER, register: base });
    const frameworks = [...this.#executors.frameworks.values()];
    const executors = frameworks.flatMap((f) => [...f.executors.values()]);
    return create(AgentCallSchema, {
      type: AgentCall_Type.REREGISTER,
      agentId: { value: this.#agentId },
      reregister: {
        ...base,
        // Queued tasks are reported too (as TASK_STAGING) so the master keeps them.
        tasks: executors.flatMap((e) => [
          ...[...e.queuedTasks.values()].map((t) => newTask(t, e.frameworkId, e.id, this.#agentId!, this.#executors.frameworks.get(e.frameworkId)!.info.user)),
          ...e.launchedTasks.values(),
          ...e.terminatedTasks.values(),
        ]),
        // As Mesos: the command executors are the agent's business, not the master's.
        executorInfos: executors.filter((e) => !e.isCommandExecutor).map((e) => e.info),
        frameworks: frameworks.map((f) => f.info),
      },
    });
  }

  async onRegistered(registered: AgentEvent_Registered): Promise<void> {
    const id = registered.agentId!.value;
    this.#masterInfo = registered.masterInfo;
    if (id !== this.#agentId) {
      this.#agentId = id;
      // As Mesos checkpoints the agent info before acting as registered: a crash
      // right after must not bring the agent back under a new id.
      await this.#persistAgentId(id);
    }
    this.#statusUpdates.resume();
  }

  onEvent(event: AgentEvent): void {
    const x = this.#executors;
    switch (event.type) {
      case AgentEvent_Type.RUN_TASK:
        return x.runTask(event.runTask!.frameworkInfo!, event.runTask!.task!);
      case AgentEvent_Type.RUN_TASK_GROUP:
        return x.runTaskGroup(event.runTaskGroup!.frameworkInfo!, event.runTaskGroup!.executor!, event.runTaskGroup!.taskGroup?.tasks ?? []);
      case AgentEvent_Type.KILL_TASK:
        return x.killTask(event.killTask!.frameworkId!.value, event.killTask!.taskId!.value, event.killTask!.killPolicy);
      case AgentEvent_Type.SHUTDOWN_EXECUTOR:
        return x.shutdownExecutor(event.shutdownExecutor!.frameworkId!.value, event.shutdownExecutor!.executorId!.value);
      case AgentEvent_Type.SHUTDOWN_FRAMEWORK:
        return x.shutdownFramework(event.shutdownFramework!.frameworkId!.value);
      case AgentEvent_Type.ACKNOWLEDGE: {
        const ack = event.acknowledge!;
        void x.acknowledge(ack.frameworkId!.value, ack.taskId!.value, ack.uuid);
        return;
      }
      case AgentEvent_Type.FRAMEWORK_MESSAGE: {
        const m = event.frameworkMessage!;
        return x.frameworkMessage(m.frameworkId!.value, m.executorId!.value, m.data);
      }
      case AgentEvent_Type.UPDATE_FRAMEWORK:
        return x.updateFramework(event.updateFramework!.frameworkInfo!);
      case AgentEvent_Type.ERROR:
        this.#log.error({ message: event.error?.message }, 'error from the master');
        return;
      default:
        this.#log.warn({ type: event.type }, 'ignoring unknown event from the master');
    }
  }

  onDisconnected(): void {
    this.#statusUpdates.pause();
  }

  onRegistrationRefused(call: AgentCall): void {
    if (call.type !== AgentCall_Type.REREGISTER) return; // REGISTER: retried with backoff
    // The master no longer knows this agent id (e.g. removed as unreachable):
    // its tasks are gone for the master, so end them and start as a new agent.
    this.#log.warn({ agentId: this.#agentId }, 'the master refused the agent id; killing its tasks and registering as a new agent');
    this.#agentId = undefined;
    void unlink(latestAgentLink(this.#flags.work_dir)).catch(() => undefined);
    void this.#executors.destroyAll();
  }

  // ------------------------------------------------------------ helpers

  #agentInfo(): AgentInfo {
    return create(AgentInfoSchema, {
      hostname: this.#hostname,
      port: Number(this.#endpoint.split(':').pop()),
      resources: toProtoResources(this.#resources),
      attributes: toProtoAttributes(this.#flags.attributes ?? []),
      ...(this.#agentId !== undefined ? { id: { value: this.#agentId } } : {}),
    });
  }

  async #persistAgentId(id: string): Promise<void> {
    const workDir = this.#flags.work_dir;
    try {
      await writeFileAtomic(agentInfoPath(workDir, id), toBinary(AgentInfoSchema, this.#agentInfo()));
      await replaceSymlink(id, latestAgentLink(workDir));
    } catch (err) {
      this.#log.error({ err }, 'failed to checkpoint the agent id; a restart will register as a new agent');
    }
  }

  #forwardUpdate(forward: Forward): void {
    const status = forward.update.status!;
    const executor = this.#executors.frameworks.get(forward.frameworkId)?.executorOfTask(forward.taskId);
    const task = executor?.task(forward.taskId);
    if (task !== undefined) {
      task.statusUpdateState = status.state;
      task.statusUpdateUuid = status.uuid;
    }
    this.#link.send(create(AgentCallSchema, { type: AgentCall_Type.STATUS_UPDATE, statusUpdate: forward.update }));
  }

  #executorProcess(executor: ExecutorRecord, framework: FrameworkRecord, inImage: boolean): { argv: string[]; env: Record<string, string> } {
    const flags = this.#flags;
    // The default executor runs inside the agent (builtin-default-executor.ts): no command line.
    const argv = executor.isCommandExecutor
      ? [process.execPath, join(flags.launcher_dir, 'command-executor-main.js')]
      : executor.isDefaultExecutor
        ? []
        : customExecutorArgv(executor.info);
    const env = executorEnvironment({
      info: executor.info,
      frameworkId: framework.id,
      agentId: this.#agentId ?? '',
      directory: executor.directory,
      // The built-in command executor runs on the host; only its task sees the container's sandbox path.
      ...(inImage && !(executor.isCommandExecutor && !flags.http_command_executor) ? { sandboxInContainer: flags.sandbox_directory } : {}),
      agentEndpoint: this.#endpoint,
      checkpoint: framework.checkpoint,
      httpCommandExecutor: flags.http_command_executor,
      shutdownGracePeriodMs: flags.executor_shutdown_grace_period,
      recoveryTimeoutMs: flags.recovery_timeout,
      executorReregistrationTimeoutMs: flags.executor_reregistration_timeout,
      extra: flags.executor_environment_variables,
      libprocessIp: process.env.LIBPROCESS_IP,
    });
    return { argv, env };
  }

  /** Everything /files may show: each sandbox under three names, and the agent log. */
  #fileRoots(): AttachedRoot[] {
    const roots: AttachedRoot[] = [];
    const frameworks = [...this.#executors.frameworks.values(), ...this.#executors.completedFrameworks];
    for (const framework of frameworks) {
      for (const executor of [...framework.completedExecutors, ...framework.executors.values()]) {
        roots.push({ path: executor.directory, host: executor.directory });
        const ids = executor.runIds;
        const latest = join(executorRunsDir(this.#flags.work_dir, ids.agentId, ids.frameworkId, ids.executorId), 'latest');
        // Later entries win for the `latest` names: the current run is pushed last.
        roots.push({ path: latest, host: executor.directory });
        roots.push({ path: virtualSandboxPath(ids.frameworkId, ids.executorId), host: executor.directory });
      }
    }
    if (this.#flags.log_dir !== undefined) roots.push({ path: '/slave/log', host: join(this.#flags.log_dir, AGENT_LOG_FILE) });
    if (this.#flags.external_log_file !== undefined) roots.push({ path: this.#flags.external_log_file, host: this.#flags.external_log_file });
    // Dedupe by path, last one wins.
    return [...new Map(roots.map((r) => [r.path, r])).values()];
  }
}
