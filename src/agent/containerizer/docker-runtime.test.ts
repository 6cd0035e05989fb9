import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { envToList, mergeDockerRuntime, mergeEnvironments, parseEnvList, resolveCommand } from './docker-runtime.js';
import { CommandMergeError } from './isolators/errors.js';
import type { CommandSpec, ImageRuntimeConfig } from './isolators/isolator.js';

interface Row {
  readonly name: string;
  readonly command: CommandSpec;
  readonly image: ImageRuntimeConfig | undefined;
  readonly expected: { executable: string; argv: string[] } | 'error';
}

const ENTRY = ['/bin/sh', '-c'];
const CMD = ['echo', 'from', 'cmd'];

// Every row of Mesos' getLaunchCommand table (isolators/docker/runtime.cpp), plus edge cases.
const ROWS: readonly Row[] = [
  { name: 'shell default true, value', command: { value: 'echo hi' }, image: undefined, expected: { executable: '/bin/sh', argv: ['/bin/sh', '-c', 'echo hi'] } },
  { name: 'shell=true ignores Entrypoint/Cmd', command: { shell: true, value: 'ls' }, image: { entrypoint: ENTRY, cmd: CMD }, expected: { executable: '/bin/sh', argv: ['/bin/sh', '-c', 'ls'] } },
  { name: 'shell=true ignores arguments', command: { shell: true, value: 'ls', arguments: ['x'] }, image: undefined, expected: { executable: '/bin/sh', argv: ['/bin/sh', '-c', 'ls'] } },
  { name: 'shell=true without value', command: { shell: true }, image: { entrypoint: ENTRY }, expected: 'error' },
  { name: 'shell default true, empty value', command: { value: '' }, image: { cmd: CMD }, expected: 'error' },
  { name: 'shell=false value, no arguments', command: { shell: false, value: '/bin/date' }, image: { entrypoint: ENTRY, cmd: CMD }, expected: { executable: '/bin/date', argv: ['/bin/date'] } },
  { name: 'shell=false value + arguments (argv[0] included)', command: { shell: false, value: '/bin/echo', arguments: ['echo', 'a', 'b'] }, image: { entrypoint: ENTRY }, expected: { executable: '/bin/echo', argv: ['echo', 'a', 'b'] } },
  { name: 'Entrypoint + Cmd', command: { shell: false }, image: { entrypoint: ENTRY, cmd: ['echo hello'] }, expected: { executable: '/bin/sh', argv: ['/bin/sh', '-c', 'echo hello'] } },
  { name: 'Entrypoint + arguments replace Cmd', command: { shell: false, arguments: ['echo args'] }, image: { entrypoint: ENTRY, cmd: ['echo hello'] }, expected: { executable: '/bin/sh', argv: ['/bin/sh', '-c', 'echo args'] } },
  { name: 'Entrypoint only', command: { shell: false }, image: { entrypoint: ['/bin/top', '-b'] }, expected: { executable: '/bin/top', argv: ['/bin/top', '-b'] } },
  { name: 'Entrypoint only + arguments', command: { shell: false, arguments: ['-n', '1'] }, image: { entrypoint: ['/bin/top'] }, expected: { executable: '/bin/top', argv: ['/bin/top', '-n', '1'] } },
  { name: 'Cmd only', command: { shell: false }, image: { cmd: CMD }, expected: { executable: 'echo', argv: ['echo', 'from', 'cmd'] } },
  { name: 'Cmd only + arguments replace Cmd[1..]', command: { shell: false, arguments: ['x', 'y'] }, image: { cmd: CMD }, expected: { executable: 'echo', argv: ['echo', 'x', 'y'] } },
  { name: 'empty Entrypoint falls back to Cmd', command: { shell: false }, image: { entrypoint: [], cmd: ['/bin/true'] }, expected: { executable: '/bin/true', argv: ['/bin/true'] } },
  { name: 'nothing to run', command: { shell: false }, image: { env: ['A=1'] }, expected: 'error' },
  { name: 'nothing to run, no image', command: { shell: false }, image: undefined, expected: 'error' },
];

describe('docker/runtime command merge', () => {
  for (const row of ROWS) {
    it(row.name, () => {
      if (row.expected === 'error') {
        assert.throws(() => resolveCommand(row.command, row.image), CommandMergeError);
      } else {
        assert.deepEqual(resolveCommand(row.command, row.image), row.expected);
      }
    });
  }

  it('error messages say what to set', () => {
    assert.throws(() => resolveCommand({ shell: true }, undefined), /set a value to run with \/bin\/sh -c/);
    assert.throws(() => resolveCommand({ shell: false }, {}), /no Entrypoint or Cmd/);
  });
});

describe('docker/runtime working directory, environment and user', () => {
  it('uses a non-empty WorkingDir, else leaves the default to the caller', () => {
    assert.equal(mergeDockerRuntime({ value: 'x' }, { workingDir: '/srv' }).workingDir, '/srv');
    assert.equal(mergeDockerRuntime({ value: 'x' }, { workingDir: '' }).workingDir, undefined);
    assert.equal(mergeDockerRuntime({ value: 'x' }, undefined).workingDir, undefined);
  });

  it('parses the image Env: first = splits, later duplicates win, bare names skipped', () => {
    assert.deepEqual(parseEnvList(['A=1', 'B=x=y', 'C', '=bad', 'A=2', 'E=']), { A: '2', B: 'x=y', E: '' });
  });

  it('layers agent < image < CommandInfo environments', () => {
    const result = mergeDockerRuntime({ value: 'x', environment: { C: 'task' } }, { env: ['B=image', 'C=image', 'PATH=/img'] });
    const env = mergeEnvironments({ A: 'agent', B: 'agent', MESOS_SANDBOX: '/mnt/mesos/sandbox' }, result.imageEnv, { C: 'task' });
    assert.deepEqual(env, { A: 'agent', B: 'image', MESOS_SANDBOX: '/mnt/mesos/sandbox', C: 'task', PATH: '/img' });
    assert.deepEqual(envToList({ A: '1', B: '' }), ['A=1', 'B=']);
  });

  it('warns about (and ignores) the image User, as Mesos does', () => {
    assert.equal(mergeDockerRuntime({ value: 'x' }, { user: 'nobody' }).warnings.length, 1);
    assert.equal(mergeDockerRuntime({ value: 'x' }, { user: '' }).warnings.length, 0);
  });
});
