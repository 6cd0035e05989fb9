/**
 * Containers on the host filesystem (no image): the unprivileged fallback
 * (posix/cpu, posix/mem: plain processes) and cgroups without a rootfs, where
 * the gated launch places the process in its cgroups before it runs.
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { silentLogger } from '../../src/lib/logger.js';
import { createContainerRuntime } from '../../src/agent/containerizer/runtime/container-runtime.js';
import { leftoverCgroups, makeSandbox, removeCgroupRoot, skipReason, tempDir, testCgroupRoot } from './fixtures.js';
import { waitFor } from '../support/wait.js';

describe('host-filesystem containers', { timeout: 60_000 }, () => {
  let dir: string;
  before(() => (dir = tempDir('host')));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('posix isolation: plain processes with the merged env, usage from the process tree, destroy kills them', async () => {
    const runtime = createContainerRuntime({ runtimeDir: join(dir, 'run-posix'), isolation: 'posix/cpu,posix/mem', log: silentLogger });
    const sandbox = makeSandbox(dir, 'posix');
    await runtime.launch({
      containerId: 'posix', command: { value: 'echo "$AGENT $TASK $(pwd)"; while :; do :; done', environment: { TASK: 't' } },
      env: { AGENT: 'a' }, resources: { cpus: 1, memMb: 32 }, sandboxDir: sandbox.dir, stdoutPath: sandbox.stdout, stderrPath: sandbox.stderr,
    });
    await waitFor('output', () => (sandbox.read('stdout') !== '' ? true : undefined));
    assert.equal(sandbox.read('stdout'), `a t ${sandbox.dir}\n`);
    await new Promise((r) => setTimeout(r, 500));
    const usage = await runtime.usage('posix');
    assert.ok(usage.cpusUserTimeSecs + usage.cpusSystemTimeSecs > 0.2, `cpu ${usage.cpusUserTimeSecs}`);
    assert.ok(usage.memRssBytes > 0n);
    const termination = await runtime.destroy('posix');
    assert.equal(termination?.status?.signal ?? 'SIGKILL', 'SIGKILL');
  });

  it('cgroups without a rootfs: placed in the cgroup before the payload runs; FETCHING runs before it too', { skip: skipReason() }, async () => {
    const cgroupsRoot = testCgroupRoot('host');
    const runtime = createContainerRuntime({ runtimeDir: join(dir, 'run-cg'), isolation: 'cgroups/cpu,cgroups/mem', cgroupsRoot, log: silentLogger });
    const sandbox = makeSandbox(dir, 'cg');
    try {
      const states: string[] = [];
      await runtime.launch({
        containerId: 'cg', command: { value: 'cat fetched; cat /proc/self/cgroup' }, env: {}, resources: { cpus: 0.25, memMb: 48 },
        sandboxDir: sandbox.dir, stdoutPath: sandbox.stdout, stderrPath: sandbox.stderr,
        beforeStart: async () => {
          states.push(runtime.state('cg')!);
          writeFileSync(join(sandbox.dir, 'fetched'), 'uri\n');
        },
      });
      const termination = await runtime.wait('cg');
      assert.deepEqual(states, ['FETCHING']);
      assert.equal(termination.status?.code, 0, sandbox.read('stderr'));
      const out = readFileSync(sandbox.stdout, 'utf8');
      assert.match(out, /^uri\n/);
      assert.match(out, new RegExp(`memory:/${cgroupsRoot}/cg\\n`));
      assert.match(out, new RegExp(`cpu:/${cgroupsRoot}/cg\\n`));
      assert.deepEqual(leftoverCgroups(cgroupsRoot), []);
    } finally {
      removeCgroupRoot(cgroupsRoot);
    }
  });
});
