import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { fromMesosJson } from './codec/json.js';
import { CheckInfoSchema, CheckStatusInfoSchema, HealthCheckSchema, TaskInfoSchema } from './gen/mesos/v1/mesos_pb.js';
import { validateCheckInfo, validateCheckStatusInfo, validateHealthCheck, validateTaskChecks } from './check-validation.js';

// Inputs as a scheduler sends them (Mesos JSON), so field presence is what the master sees.
const health = (json: object) => validateHealthCheck(fromMesosJson(HealthCheckSchema, json));
const check = (json: object) => validateCheckInfo(fromMesosJson(CheckInfoSchema, json));

describe('validateHealthCheck (Mesos common::validation)', () => {
  const cases: Array<[string, object, string | undefined]> = [
    ['HTTP', { type: 'HTTP', http: { port: 8080, path: '/health' } }, undefined],
    ['HTTPS', { type: 'HTTP', http: { port: 8080, scheme: 'https' } }, undefined],
    ['TCP', { type: 'TCP', tcp: { port: 8080 }, delay_seconds: 0, interval_seconds: 0.5 }, undefined],
    ['COMMAND', { type: 'COMMAND', command: { value: 'true' } }, undefined],
    ['no type', { http: { port: 8080 } }, "HealthCheck must specify 'type'"],
    ['UNKNOWN type', { type: 'UNKNOWN' }, "'UNKNOWN' is not a valid health check type"],
    ['HTTP without http', { type: 'HTTP', tcp: { port: 1 } }, "Expecting 'http' to be set for HTTP health check"],
    ['TCP without tcp', { type: 'TCP' }, "Expecting 'tcp' to be set for TCP health check"],
    ['COMMAND without command', { type: 'COMMAND' }, "Expecting 'command' to be set for COMMAND health check"],
    ['COMMAND without value', { type: 'COMMAND', command: { shell: true } }, "Command health check must contain 'shell command'"],
    ['argv COMMAND without value', { type: 'COMMAND', command: { shell: false } }, "Command health check must contain 'executable path'"],
    [
      'COMMAND with a VALUE variable without value',
      { type: 'COMMAND', command: { value: 'true', environment: { variables: [{ name: 'X' }] } } },
      "Health check's `CommandInfo` is invalid: Environment variable 'X' of type 'VALUE' must have a value set",
    ],
    ['bad scheme', { type: 'HTTP', http: { port: 1, scheme: 'ftp' } }, "Unsupported HTTP health check scheme: 'ftp'"],
    ['relative path', { type: 'HTTP', http: { port: 1, path: 'health' } }, "The path 'health' of HTTP health check must start with '/'"],
    ['negative delay', { type: 'TCP', tcp: { port: 1 }, delay_seconds: -1 }, "Expecting 'delay_seconds' to be non-negative"],
    ['negative grace', { type: 'TCP', tcp: { port: 1 }, grace_period_seconds: -1 }, "Expecting 'grace_period_seconds' to be non-negative"],
    ['negative interval', { type: 'TCP', tcp: { port: 1 }, interval_seconds: -0.5 }, "Expecting 'interval_seconds' to be non-negative"],
    ['negative timeout', { type: 'TCP', tcp: { port: 1 }, timeout_seconds: -2 }, "Expecting 'timeout_seconds' to be non-negative"],
  ];
  for (const [name, json, want] of cases) it(name, () => assert.equal(health(json), want));
});

describe('validateCheckInfo (Mesos common::validation)', () => {
  const cases: Array<[string, object, string | undefined]> = [
    ['COMMAND', { type: 'COMMAND', command: { command: { value: 'exit 1' } } }, undefined],
    ['HTTP', { type: 'HTTP', http: { port: 80 } }, undefined],
    ['TCP', { type: 'TCP', tcp: { port: 80 } }, undefined],
    ['no type', { tcp: { port: 80 } }, "CheckInfo must specify 'type'"],
    ['UNKNOWN type', { type: 'UNKNOWN' }, "'UNKNOWN' is not a valid check type"],
    ['COMMAND without command', { type: 'COMMAND' }, "Expecting 'command' to be set for COMMAND check"],
    ['COMMAND without value', { type: 'COMMAND', command: { command: { shell: false } } }, "Command check must contain 'executable path'"],
    ['HTTP without http', { type: 'HTTP' }, "Expecting 'http' to be set for HTTP check"],
    ['relative path', { type: 'HTTP', http: { port: 1, path: 'x' } }, "The path 'x' of HTTP check must start with '/'"],
    ['TCP without tcp', { type: 'TCP' }, "Expecting 'tcp' to be set for TCP check"],
    ['negative interval', { type: 'TCP', tcp: { port: 1 }, interval_seconds: -1 }, "Expecting 'interval_seconds' to be non-negative"],
  ];
  for (const [name, json, want] of cases) it(name, () => assert.equal(check(json), want));
});

describe('validateTaskChecks', () => {
  const task = (fields: object) =>
    fromMesosJson(TaskInfoSchema, { name: 't', task_id: { value: 't' }, agent_id: { value: 'a' }, command: { value: 'sleep 1' }, ...fields });

  it('accepts a task without checks and one with valid checks', () => {
    assert.equal(validateTaskChecks(task({})), undefined);
    assert.equal(validateTaskChecks(task({ health_check: { type: 'TCP', tcp: { port: 1 } }, check: { type: 'TCP', tcp: { port: 1 } } })), undefined);
  });

  it("prefixes the problem as Mesos' master does", () => {
    assert.equal(validateTaskChecks(task({ health_check: { type: 'HTTP' } })), "Task uses invalid health check: Expecting 'http' to be set for HTTP health check");
    assert.equal(validateTaskChecks(task({ check: { type: 'TCP' } })), "Task uses invalid check: Expecting 'tcp' to be set for TCP check");
  });
});

describe('validateCheckStatusInfo', () => {
  const status = (json: object) => validateCheckStatusInfo(fromMesosJson(CheckStatusInfoSchema, json));
  it('accepts an empty result of the right type and refuses a missing one', () => {
    assert.equal(status({ type: 'COMMAND', command: {} }), undefined);
    assert.equal(status({ type: 'HTTP', http: { status_code: 200 } }), undefined);
    assert.equal(status({ type: 'TCP', tcp: { succeeded: false } }), undefined);
    assert.equal(status({ type: 'TCP' }), "Expecting 'tcp' to be set for TCP check's status");
    assert.equal(status({}), "CheckStatusInfo must specify 'type'");
  });
});
