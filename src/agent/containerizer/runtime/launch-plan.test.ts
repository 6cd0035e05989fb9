import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { IsolationConfigError } from '../isolators/errors.js';
import type { ContainerConfig } from '../isolators/isolator.js';
import { buildLaunchPlan, DEFAULT_PATH } from './launch-plan.js';
import { buildOciConfig } from './oci-config.js';

const base: ContainerConfig = {
  containerId: 'c1', parentIds: [], rootfs: '/rootfs', sandboxDir: '/host/sandbox',
  command: { value: 'echo hi', environment: { TASK: 'task', SHARED: 'task' } }, image: undefined, resources: {},
};

describe('launch plan from isolator LaunchInfos', () => {
  it('defaults: sh -c, sandbox mount as cwd with a rootfs, PATH filled in', () => {
    const plan = buildLaunchPlan(base, { AGENT: 'a' }, [], '/mnt/mesos/sandbox');
    assert.deepEqual(plan.argv, ['/bin/sh', '-c', 'echo hi']);
    assert.equal(plan.cwd, '/mnt/mesos/sandbox');
    assert.deepEqual(plan.env, { AGENT: 'a', TASK: 'task', SHARED: 'task', PATH: DEFAULT_PATH });
    assert.equal(buildLaunchPlan({ ...base, rootfs: undefined }, {}, [], '/mnt/mesos/sandbox').cwd, '/host/sandbox');
  });

  it('layers env agent < isolators (in order) < CommandInfo, and takes argv/cwd from the one isolator that sets them', () => {
    const plan = buildLaunchPlan(base, { SHARED: 'agent', MESOS_SANDBOX: '/host/sandbox' }, [
      { isolator: 'filesystem/linux', info: { env: { MESOS_SANDBOX: '/mnt/mesos/sandbox', IMG: 'fs' }, namespaces: ['mount', 'ipc'] } },
      { isolator: 'docker/runtime', info: { argv: ['/entry', 'x'], env: { IMG: 'image', PATH: '/img/bin' }, workingDirectory: '/work' } },
      { isolator: 'namespaces/pid', info: { namespaces: ['pid', 'mount'] } },
      { isolator: 'cgroups/cpu', info: { cgroupsPath: '/mesos/c1' } },
      { isolator: 'cgroups/mem', info: { cgroupsPath: '/mesos/c1' } },
    ], '/mnt/mesos/sandbox');
    assert.deepEqual(plan.argv, ['/entry', 'x']);
    assert.equal(plan.cwd, '/work');
    assert.deepEqual(plan.env, { SHARED: 'task', MESOS_SANDBOX: '/mnt/mesos/sandbox', IMG: 'image', PATH: '/img/bin', TASK: 'task' });
    assert.deepEqual(plan.namespaces, ['mount', 'ipc', 'pid']);
    assert.equal(plan.cgroupsPath, '/mesos/c1');
  });

  it('refuses two isolators deciding the same thing, naming both', () => {
    assert.throws(
      () => buildLaunchPlan(base, {}, [{ isolator: 'a', info: { argv: ['x'] } }, { isolator: 'b', info: { argv: ['y'] } }], '/s'),
      (err: Error) => err instanceof IsolationConfigError && /'a' and 'b' both set the argv/.test(err.message),
    );
    assert.throws(() => buildLaunchPlan(base, {}, [{ isolator: 'a', info: { cgroupsPath: '/x' } }, { isolator: 'b', info: { cgroupsPath: '/y' } }], '/s'), /disagree on the cgroup/);
  });
});

describe('OCI config', () => {
  const plan = {
    rootfs: '/r', argv: ['/bin/true'], env: ['A=1'], cwd: '/', user: { uid: 0, gid: 0 }, hostname: 'h',
    mounts: [{ destination: '/proc', type: 'proc', source: 'proc', options: [] }], namespaces: ['pid', 'mount', 'uts'] as const,
    cgroupsPath: '/mesos/c1',
  };

  it('joins the isolators\' cgroup and sets no resources of its own (the isolators own the cgroup)', () => {
    const config = buildOciConfig({ ...plan, namespaces: [...plan.namespaces] }) as { linux: Record<string, unknown>; hostname?: string; process: { args: string[] } };
    assert.equal(config.linux.cgroupsPath, '/mesos/c1');
    assert.equal(config.linux.resources, undefined);
    assert.deepEqual(config.linux.namespaces, [{ type: 'pid' }, { type: 'mount' }, { type: 'uts' }]);
    assert.equal(config.hostname, 'h');
    assert.deepEqual(config.process.args, ['/bin/true']);
    assert.ok(Array.isArray(config.linux.maskedPaths));
  });

  it('drops the hostname without a UTS namespace (runc refuses it)', () => {
    const config = buildOciConfig({ ...plan, namespaces: ['mount'] });
    assert.equal(config.hostname, undefined);
  });
});
