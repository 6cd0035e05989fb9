/**
 * The agent's read-only endpoints: `/health`, `/version`, `/flags`, `/state`
 * (also `/state.json`, and each under `/slave(1)`), reference 7.4.
 */
import type { FastifyInstance } from 'fastify';
import type { JsonValue } from '@bufbuild/protobuf';

import { routeWithPrefixes, sendJson } from '../../http/server.js';
import { MESOS_COMPATIBLE_VERSION, VERSION } from '../../version.js';
import { attributesToLegacyJson, type Attribute, type Resources } from '../../resources/index.js';
import { legacyResourcesJson } from '../resources.js';
import type { FrameworkRecord } from '../state.js';
import { frameworkJson, reservationJson } from './state-json.js';

const PREFIXES = ['/slave(1)'];

/** What /state shows; the Agent provides it. */
export interface AgentSnapshot {
  readonly agentId: string | undefined;
  /** `ip:port` as advertised. */
  readonly endpoint: string;
  readonly hostname: string;
  readonly startTimeSeconds: number;
  readonly resources: Resources;
  readonly attributes: readonly Attribute[];
  readonly masterHostname: string | undefined;
  readonly logDir: string | undefined;
  readonly externalLogFile: string | undefined;
  readonly flags: Record<string, string>;
  readonly frameworks: readonly FrameworkRecord[];
  readonly completedFrameworks: readonly FrameworkRecord[];
}

/** Mesos' `version` endpoint body. */
export function versionJson(): Record<string, string> {
  return { version: MESOS_COMPATIBLE_VERSION, mesoscale_version: VERSION, build_date: '', build_time: '', build_user: '' };
}

export function stateJson(s: AgentSnapshot): Record<string, JsonValue> {
  const { reserved, unreserved, reservedFull, unreservedFull } = reservationJson(s.resources);
  const out: Record<string, JsonValue> = {
    ...versionJson(),
    start_time: s.startTimeSeconds,
    id: s.agentId ?? '',
    pid: `slave(1)@${s.endpoint}`,
    hostname: s.hostname,
    capabilities: ['MULTI_ROLE', 'HIERARCHICAL_ROLE', 'RESERVATION_REFINEMENT'],
    resources: legacyResourcesJson(s.resources),
    reserved_resources: reserved,
    unreserved_resources: unreserved,
    reserved_resources_full: reservedFull,
    unreserved_resources_full: unreservedFull,
    reserved_resources_allocated: {},
    unreserved_resources_allocated: {},
    resource_providers: [],
    attributes: attributesToLegacyJson(s.attributes),
    flags: s.flags,
    frameworks: s.frameworks.map(frameworkJson),
    completed_frameworks: s.completedFrameworks.map(frameworkJson),
  };
  if (s.masterHostname !== undefined) out.master_hostname = s.masterHostname;
  if (s.logDir !== undefined) out.log_dir = s.logDir;
  if (s.externalLogFile !== undefined) out.external_log_file = s.externalLogFile;
  return out;
}

export function registerAgentEndpoints(app: FastifyInstance, snapshot: () => AgentSnapshot): void {
  routeWithPrefixes(app, 'GET', '/health', PREFIXES, (_req, reply) => reply.code(200).send());
  routeWithPrefixes(app, 'GET', '/version', PREFIXES, (req, reply) => sendJson(req, reply, versionJson()));
  routeWithPrefixes(app, 'GET', '/flags', PREFIXES, (req, reply) => sendJson(req, reply, { flags: snapshot().flags }));
  for (const path of ['/state', '/state.json']) {
    routeWithPrefixes(app, 'GET', path, PREFIXES, (req, reply) => sendJson(req, reply, stateJson(snapshot())));
  }
}
