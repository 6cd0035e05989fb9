/**
 * `mesoscale master` flags: Mesos' names, defaults and meanings
 * (shared/reference/mesos-flags.md sections 2 and 3), each also readable as
 * MESOS_<NAME>. Flags for features we do not have yet are refused with a clear
 * message instead of being silently ignored.
 */
import { defineFlags } from '../lib/flags/index.js';
import { parseMinAllocatableResources, DEFAULT_MIN_ALLOCATABLE_RESOURCES, roleError } from '../resources/index.js';

function parseRolesList(text: string): string[] {
  const roles = text.split(',').map((r) => r.trim()).filter((r) => r !== '');
  for (const role of roles) {
    const err = roleError(role);
    if (err !== undefined) throw new Error(`role '${role}' is invalid: ${err}`);
  }
  return roles;
}

function parseWeights(text: string): Map<string, number> {
  const weights = new Map<string, number>();
  for (const piece of text.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const [role, value, extra] = piece.split('=');
    const weight = Number(value);
    if (role === undefined || value === undefined || extra !== undefined || !(weight > 0)) {
      throw new Error(`'${piece}' is not of the form role=weight with a positive weight`);
    }
    weights.set(role.trim(), weight);
  }
  return weights;
}

export const masterFlagDefs = defineFlags({
  ip: { type: 'string', default: '127.0.0.1', help: 'IP address to listen on' },
  port: { type: 'int', default: 5050, help: 'Port to listen on', validate: (p: number) => (p < 0 || p > 65535 ? 'not a port number' : undefined) },
  advertise_ip: { type: 'string', help: 'IP address advertised to agents and frameworks' },
  advertise_port: { type: 'int', help: 'Port advertised to agents and frameworks' },
  hostname: { type: 'string', help: 'Hostname the master advertises (default: the IP address)' },
  work_dir: { type: 'path', help: 'Directory for the registry (not used with --registry=in_memory)' },
  registry: {
    type: 'string',
    default: 'in_memory',
    help: "Registry backend; only 'in_memory' exists yet (replicated_log is accepted and treated as in_memory, see docs/compatibility.md)",
    validate: (v: string) => (v === 'in_memory' || v === 'replicated_log' ? undefined : "must be 'in_memory' or 'replicated_log'"),
  },
  zk: { type: 'string', help: 'ZooKeeper URL for leader election (not supported yet)' },
  quorum: { type: 'int', help: 'Replicated log quorum (used with --zk)' },
  cluster: { type: 'string', help: 'Human readable name for the cluster' },
  agent_ping_timeout: { type: 'duration', default: 15_000, aliases: ['slave_ping_timeout'], help: 'Time an agent has to answer a ping' },
  max_agent_ping_timeouts: {
    type: 'int',
    default: 5,
    aliases: ['max_slave_ping_timeouts'],
    help: 'Missed pings in a row before an agent is marked unreachable',
    validate: (n: number) => (n < 1 ? 'must be at least 1' : undefined),
  },
  allocation_interval: { type: 'duration', default: 1_000, help: 'Period of batch allocation' },
  offer_timeout: { type: 'duration', help: 'Rescind offers older than this (default: never)' },
  min_allocatable_resources: {
    type: parseMinAllocatableResources,
    default: parseMinAllocatableResources(DEFAULT_MIN_ALLOCATABLE_RESOURCES),
    help: "Smallest offer worth making, e.g. 'cpus:0.01|mem:32' (';' = and, '|' = or)",
  },
  roles: { type: parseRolesList, help: 'Comma-separated list of allowed roles (deprecated in Mesos)' },
  weights: { type: parseWeights, help: "Role weights, e.g. 'ops=2,dev=1'" },
  root_submissions: { type: 'bool', default: true, help: "Allow frameworks whose user is 'root'" },
  max_completed_frameworks: { type: 'int', default: 50, help: 'Completed frameworks kept in memory' },
  max_completed_tasks_per_framework: { type: 'int', default: 1000, help: 'Completed tasks kept per framework' },
  max_unreachable_tasks_per_framework: { type: 'int', default: 1000, help: 'Unreachable tasks kept per framework' },
  authenticate_frameworks: { type: 'bool', default: false, aliases: ['authenticate'], help: 'Require framework authentication (not supported yet)' },
  authenticate_http_frameworks: { type: 'bool', default: false, help: 'Require HTTP framework authentication (not supported yet)' },
  authenticate_agents: { type: 'bool', default: false, aliases: ['authenticate_slaves'], help: 'Require agent authentication (not supported yet)' },
  log_dir: { type: 'path', help: 'Directory for log files (default: stderr only)' },
  logging_level: {
    type: 'string',
    default: 'INFO',
    help: 'INFO, WARNING or ERROR',
    validate: (v: string) => (['INFO', 'WARNING', 'ERROR'].includes(v.toUpperCase()) ? undefined : 'must be INFO, WARNING or ERROR'),
  },
  quiet: { type: 'bool', default: false, help: 'Disable logging to stderr' },
  max_body_bytes: { type: 'bytes', default: 16 * 1024 * 1024, help: 'Largest accepted request body (mesoscale-specific)' },
});
