import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { CgroupError } from '../errors.js';
import { containerCgroup, detectLayout, locateController } from './layout.js';

// This machine's mount table (hybrid: v1 everywhere, a v2 mount offering only hugetlb).
const HYBRID = `tmpfs /sys/fs/cgroup tmpfs rw,relatime,mode=755 0 0
cgroup /sys/fs/cgroup/cpu cgroup rw,relatime,cpu 0 0
cgroup /sys/fs/cgroup/cpuacct cgroup rw,relatime,cpuacct 0 0
cgroup /sys/fs/cgroup/memory cgroup rw,relatime,memory 0 0
cgroup /sys/fs/cgroup/systemd cgroup rw,relatime,name=systemd 0 0
cgroup2 /sys/fs/cgroup/unified cgroup2 rw,relatime 0 0
proc /proc proc rw 0 0`;
const V1_COMOUNTED = `cgroup /sys/fs/cgroup/cpu,cpuacct cgroup rw,nosuid,cpu,cpuacct 0 0
cgroup /sys/fs/cgroup/memory cgroup rw,memory 0 0`;
const V2 = 'cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid,nodev,noexec,relatime,nsdelegate 0 0';

describe('cgroup layout detection', () => {
  it('recognises hybrid: v1 controllers from v1, hugetlb from v2', () => {
    const layout = detectLayout(HYBRID, '/sys/fs/cgroup', () => 'hugetlb\n');
    assert.equal(layout.kind, 'hybrid');
    assert.deepEqual(locateController(layout, 'memory'), { version: 'v1', mountPoint: '/sys/fs/cgroup/memory' });
    assert.deepEqual(locateController(layout, 'hugetlb'), { version: 'v2', mountPoint: '/sys/fs/cgroup/unified' });
    // name=systemd is not a controller.
    assert.equal(layout.v1.has('name=systemd'), false);
  });

  it('recognises v1 with co-mounted controllers', () => {
    const layout = detectLayout(V1_COMOUNTED, '/sys/fs/cgroup', () => '');
    assert.equal(layout.kind, 'v1');
    assert.equal(locateController(layout, 'cpuacct').mountPoint, '/sys/fs/cgroup/cpu,cpuacct');
    assert.equal(locateController(layout, 'cpu').mountPoint, '/sys/fs/cgroup/cpu,cpuacct');
  });

  it('recognises v2 and what its root offers', () => {
    const layout = detectLayout(V2, '/sys/fs/cgroup', () => 'cpuset cpu io memory hugetlb pids rdma misc\n');
    assert.equal(layout.kind, 'v2');
    assert.deepEqual(locateController(layout, 'cpu'), { version: 'v2', mountPoint: '/sys/fs/cgroup' });
    assert.throws(() => locateController(layout, 'freezer'), /'freezer' controller .*\(layout: v2\)/);
  });

  it('only looks under --cgroups_hierarchy, and says what to do when nothing is there', () => {
    assert.throws(() => detectLayout(HYBRID, '/elsewhere', () => ''), CgroupError);
    assert.throws(() => detectLayout('proc /proc proc rw 0 0', '/sys/fs/cgroup', () => ''), /--cgroups_hierarchy, or use --isolation=posix/);
  });
});

describe('container cgroup names (Mesos)', () => {
  it('top level: <root>/<id>', () => {
    assert.equal(containerCgroup('mesos', [], 'c1'), 'mesos/c1');
    assert.equal(containerCgroup('/custom/root/', [], 'c1'), 'custom/root/c1');
  });
  it('nested: <root>/<parent>/mesos/<child>, recursively', () => {
    assert.equal(containerCgroup('mesos', ['p'], 'c'), 'mesos/p/mesos/c');
    assert.equal(containerCgroup('agent1', ['a', 'b'], 'c'), 'agent1/a/mesos/b/mesos/c');
  });
});
