import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';

import { CgroupsCpuIsolator, cpuControlFiles, cpuSettings, parseCpuUsage, sharesToWeight } from './cpu.js';
import { fakeCgroupV2 } from './fake-cgroupfs.test-support.js';

describe('cgroups/cpu settings (Mesos formulas)', () => {
  it('cpu.shares = 1024 × cpus, at least 2', () => {
    assert.equal(cpuSettings(1, false).shares, 1024);
    assert.equal(cpuSettings(0.5, false).shares, 512);
    assert.equal(cpuSettings(2.25, false).shares, 2304);
    assert.equal(cpuSettings(0.001, false).shares, 2);
    assert.equal(cpuSettings(undefined, false).shares, 2);
  });

  it('CFS quota = cpus × 100 ms period (at least 1 ms), only with --cgroups_enable_cfs', () => {
    assert.deepEqual(cpuSettings(0.5, true), { shares: 512, quotaUs: 50_000, periodUs: 100_000 });
    assert.equal(cpuSettings(0.001, true).quotaUs, 1000);
    assert.equal(cpuSettings(4, false).quotaUs, undefined);
  });

  it('v1 files; no CFS writes quota -1 (unlimited)', () => {
    assert.deepEqual(cpuControlFiles(cpuSettings(1, true), 'v1'), [['cpu.shares', '1024'], ['cpu.cfs_period_us', '100000'], ['cpu.cfs_quota_us', '100000']]);
    assert.deepEqual(cpuControlFiles(cpuSettings(1, false), 'v1')[2], ['cpu.cfs_quota_us', '-1']);
  });

  it('v2 files: cpu.weight from the shares, cpu.max quota or max', () => {
    assert.equal(sharesToWeight(2), 1);
    assert.equal(sharesToWeight(1024), 39);
    assert.equal(sharesToWeight(262144), 10000);
    assert.deepEqual(cpuControlFiles(cpuSettings(1.5, true), 'v2'), [['cpu.weight', '59'], ['cpu.max', '150000 100000']]);
    assert.deepEqual(cpuControlFiles(cpuSettings(1.5, false), 'v2')[1], ['cpu.max', 'max 100000']);
  });

  it('parses usage: v1 cpuacct.stat ticks and cpu.stat ns; v2 cpu.stat µs', () => {
    assert.deepEqual(parseCpuUsage('v1', 'nr_periods 32\nnr_throttled 23\nthrottled_time 950000000\n', 'user 150\nsystem 25\n'), {
      cpusUserTimeSecs: 1.5, cpusSystemTimeSecs: 0.25, cpusNrPeriods: 32, cpusNrThrottled: 23, cpusThrottledTimeSecs: 0.95,
    });
    const v2 = 'usage_usec 2000000\nuser_usec 1500000\nsystem_usec 500000\nnr_periods 10\nnr_throttled 4\nthrottled_usec 250000\n';
    assert.deepEqual(parseCpuUsage('v2', v2, undefined), {
      cpusUserTimeSecs: 1.5, cpusSystemTimeSecs: 0.5, cpusNrPeriods: 10, cpusNrThrottled: 4, cpusThrottledTimeSecs: 0.25,
    });
  });
});

describe('cgroups/cpu on a fake cgroup v2 tree', () => {
  const fs = fakeCgroupV2();
  after(() => fs.remove());
  const isolator = new CgroupsCpuIsolator({ layout: fs.layout, root: 'mesos', enableCfs: true });
  const config = { containerId: 'c1', parentIds: [], rootfs: undefined, sandboxDir: '/s', command: {}, image: undefined, resources: { cpus: 2 } };

  it('prepare enables the cpu controller down the tree, creates <root>/<id> and writes weight and max', async () => {
    assert.deepEqual(await isolator.prepare(config), { cgroupsPath: '/mesos/c1' });
    assert.equal(fs.read('cgroup.subtree_control'), '+cpu');
    assert.equal(fs.read('mesos/cgroup.subtree_control'), '+cpu');
    assert.equal(fs.read('mesos/c1/cpu.weight'), String(sharesToWeight(2048)));
    assert.equal(fs.read('mesos/c1/cpu.max'), '200000 100000');
  });

  it('nested containers go to <root>/<parent>/mesos/<child>', async () => {
    const nested = await isolator.prepare({ ...config, containerId: 'c2', parentIds: ['c1'] });
    assert.deepEqual(nested, { cgroupsPath: '/mesos/c1/mesos/c2' });
    assert.equal(fs.read('mesos/c1/mesos/c2/cpu.max'), '200000 100000');
  });

  it('update rewrites the limits; usage reads cpu.stat and counts procs/threads', async () => {
    await isolator.update('c1', { cpus: 0.5 });
    assert.equal(fs.read('mesos/c1/cpu.max'), '50000 100000');
    fs.write('mesos/c1/cpu.stat', 'usage_usec 3000000\nuser_usec 2000000\nsystem_usec 1000000\nnr_periods 5\nnr_throttled 2\nthrottled_usec 10\n');
    fs.write('mesos/c1/cgroup.procs', '10\n11\n');
    fs.write('mesos/c1/cgroup.threads', '10\n11\n12\n');
    const usage = await isolator.usage('c1');
    assert.equal(usage.cpusUserTimeSecs, 2);
    assert.equal(usage.cpusSystemTimeSecs, 1);
    assert.equal(usage.cpusLimit, 0.5);
    assert.equal(usage.processes, 2);
    assert.equal(usage.threads, 3);
  });
});
