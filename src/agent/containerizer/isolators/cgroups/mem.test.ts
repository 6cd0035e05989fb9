import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';

import { TaskStatus_Reason } from '../../../../protocol/gen/mesos/v1/mesos_pb.js';
import { fakeCgroupV2 } from './fake-cgroupfs.test-support.js';
import { CgroupsMemIsolator, memoryControlFiles, memoryLimitationMessage, memoryLimitBytes, parseMemoryUsage, parseOomKills } from './mem.js';

const MiB = 1024 * 1024;

describe('cgroups/mem settings and parsing', () => {
  it('limit = mem MB in bytes, at least 32 MB', () => {
    assert.equal(memoryLimitBytes(64), 64 * MiB);
    assert.equal(memoryLimitBytes(10), 32 * MiB);
    assert.equal(memoryLimitBytes(undefined), 32 * MiB);
    assert.equal(memoryLimitBytes(100.5), Math.floor(100.5 * MiB));
  });

  it('v1 writes the soft and hard limit; v2 memory.low and memory.max', () => {
    assert.deepEqual(memoryControlFiles(64 * MiB, 'v1'), [['memory.soft_limit_in_bytes', '67108864'], ['memory.limit_in_bytes', '67108864']]);
    assert.deepEqual(memoryControlFiles(64 * MiB, 'v2'), [['memory.low', '67108864'], ['memory.max', '67108864']]);
  });

  it('reads oom_kill from memory.oom_control (v1) and memory.events (v2)', () => {
    assert.equal(parseOomKills('oom_kill_disable 0\nunder_oom 0\noom_kill 1\n'), 1);
    assert.equal(parseOomKills('low 0\nhigh 0\nmax 12\noom 1\noom_kill 2\noom_group_kill 0\n'), 2);
    assert.equal(parseOomKills('oom_kill_disable 0\nunder_oom 0\n'), 0);
  });

  it('words the limitation as Mesos does', () => {
    assert.equal(
      memoryLimitationMessage(BigInt(32 * MiB), BigInt(32 * MiB), 'cache 0\nrss 33554432\n'),
      'Memory limit exceeded: Requested: 32MB Maximum Used: 32MB\n\nMEMORY STATISTICS: \ncache 0\nrss 33554432\n',
    );
    assert.match(memoryLimitationMessage(BigInt(32 * MiB), 33550336n, ''), /Maximum Used: 32764KB/);
  });

  it('maps memory.stat to ResourceStatistics fields (v1 prefers total_*)', () => {
    const v1 = parseMemoryUsage('v1', { usage: '4096000\n', stat: 'rss 1\ncache 2\ntotal_rss 100\ntotal_cache 200\ntotal_mapped_file 30\n', limit: '9223372036854771712\n', soft: '67108864\n' });
    assert.equal(v1.memTotalBytes, 4096000n);
    assert.equal(v1.memRssBytes, 100n);
    assert.equal(v1.memCacheBytes, 200n);
    assert.equal(v1.memMappedFileBytes, 30n);
    assert.equal(v1.memSoftLimitBytes, 67108864n);
    const v2 = parseMemoryUsage('v2', { usage: '5000\n', stat: 'anon 300\nfile 400\nfile_mapped 50\n', limit: 'max\n', soft: '0\n', swap: '7\n' });
    assert.equal(v2.memLimitBytes, undefined);
    assert.equal(v2.memRssBytes, 300n);
    assert.equal(v2.memFileBytes, 400n);
    assert.equal(v2.memSwapBytes, 7n);
  });
});

describe('cgroups/mem on a fake cgroup v2 tree', () => {
  const fs = fakeCgroupV2();
  after(() => fs.remove());
  const isolator = new CgroupsMemIsolator({ layout: fs.layout, root: 'mesos', oomPollIntervalMs: 10 });
  const config = { containerId: 'c1', parentIds: [], rootfs: undefined, sandboxDir: '/s', command: {}, image: undefined, resources: { memMb: 64 } };

  it('prepare writes memory.low/max under <root>/<id> with the memory controller enabled', async () => {
    assert.deepEqual(await isolator.prepare(config), { cgroupsPath: '/mesos/c1' });
    assert.equal(fs.read('cgroup.subtree_control'), '+memory');
    assert.equal(fs.read('mesos/c1/memory.max'), String(64 * MiB));
    assert.equal(fs.read('mesos/c1/memory.low'), String(64 * MiB));
  });

  it('update only raises the hard limit, never lowers it', async () => {
    await isolator.update('c1', { memMb: 32 });
    assert.equal(fs.read('mesos/c1/memory.max'), String(64 * MiB));
    assert.equal(fs.read('mesos/c1/memory.low'), String(32 * MiB));
    await isolator.update('c1', { memMb: 128 });
    assert.equal(fs.read('mesos/c1/memory.max'), String(128 * MiB));
  });

  it('watch() resolves with the memory limitation once memory.events counts an oom_kill', async () => {
    fs.write('mesos/c1/memory.events', 'low 0\nhigh 0\nmax 3\noom 0\noom_kill 0\n');
    const watching = isolator.watch('c1');
    assert.equal(await isolator.limitation('c1'), undefined);
    fs.write('mesos/c1/memory.peak', String(128 * MiB));
    fs.write('mesos/c1/memory.stat', 'anon 134217728\nfile 0\n');
    fs.write('mesos/c1/memory.events', 'low 0\nhigh 0\nmax 9\noom 1\noom_kill 1\n');
    const limitation = await watching;
    assert.equal(limitation.reason, TaskStatus_Reason.CONTAINER_LIMITATION_MEMORY);
    assert.equal(limitation.message, 'Memory limit exceeded: Requested: 128MB Maximum Used: 128MB\n\nMEMORY STATISTICS: \nanon 134217728\nfile 0\n');
    assert.deepEqual(await isolator.limitation('c1'), limitation);
  });
});
