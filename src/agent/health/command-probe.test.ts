import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import { create } from '@bufbuild/protobuf';

import { CommandInfoSchema } from '../../protocol/gen/mesos/v1/mesos_pb.js';
import { commandProber } from './command-probe.js';

const sandbox = mkdtempSync(join(tmpdir(), 'command-probe-'));
const context = { cwd: sandbox, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', TASK_VAR: 'from-the-task' } };
const shell = (value: string, env: Record<string, string> = {}) =>
  create(CommandInfoSchema, { value, environment: { variables: Object.entries(env).map(([name, v]) => ({ name, value: v })) } });
const probe = (value: string, timeoutMs = 5_000, env?: Record<string, string>) =>
  commandProber(shell(value, env), context)(timeoutMs, new AbortController().signal);

/** Killed processes whose parent died may linger as zombies until init reaps them. */
function isDeadOrZombie(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z') ?? true;
  } catch {
    return true;
  }
}

describe('command probe', () => {
  after(() => rmSync(sandbox, { recursive: true, force: true }));

  it('reports the exit code of `sh -c`', async () => {
    assert.deepEqual(await probe('exit 0'), { kind: 'command', exitCode: 0 });
    assert.deepEqual(await probe('exit 7'), { kind: 'command', exitCode: 7 });
  });

  it("runs in the task's sandbox with the task's environment plus the check's own", async () => {
    writeFileSync(join(sandbox, 'marker'), '');
    assert.deepEqual(await probe('test -f marker'), { kind: 'command', exitCode: 0 });
    assert.deepEqual(await probe('test "$TASK_VAR" = from-the-task'), { kind: 'command', exitCode: 0 });
    assert.deepEqual(await probe('test "$TASK_VAR/$OWN" = overridden/yes', 5_000, { TASK_VAR: 'overridden', OWN: 'yes' }), { kind: 'command', exitCode: 0 });
  });

  it('runs argv commands (shell=false)', async () => {
    const command = create(CommandInfoSchema, { shell: false, value: '/bin/sh', arguments: ['sh', '-c', 'exit 4'] });
    assert.deepEqual(await commandProber(command, context)(5_000, new AbortController().signal), { kind: 'command', exitCode: 4 });
  });

  it('times out, killing the whole process group', async () => {
    const started = Date.now();
    const pidFile = join(sandbox, 'child.pid');
    const result = await probe(`sleep 30 & echo $! > ${pidFile}; wait`, 300);
    assert.equal(result.kind, 'error');
    assert.match(result.kind === 'error' ? result.message : '', /timed out after 300 ms/);
    assert.ok(Date.now() - started < 3_000);
    const child = Number(readFileSync(pidFile, 'utf8'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.ok(isDeadOrZombie(child), `the backgrounded sleep ${child} is gone too`);
  });

  it('reports a command killed by a signal, or one that cannot start, as no answer', async () => {
    assert.equal((await probe('kill -9 $$')).kind, 'error');
    const missing = create(CommandInfoSchema, { shell: false, value: '/nonexistent/probe', arguments: ['probe'] });
    const result = await commandProber(missing, context)(5_000, new AbortController().signal);
    assert.equal(result.kind, 'error');
  });

  it('stops when aborted', async () => {
    const abort = new AbortController();
    const pending = commandProber(shell('sleep 30'), context)(0, abort.signal);
    setTimeout(() => abort.abort(), 100);
    assert.deepEqual(await pending, { kind: 'error', message: 'The probe was cancelled' });
  });
});
