/**
 * `mesoscale agent` flags: Mesos' agent flag names and defaults
 * (shared/reference/mesos-flags.md sections 1, 2, 4), each also readable as
 * `MESOS_<NAME>`. Loading and error messages come from src/lib/flags; this
 * file only declares the flags and the agent-specific value types.
 *
 * Flags Mesos has but mesoscale does not act on yet are still accepted, so
 * existing configurations (e.g. a whole MESOS_* environment) start; the agent
 * logs a warning naming each one (see `unsupportedFlagWarnings`).
 */
import { isIP } from 'node:net';
import { fileURLToPath } from 'node:url';

import { defineFlags, FlagError, FlagErrorCode, loadFlags, type FlagValues, type LoadedFlags } from '../lib/flags/index.js';
import { type Attribute, formatAttributes, parseAttributes, parseResources, roleError } from '../resources/index.js';
import { parseIsolation as parseIsolatorNames } from './containerizer/isolators/registry.js';

/** Where the compiled executors live: `<dist>/src/agent/executors`. */
export const BUILTIN_LAUNCHER_DIR = fileURLToPath(new URL('./executors/', import.meta.url)).replace(/\/$/, '');

/** The master to register with, as given and as a base URL. */
export interface MasterAddress {
  readonly text: string;
  readonly url: string;
}

/**
 * `host:port`, `master@host:port` or `http://host:port`. ZooKeeper URLs are a
 * later issue and fail with a message that says what to use meanwhile.
 */
export function parseMasterAddress(text: string): MasterAddress {
  const value = text.trim();
  if (value.startsWith('zk://')) {
    throw new Error(
      `ZooKeeper master detection ('${value}') is not supported yet by mesoscale; give the leading master as host:port`,
    );
  }
  let hostPort = value;
  if (hostPort.startsWith('http://')) hostPort = hostPort.slice('http://'.length).replace(/\/+$/, '');
  else if (hostPort.startsWith('https://')) throw new Error('https masters are not supported yet; use host:port');
  const at = hostPort.lastIndexOf('@');
  if (at >= 0) hostPort = hostPort.slice(at + 1); // libprocess form master@host:port
  const match = /^(\[[0-9a-fA-F:]+\]|[^:/\s]+):(\d{1,5})$/.exec(hostPort);
  if (match === null) throw new Error(`expected host:port (e.g. 127.0.0.1:5050), got '${value}'`);
  const port = Number(match[2]);
  if (port < 1 || port > 65535) throw new Error(`port ${port} is out of range 1-65535`);
  return { text: value, url: `http://${match[1]}:${port}` };
}

/** `--executor_environment_variables`: a JSON object whose values are all strings (as Mesos requires). */
export function parseEnvironmentObject(text: string): Record<string, string> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`not valid JSON (${(err as Error).message})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new Error('expected a JSON object such as {"PATH":"/bin:/usr/bin"}');
  }
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(json)) {
    if (typeof value !== 'string') throw new Error(`value of '${name}' must be a string`);
    out[name] = value;
  }
  return out;
}

/**
 * `--isolation`: the names the isolator registry knows (aliases expanded,
 * combinations checked there). `filesystem/posix`, which Mesos adds when no
 * filesystem isolator is given, is accepted and dropped: containers without
 * an image share the host filesystem anyway.
 */
export function parseIsolation(text: string): string[] {
  const names = text.split(',').map((n) => n.trim()).filter((n) => n !== '' && n !== 'filesystem/posix');
  return parseIsolatorNames(names.join(','));
}

/** `--image_providers`: comma list, case-insensitive, as Mesos reads it; only docker is implemented. */
export function parseImageProviders(text: string): string[] {
  const providers = [...new Set(text.split(',').map((p) => p.trim().toLowerCase()).filter((p) => p !== ''))];
  for (const provider of providers) {
    if (provider === 'appc') throw new Error("the 'appc' image provider is not supported by mesoscale; use 'docker'");
    if (provider !== 'docker') throw new Error(`unknown image provider '${provider}'; the supported one is 'docker'`);
  }
  return providers;
}

/** What the agent's containerizer is built from, checked as Mesos checks it at start. */
export function checkContainerizerFlags(flags: AgentFlags): string | undefined {
  const isolation = flags.isolation;
  if ((flags.image_providers ?? []).includes('docker')) {
    const missing = ['docker/runtime', 'filesystem/linux'].filter((n) => !isolation.includes(n));
    if (missing.length > 0) {
      return `--image_providers=docker needs ${missing.map((m) => `'${m}'`).join(' and ')} in --isolation (got '${isolation.join(',')}')`;
    }
  }
  const linuxOnly = isolation.filter((n) => n === 'filesystem/linux' || n.startsWith('namespaces/'));
  if (flags.launcher === 'posix' && linuxOnly.length > 0) {
    return `--launcher=posix cannot apply ${linuxOnly.join(', ')} (they need --launcher=linux)`;
  }
  return undefined;
}

function oneOf(allowed: readonly string[]) {
  return (value: string): string | undefined =>
    allowed.includes(value) ? undefined : `must be one of ${allowed.join(', ')}, not '${value}'`;
}

export const agentFlagDefs = defineFlags({
  master: { type: parseMasterAddress, required: true, format: (m: MasterAddress) => m.text, help: 'Master to register with: host:port, master@host:port or http://host:port' },
  work_dir: { type: 'path', required: true, help: 'Directory for sandboxes (slaves/...) and checkpoints (meta/...)' },
  ip: { type: 'string', default: '127.0.0.1', validate: (v) => (isIP(v) === 0 ? `'${v}' is not an IP address` : undefined), help: 'IP address to listen on' },
  port: { type: 'int', default: 5051, validate: (p) => (p < 0 || p > 65535 ? `port ${p} is out of range 0-65535` : undefined), help: 'Port to listen on' },
  advertise_ip: { type: 'string', validate: (v) => (isIP(v) === 0 ? `'${v}' is not an IP address` : undefined), help: 'IP address published to the master and executors instead of --ip' },
  advertise_port: { type: 'int', help: 'Port published instead of --port' },
  hostname: { type: 'string', help: 'Hostname the agent reports (default: the system hostname, or the IP with --no-hostname_lookup)' },
  hostname_lookup: { type: 'bool', default: true, help: 'Whether to look up the hostname when --hostname is unset' },
  resources: { type: 'string', validate: (v) => void parseResources(v), help: 'Total consumable resources: text (cpus:2;mem:1024;ports:[31000-32000]) or a JSON array of Resource; unnamed cpus/mem/disk/ports are detected' },
  attributes: { type: parseAttributes, format: (a: Attribute[]) => formatAttributes(a), help: 'Attributes of this agent: rack:abc;level:10;keys:[1000-1500]' },
  default_role: { type: 'string', default: '*', validate: (r) => roleError(r), help: 'Role of resources given without one, and of detected resources' },
  executor_registration_timeout: { type: 'duration', default: 60_000, help: 'An executor that has not subscribed within this is destroyed' },
  executor_reregistration_timeout: { type: 'duration', default: 2_000, validate: (d) => (d > 15_000 ? 'must be at most 15secs' : undefined), help: 'After an agent restart, executors must re-subscribe within this (MESOS_SUBSCRIPTION_BACKOFF_MAX)' },
  executor_shutdown_grace_period: { type: 'duration', default: 5_000, help: 'Time between SHUTDOWN and forced destruction of an executor' },
  executor_environment_variables: { type: parseEnvironmentObject, format: (e: Record<string, string>) => JSON.stringify(e), help: 'JSON object of environment variables for executors' },
  recovery_timeout: { type: 'duration', default: 15 * 60_000, help: 'Executors waiting for a restarting agent give up after this (MESOS_RECOVERY_TIMEOUT)' },
  recover: { type: 'string', default: 'reconnect', validate: oneOf(['reconnect', 'cleanup']), help: 'reconnect: keep the agent id and re-register; cleanup: forget the previous agent and start fresh' },
  strict: { type: 'bool', default: true, help: 'Whether recovery errors are fatal' },
  registration_backoff_factor: { type: 'duration', default: 1_000, help: 'Re-registration backoff: random initial delay in [0, factor], doubling, capped at 1mins' },
  http_command_executor: { type: 'bool', default: false, help: 'Run command executors as separate processes speaking the v1 executor HTTP API; by default they run inside the agent (exported to executors as MESOS_HTTP_COMMAND_EXECUTOR)' },
  containerizers: { type: 'string', default: 'mesos', validate: (v) => v.split(',').map((c) => c.trim()).find((c) => c !== 'mesos' && c !== 'docker') === undefined ? undefined : `containerizers are 'mesos' and 'docker', not '${v}'`, help: 'Containerizers in order of preference (only mesos is implemented)' },
  isolation: { type: parseIsolation, default: ['posix/cpu', 'posix/mem'], format: (i: string[]) => i.join(','), help: 'Isolators: posix/cpu, posix/mem (no root needed), cgroups/cpu, cgroups/mem, namespaces/pid, filesystem/linux, docker/runtime (aliases: process, cgroups)' },
  launcher: { type: 'string', validate: oneOf(['posix', 'linux']), help: 'Process launcher: linux (namespaces, cgroups; the default as root) or posix (plain processes)' },
  image_providers: { type: parseImageProviders, format: (p: string[]) => p.join(','), help: 'Image providers for ContainerInfo.mesos.image: docker (needs docker/runtime and filesystem/linux in --isolation)' },
  image_provisioner_backend: { type: 'string', validate: oneOf(['copy', 'overlay']), help: 'How root filesystems are built from image layers: overlay (default when the kernel has it) or copy' },
  docker_registry: { type: 'string', default: 'https://registry-1.docker.io', help: 'Default registry for images without one: an http(s) URL, or a local directory of image archives (<repo>:<tag>.tar)' },
  docker_store_dir: { type: 'path', default: '/tmp/mesos/store/docker', help: 'Image layer store (one agent per store: there is no cross-process lock)' },
  docker_config: { type: 'string', help: 'Docker config.json (a path, or the JSON itself) with registry credentials for pulls' },
  docker_ignore_runtime: { type: 'bool', default: false, help: "Ignore the image's Entrypoint, Cmd, Env and WorkingDir" },
  cgroups_hierarchy: { type: 'path', default: '/sys/fs/cgroup', help: 'Where the cgroup hierarchies are mounted' },
  cgroups_root: { type: 'string', default: 'mesos', help: 'Container cgroups are <hierarchy>/<controller>/<cgroups_root>/<container id>' },
  cgroups_enable_cfs: { type: 'bool', default: false, help: 'Hard CPU limits through the CFS quota (cgroups/cpu)' },
  sandbox_directory: { type: 'path', default: '/mnt/mesos/sandbox', help: 'Sandbox path inside containers with their own root filesystem (MESOS_SANDBOX)' },
  runtime_dir: { type: 'path', help: 'State that survives agent crashes but not reboots (default /var/run/mesos if writable, else <tmp>/mesos/runtime)' },
  launcher_dir: { type: 'path', default: BUILTIN_LAUNCHER_DIR, help: 'Directory holding command-executor-main.js (the built-in command executor)' },
  frameworks_home: { type: 'path', default: '', help: 'Prefix for relative executor URIs and commands' },
  max_completed_executors_per_framework: { type: 'int', default: 150, help: 'Completed executors kept per framework for /state' },
  gc_delay: { type: 'duration', default: 7 * 24 * 3_600_000, help: 'Maximum age of finished sandboxes (sandbox GC is not implemented yet)' },
  gc_disk_headroom: { type: 'number', default: 0.1, help: 'Disk headroom for sandbox GC (not implemented yet)' },
  disk_watch_interval: { type: 'duration', default: 60_000, help: 'How often sandbox GC checks disk usage (not implemented yet)' },
  fetcher_stall_timeout: { type: 'duration', default: 60_000, help: 'Abort a download that receives nothing for this long' },
  fetcher_cache_dir: { type: 'path', default: '/tmp/mesos/fetch', help: 'Fetcher cache (the cache is not implemented yet; URIs are always downloaded)' },
  fetcher_cache_size: { type: 'bytes', default: 2 * 1024 ** 3, help: 'Fetcher cache size (not implemented yet)' },
  switch_user: { type: 'bool', default: true, help: 'Run tasks as their user (not implemented yet: tasks run as the agent user)' },
  http_heartbeat_interval: { type: 'duration', default: 30_000, help: 'Heartbeat interval on streaming responses' },
  logging_level: { type: 'string', default: 'INFO', validate: oneOf(['INFO', 'WARNING', 'ERROR']), help: 'Least severe level logged: INFO, WARNING or ERROR' },
  log_dir: { type: 'path', help: 'Directory for the agent log file (mesos-agent.log); also served as /slave/log' },
  quiet: { type: 'bool', default: false, help: 'Do not log to stderr' },
  external_log_file: { type: 'path', help: 'A log file to expose in /files' },
  status_update_retry_interval: { type: 'duration', default: 10_000, help: 'mesoscale extension: first status update retry (Mesos constant 10secs; doubles up to 10mins)' },
});

export type AgentFlags = FlagValues<typeof agentFlagDefs>;

/** Loads and cross-checks the agent flags. Throws FlagError naming the flag. */
export function loadAgentFlags(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): LoadedFlags<typeof agentFlagDefs> {
  const loaded = loadFlags(agentFlagDefs, argv, env);
  // --resources is checked once during loading (syntax); its roles depend on --default_role.
  const { resources, default_role: defaultRole } = loaded.flags;
  if (resources !== undefined) {
    try {
      parseResources(resources, { defaultRole });
    } catch (err) {
      throw new FlagError(FlagErrorCode.invalid, 'resources', `Failed to load flag 'resources' with --default_role=${defaultRole}: ${(err as Error).message}`, { cause: err });
    }
  }
  const problem = checkContainerizerFlags(loaded.flags);
  if (problem !== undefined) throw new FlagError(FlagErrorCode.invalid, 'isolation', problem);
  return loaded;
}

/** One line per accepted flag value that mesoscale does not act on yet. */
export function unsupportedFlagWarnings(flags: AgentFlags): string[] {
  const out: string[] = [];
  if (flags.containerizers.split(',').some((c) => c.trim() === 'docker')) out.push(`the docker containerizer is not implemented yet; only 'mesos' is used`);
  return out;
}
