/**
 * The agent's container parts, built from its flags at start (Mesos'
 * MesosContainerizer::create): the container runtime when `--isolation` asks
 * for more than posix/* accounting, the provisioner with
 * `--image_providers=docker`. Both are recovered before the agent accepts a
 * launch; the agent does not recover executors yet, so every container and
 * root filesystem of a previous run is an orphan and is destroyed.
 */
import { accessSync, constants, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';

import type { Logger } from 'pino';

import type { AgentFlags } from '../flags.js';
import { createProvisioner, loadDockerConfigCredentials, type BackendName, type Provisioner } from './provisioner/index.js';
import { type ContainerRuntime, createContainerRuntime } from './runtime/container-runtime.js';

export interface ContainerParts {
  readonly runtime?: ContainerRuntime;
  readonly provisioner?: Provisioner;
}

/** Mesos' default --runtime_dir when writable, else a per-user temporary one. */
export function defaultRuntimeDir(): string {
  try {
    mkdirSync('/var/run/mesos', { recursive: true });
    accessSync('/var/run/mesos', constants.W_OK);
    return '/var/run/mesos';
  } catch {
    return join(os.tmpdir(), 'mesos', 'runtime');
  }
}

/** Whether the agent runs containers through the runtime (anything beyond posix/* accounting). */
export function isolates(isolation: readonly string[]): boolean {
  return isolation.some((name) => !name.startsWith('posix/'));
}

/** Mesos' automatic choice: overlay when the kernel has it, else copy. */
export function defaultBackend(): BackendName {
  try {
    return /\toverlay$/m.test(readFileSync('/proc/filesystems', 'utf8')) ? 'overlay' : 'copy';
  } catch {
    return 'copy';
  }
}

export async function createContainerParts(flags: AgentFlags, log: Logger): Promise<ContainerParts> {
  let runtime: ContainerRuntime | undefined;
  if (isolates(flags.isolation)) {
    const runtimeDir = flags.runtime_dir ?? defaultRuntimeDir();
    runtime = createContainerRuntime({
      runtimeDir,
      isolation: flags.isolation.join(','),
      cgroupsHierarchy: flags.cgroups_hierarchy,
      cgroupsRoot: flags.cgroups_root,
      cgroupsEnableCfs: flags.cgroups_enable_cfs,
      sandboxDirectory: flags.sandbox_directory,
      dockerIgnoreRuntime: flags.docker_ignore_runtime,
      // The agent must be able to exit (and restart) while containers run on.
      unrefProcesses: true,
      log,
    });
    const recovered = await runtime.recover([]);
    if (recovered.orphans.length > 0) log.info({ orphans: recovered.orphans }, `destroyed ${recovered.orphans.length} container(s) of a previous run`);
    log.info({ isolation: runtime.isolation, ociRuntime: runtime.ociRuntime, runtimeDir }, 'container runtime ready');
  }
  let provisioner: Provisioner | undefined;
  if ((flags.image_providers ?? []).includes('docker')) {
    provisioner = await createProvisioner({
      storeDir: flags.docker_store_dir,
      provisionerDir: join(flags.work_dir, 'provisioner'),
      backend: (flags.image_provisioner_backend as BackendName | undefined) ?? defaultBackend(),
      dockerRegistry: flags.docker_registry,
      ...(flags.docker_config !== undefined ? { credentials: await dockerCredentials(flags.docker_config, flags.work_dir) } : {}),
      log,
    });
    await provisioner.recover([]);
    log.info({ store: flags.docker_store_dir, registry: flags.docker_registry, backend: provisioner.backend.name }, 'image provisioner ready');
  }
  return { ...(runtime !== undefined ? { runtime } : {}), ...(provisioner !== undefined ? { provisioner } : {}) };
}

/** `--docker_config`: a path, or (as Mesos allows) the JSON itself. */
async function dockerCredentials(value: string, workDir: string) {
  if (!value.trimStart().startsWith('{')) return loadDockerConfigCredentials(value);
  const file = join(workDir, 'docker-config.json');
  writeFileSync(file, value, { mode: 0o600 });
  return loadDockerConfigCredentials(file);
}
