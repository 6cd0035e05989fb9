/**
 * Agent restart: containers launched by one process are recovered by the
 * next; the known one is adopted (wait/usage/destroy work), the unknown one is
 * destroyed as an orphan, and nothing is left behind.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';

import { silentLogger } from '../../src/lib/logger.js';
import { createContainerRuntime } from '../../src/agent/containerizer/runtime/container-runtime.js';
import { buildBusyboxRootfs, leftoverCgroups, mountsUnder, removeCgroupRoot, skipReason, tempDir, testCgroupRoot } from './fixtures.js';

const HELPER = fileURLToPath(new URL('./launch-and-exit.js', import.meta.url));

describe('runtime recovery after an agent restart', { skip: skipReason(), timeout: 120_000 }, () => {
  let dir: string;
  const cgroupsRoot = testCgroupRoot('recover');
  const pids = new Map<string, number>();

  before(() => {
    dir = tempDir('recover');
    const rootfs = buildBusyboxRootfs(dir);
    const out = execFileSync(process.execPath, [HELPER, join(dir, 'run'), cgroupsRoot, rootfs, join(dir, 'sandboxes'), 'keep', 'drop'], { encoding: 'utf8' });
    for (const line of out.trim().split('\n')) {
      const [id, pid] = line.split(' ');
      pids.set(id!, Number(pid));
    }
  });

  after(() => {
    for (const pid of pids.values()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone, as expected
      }
    }
    removeCgroupRoot(cgroupsRoot);
    rmSync(dir, { recursive: true, force: true });
  });

  it('adopts known containers, destroys orphans, and can then destroy the adopted one cleanly', async () => {
    assert.ok(existsSync(`/proc/${pids.get('keep')}`) && existsSync(`/proc/${pids.get('drop')}`), 'both containers outlived their launcher');
    const runtime = createContainerRuntime({
      runtimeDir: join(dir, 'run'),
      isolation: 'cgroups/cpu,cgroups/mem,namespaces/pid,filesystem/linux',
      cgroupsRoot,
      log: silentLogger,
    });
    const summary = await runtime.recover(['keep', 'lost']);
    assert.deepEqual(summary, { recovered: ['keep'], orphans: ['drop'], missing: ['lost'] });
    assert.equal(existsSync(`/proc/${pids.get('drop')}`), false, 'orphan killed');
    assert.equal(runtime.state('keep'), 'RUNNING');
    const usage = await runtime.usage('keep');
    assert.equal(usage.memLimitBytes, 32n * 1024n * 1024n);
    assert.ok(usage.processes >= 1);
    const termination = await runtime.destroy('keep');
    assert.equal(termination?.status?.signal, 'SIGKILL');
    assert.equal(existsSync(`/proc/${pids.get('keep')}`), false);
    assert.deepEqual(leftoverCgroups(cgroupsRoot), []);
    assert.deepEqual(mountsUnder(dir), []);
  });
});
