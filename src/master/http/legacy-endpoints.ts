/** The master's GET endpoints in Mesos' legacy JSON, under `/x`, `/master/x` and `/x.json`. */
import type { FastifyInstance } from 'fastify';
import { routeWithPrefixes, sendJson } from '../../http/server.js';
import { frameworkJson, rolesJson, slaveJson, stateJson, tasksJson, versionJson, type StateViewContext } from './state-json.js';

export function registerLegacyEndpoints(app: FastifyInstance, view: StateViewContext): void {
  const get = (path: string, body: (query: Record<string, string | undefined>) => unknown, jsonAlias = false): void => {
    const handler = (req: import('fastify').FastifyRequest, reply: import('fastify').FastifyReply) =>
      sendJson(req, reply, body(req.query as Record<string, string | undefined>));
    routeWithPrefixes(app, 'GET', path, ['/master'], handler);
    if (jsonAlias) routeWithPrefixes(app, 'GET', `${path}.json`, ['/master'], handler);
  };
  const { core } = view;
  get('/state', () => stateJson(view), true);
  get('/state-summary', () => ({
    hostname: view.hostname,
    ...(view.cluster !== undefined ? { cluster: view.cluster } : {}),
    slaves: [...core.agents.values()].map((a) => slaveJson(core, a)),
    frameworks: [...core.frameworks.values()].map((f) => ({ ...frameworkJson(core, f), tasks: undefined, completed_tasks: undefined })),
  }));
  get('/frameworks', (q) => ({
    frameworks: [...core.frameworks.values()].filter((f) => q.framework_id === undefined || f.id === q.framework_id).map((f) => frameworkJson(core, f)),
    completed_frameworks: core.completedFrameworks.filter((f) => q.framework_id === undefined || f.id === q.framework_id).map((f) => frameworkJson(core, f)),
    unregistered_frameworks: [],
  }));
  get('/slaves', (q) => ({
    slaves: [...core.agents.values()].filter((a) => q.slave_id === undefined || a.id === q.slave_id).map((a) => slaveJson(core, a)),
    recovered_slaves: [],
  }));
  get('/tasks', (q) => tasksJson(core, q), true);
  get('/roles', () => rolesJson(core), true);
  get('/flags', () => ({ flags: view.flags }));
  get('/version', () => versionJson());
  routeWithPrefixes(app, 'GET', '/health', ['/master'], (_req, reply) => reply.code(200).send());
  routeWithPrefixes(app, 'GET', '/redirect', ['/master'], (_req, reply) =>
    reply.code(307).header('Location', `//${view.pid.split('@')[1]}`).send(),
  );
}
