/** A malformed master flag or MESOS_* variable stops the process at start with a message that names it. */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { MESOSCALE_BIN } from '../support/repo.js';
import { describeResult, runCommand } from '../support/run-command.js';

const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('MESOS_')));

it('refuses a malformed command-line flag, naming it', async () => {
  const result = await runCommand(process.execPath, [MESOSCALE_BIN, 'master', '--agent_ping_timeout=5s'], { env, timeoutMs: 20_000 });
  assert.equal(result.code, 1, describeResult('master', result));
  assert.match(result.stderr, /Failed to load flag 'agent_ping_timeout' from --agent_ping_timeout=5s: .*unknown unit 's'/);
});

it('refuses a malformed MESOS_* variable, naming it', async () => {
  const result = await runCommand(process.execPath, [MESOSCALE_BIN, 'master'], {
    env: { ...env, MESOS_MIN_ALLOCATABLE_RESOURCES: 'cpus:lots' },
    timeoutMs: 20_000,
  });
  assert.equal(result.code, 1, describeResult('master', result));
  assert.match(result.stderr, /flag 'min_allocatable_resources' from environment variable MESOS_MIN_ALLOCATABLE_RESOURCES/);
});

it('refuses an unknown flag and a feature that is not there yet', async () => {
  const unknown = await runCommand(process.execPath, [MESOSCALE_BIN, 'master', '--no_such_flag=1'], { env, timeoutMs: 20_000 });
  assert.equal(unknown.code, 1, describeResult('master', unknown));
  assert.match(unknown.stderr, /no_such_flag/);
  const zk = await runCommand(process.execPath, [MESOSCALE_BIN, 'master', '--zk=zk://127.0.0.1:2181/mesos'], { env, timeoutMs: 20_000 });
  assert.equal(zk.code, 1, describeResult('master', zk));
  assert.match(zk.stderr, /Not supported by mesoscale yet: --zk/);
});
