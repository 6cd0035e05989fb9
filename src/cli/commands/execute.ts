/**
 * `mesoscale execute`: run one command task and follow it, like Mesos'
 * `mesos-execute` (same flag names, also readable as MESOS_<FLAG>).
 *
 *   1. SUBSCRIBE as a new framework (scheduler client library);
 *   2. wait for an offer holding --resources, launch the command as a task
 *      whose id is --name (in --docker_image if given), decline everything else;
 *   3. print and acknowledge every status update; --kill_after starts
 *      counting at TASK_RUNNING;
 *   4. when the task is terminal, print its stdout and stderr (read from the
 *      agent's sandbox), TEARDOWN, and exit 0 for TASK_FINISHED, else 1.
 */
import os from 'node:os';
import path from 'node:path';

import type { Command } from 'commander';
import { registerMesosFlagsCommand } from '../mesos-flags-command.js';

import { errorMessage } from '../../lib/errors.js';
import { defineFlags, loadFlags, type FlagValues } from '../../lib/flags/index.js';
import {
  ContainerInfo_Type,
  FrameworkInfo_Capability_Type,
  Image_Type,
  TaskState,
  TaskStatus_Reason,
  type Offer,
  type TaskStatus,
} from '../../protocol/gen/mesos/v1/mesos_pb.js';
import { Event_Type } from '../../protocol/gen/mesos/v1/scheduler/scheduler_pb.js';
import { parseResources, type Resources } from '../../resources/index.js';
import {
  agentUrlOf,
  ConnectionState,
  findExecutorSandbox,
  isTerminalState,
  offerFits,
  readSandboxFile,
  SchedulerClient,
  taskReasonName,
  taskResourcesFor,
  taskSourceName,
  taskStateName,
  type TaskInfoInit,
} from '../../scheduler/index.js';

function oneOf(allowed: readonly string[]) {
  return (value: string): string | undefined => (allowed.includes(value) ? undefined : `must be one of ${allowed.join(', ')}, not '${value}'`);
}

function parseEnvironment(text: string): Record<string, string> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`not valid JSON (${errorMessage(err)})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error('expected a JSON object such as {"NAME":"value"}');
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(json)) {
    if (typeof value !== 'string') throw new Error(`value of '${name}' must be a string`);
    out[name] = value;
  }
  return out;
}

export const executeFlagDefs = defineFlags({
  master: { type: 'string', required: true, help: 'Mesos master: host:port or http://host:port' },
  name: { type: 'string', required: true, help: 'Name of the task (also its id)' },
  command: { type: 'string', help: 'Command to run (required unless --docker_image is given: then the image\'s Entrypoint and Cmd run)' },
  docker_image: { type: 'string', help: 'Run the task in this Docker image (ContainerInfo MESOS with a DOCKER image; the agent needs --image_providers=docker)' },
  resources: {
    type: parseResources,
    default: parseResources('cpus:0.1;mem:32'),
    format: (r: Resources) => r.toString(),
    help: 'Resources of the task: cpus:1;mem:128 or a JSON array of Resource',
  },
  role: { type: 'string', default: '*', help: 'Role the framework subscribes with' },
  env: { type: parseEnvironment, format: (e: Record<string, string>) => JSON.stringify(e), help: 'Environment variables of the task as a JSON object: {"NAME":"value"}' },
  shell: { type: 'bool', default: true, help: "Run the command with 'sh -c'; with --no-shell it is split on whitespace into an executable and its arguments" },
  framework_name: { type: 'string', default: 'mesos-execute instance', help: 'Name of the framework' },
  checkpoint: { type: 'bool', default: false, help: 'Ask agents to checkpoint the task so it survives agent restarts' },
  partition_aware: { type: 'bool', default: false, help: 'Subscribe with the PARTITION_AWARE capability' },
  kill_after: { type: 'duration', help: 'Kill the task this long after it is TASK_RUNNING, e.g. 10secs' },
  content_type: { type: 'string', default: 'protobuf', validate: oneOf(['protobuf', 'json']), help: 'Codec of the scheduler API: protobuf or json' },
});
export type ExecuteFlags = FlagValues<typeof executeFlagDefs>;

/** Where output goes (process.stdout/stderr, or buffers in tests). */
export interface ExecuteIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

/** The TaskInfo for the command, sized from `offer`. */
export function buildCommandTask(flags: ExecuteFlags, offer: Offer): TaskInfoInit {
  const environment = flags.env === undefined ? undefined : { variables: Object.entries(flags.env).map(([name, value]) => ({ name, value })) };
  // Like mesos-execute: without a shell the first word is the executable and
  // `arguments` is the whole argv, argv[0] included.
  // Without --command (an image only), shell=false with no value: the image's Entrypoint/Cmd run.
  const argv = (flags.command ?? '').trim().split(/\s+/);
  const command = flags.command === undefined
    ? { shell: false, environment }
    : flags.shell
      ? { shell: true, value: flags.command, environment }
      : { shell: false, value: argv[0], arguments: argv, environment };
  return {
    name: flags.name,
    taskId: { value: flags.name },
    agentId: offer.agentId,
    resources: taskResourcesFor(offer, flags.resources),
    command,
    ...(flags.docker_image !== undefined
      ? { container: { type: ContainerInfo_Type.MESOS, mesos: { image: { type: Image_Type.DOCKER, docker: { name: flags.docker_image } } } } }
      : {}),
  };
}

function describeUpdate(status: TaskStatus): string[] {
  const lines = [`Received status update ${taskStateName(status.state)} for task '${status.taskId?.value ?? ''}'`];
  if (status.message !== '') lines.push(`  message: '${status.message}'`);
  lines.push(`  source: ${taskSourceName(status.source)}`);
  // Reason 0 (REASON_COMMAND_EXECUTOR_FAILED) is also what an unset reason reads as; skip it.
  if (status.reason !== TaskStatus_Reason.COMMAND_EXECUTOR_FAILED) lines.push(`  reason: ${taskReasonName(status.reason)}`);
  return lines;
}

/** Runs the task to its end; resolves with the process exit code. Aborting `signal` tears the framework down. */
export async function runExecute(flags: ExecuteFlags, io: ExecuteIo, signal?: AbortSignal): Promise<number> {
  const client = new SchedulerClient({
    master: flags.master,
    codec: flags.content_type === 'json' ? 'json' : 'protobuf',
    frameworkInfo: {
      user: os.userInfo().username,
      name: flags.framework_name,
      hostname: os.hostname(),
      checkpoint: flags.checkpoint,
      roles: [flags.role],
      capabilities: [
        { type: FrameworkInfo_Capability_Type.MULTI_ROLE },
        ...(flags.partition_aware ? [{ type: FrameworkInfo_Capability_Type.PARTITION_AWARE }] : []),
      ],
    },
  });
  let interrupted = false;
  const onAbort = (): void => {
    interrupted = true;
    io.err('Interrupted: tearing down the framework (this kills the task)');
    void client.teardown().catch(() => client.close());
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  client.onStateChange((state, _generation, cause) => {
    if (state === ConnectionState.disconnected) io.err(`Disconnected from the master (${cause?.message ?? 'stream ended'}); re-subscribing`);
  });

  let launchedOn: Offer | undefined;
  let waitingSaid = false;
  let killTimer: NodeJS.Timeout | undefined;
  try {
    for await (const event of client.events()) {
      switch (event.type) {
        case Event_Type.SUBSCRIBED:
          io.out(`Subscribed with ID ${event.subscribed?.frameworkId?.value ?? ''}`);
          break;
        case Event_Type.OFFERS: {
          const offers = event.offers?.offers ?? [];
          const fitting = launchedOn === undefined ? offers.find((o) => offerFits(o, flags.resources)) : undefined;
          if (fitting !== undefined) {
            await client.launch([fitting.id!], [buildCommandTask(flags, fitting)]);
            launchedOn = fitting;
            io.out(`Submitted task '${flags.name}' to agent '${fitting.agentId?.value ?? ''}'`);
          } else if (launchedOn === undefined && !waitingSaid) {
            waitingSaid = true;
            io.out(`Waiting for an offer with ${flags.resources.toString()}`);
          }
          const rest = offers.filter((o) => o !== fitting).map((o) => o.id!);
          if (rest.length > 0) await client.decline(rest);
          break;
        }
        case Event_Type.UPDATE: {
          const status = event.update!.status!;
          for (const line of describeUpdate(status)) io.out(line);
          await client.acknowledge(status).catch((err: unknown) => io.err(`Could not acknowledge the update: ${errorMessage(err)}`));
          if (status.taskId?.value !== flags.name) break;
          if (status.state === TaskState.TASK_RUNNING && flags.kill_after !== undefined && killTimer === undefined) {
            killTimer = setTimeout(() => {
              io.out(`Killing task '${flags.name}' after ${flags.kill_after} ms (--kill_after)`);
              void client.kill(flags.name, status.agentId).catch((err: unknown) => io.err(`KILL failed: ${errorMessage(err)}`));
            }, flags.kill_after);
          }
          if (!isTerminalState(status.state)) break;
          await printTaskOutput(client.frameworkId ?? '', flags.name, launchedOn, io);
          await client.teardown().catch((err: unknown) => io.err(`TEARDOWN failed: ${errorMessage(err)}`));
          if (status.state === TaskState.TASK_FINISHED) return 0;
          io.err(`Task '${flags.name}' ended in ${taskStateName(status.state)}${status.message === '' ? '' : `: ${status.message}`}`);
          return 1;
        }
        case Event_Type.FAILURE:
          if (event.failure?.executorId !== undefined) {
            io.out(`Executor '${event.failure.executorId.value}' on agent '${event.failure.agentId?.value ?? ''}' exited with status ${event.failure.status}`);
          }
          break;
        case Event_Type.ERROR:
          io.err(`Received an ERROR event: ${event.error?.message ?? ''}`);
          return 1;
        default:
          break;
      }
    }
    if (interrupted) return 130;
    io.err(`The connection to the master ended before task '${flags.name}' finished`);
    return 1;
  } catch (err) {
    io.err(errorMessage(err));
    return 1;
  } finally {
    clearTimeout(killTimer);
    signal?.removeEventListener('abort', onAbort);
    client.close();
    await client.done;
  }
}

/** Prints the task's stdout and stderr from its sandbox; a failure to fetch them is reported, not fatal. */
async function printTaskOutput(frameworkId: string, taskId: string, offer: Offer | undefined, io: ExecuteIo): Promise<void> {
  const agentUrl = offer === undefined ? undefined : agentUrlOf(offer);
  if (agentUrl === undefined) {
    io.err("Cannot show the task's output: the offer did not say where the agent is (Offer.url)");
    return;
  }
  try {
    // The executor may take a moment to show up among completed executors.
    let directory: string | undefined;
    for (let attempt = 0; directory === undefined; attempt++) {
      try {
        directory = await findExecutorSandbox(agentUrl, frameworkId, taskId);
      } catch (err) {
        if (attempt >= 10) throw err;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    for (const [file, write] of [['stdout', io.out], ['stderr', io.err]] as const) {
      const text = await readSandboxFile(agentUrl, path.posix.join(directory, file));
      write(`--- task ${file} (${agentUrl}${directory}/${file}) ---`);
      if (text.length > 0) write(text.replace(/\n$/, ''));
    }
  } catch (err) {
    io.err(`Could not fetch the task's output: ${errorMessage(err)}`);
  }
}

export function registerExecuteCommand(program: Command): void {
  registerMesosFlagsCommand(program, 'execute', 'Run one command task on the cluster and print its state changes and output (like mesos-execute)', executeFlagDefs, async (args: string[]) => {
    let flags: ExecuteFlags;
    try {
      flags = loadFlags(executeFlagDefs, args, process.env).flags;
      if (flags.command === undefined && flags.docker_image === undefined) throw new Error("Flag 'command' is required (or give --docker_image to run the image's Entrypoint and Cmd)");
    } catch (err) {
      process.stderr.write(`${errorMessage(err)}\n`);
      process.exit(1);
    }
    const interrupt = new AbortController();
    process.once('SIGINT', () => interrupt.abort());
    process.once('SIGTERM', () => interrupt.abort());
    const code = await runExecute(
      flags,
      { out: (line) => process.stdout.write(`${line}\n`), err: (line) => process.stderr.write(`${line}\n`) },
      interrupt.signal,
    );
    // Exit once everything printed has been flushed to pipes.
    process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
  });
}
