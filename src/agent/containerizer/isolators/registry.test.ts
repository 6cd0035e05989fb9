import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { silentLogger } from '../../../lib/logger.js';
import { detectLayout } from './cgroups/layout.js';
import { IsolationConfigError, UnknownIsolatorError } from './errors.js';
import { createIsolators, ISOLATOR_FACTORIES, type IsolatorName, parseIsolation } from './registry.js';

describe('--isolation parsing', () => {
  it('keeps the flag order, drops duplicates and blanks', () => {
    assert.deepEqual(parseIsolation(' cgroups/mem, cgroups/cpu,,cgroups/mem '), ['cgroups/mem', 'cgroups/cpu']);
  });

  it('expands the deprecated aliases', () => {
    assert.deepEqual(parseIsolation('process'), ['posix/cpu', 'posix/mem']);
    assert.deepEqual(parseIsolation('cgroups,namespaces/pid,filesystem/linux'), ['cgroups/cpu', 'cgroups/mem', 'namespaces/pid', 'filesystem/linux']);
  });

  it('names an unknown isolator and lists the supported ones', () => {
    const err = (() => {
      try {
        parseIsolation('cgroups/cpu,network/cni');
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    assert.ok(err instanceof UnknownIsolatorError);
    assert.equal(err.isolator, 'network/cni');
    assert.equal(err.code, 'ISOLATION_UNKNOWN_ISOLATOR');
    assert.match(err.message, /Unknown isolator 'network\/cni' in --isolation; supported: posix\/cpu, .*docker\/runtime, process, cgroups/);
  });

  it('refuses namespaces/pid without filesystem/linux, and posix + cgroups for one resource', () => {
    assert.throws(() => parseIsolation('namespaces/pid'), IsolationConfigError);
    assert.throws(() => parseIsolation('posix/mem,cgroups/mem'), /keep one/);
  });
});

describe('isolator factories', () => {
  // A fake v2-only layout: the cgroups factories must not need this machine's cgroups.
  const layout = detectLayout('cgroup2 /fake/cgroup cgroup2 rw 0 0', '/fake/cgroup', () => 'cpu memory pids');
  const options = {
    cgroupsHierarchy: '/fake/cgroup', cgroupsRoot: 'mesos', cgroupsEnableCfs: false, cgroupsLayout: layout,
    sandboxDirectory: '/mnt/mesos/sandbox', dockerIgnoreRuntime: false, oomPollIntervalMs: 250, log: silentLogger,
  };

  it('builds every isolator, and each one is named like its table key (and its file path)', () => {
    const names = Object.keys(ISOLATOR_FACTORIES) as IsolatorName[];
    const isolators = createIsolators(names, options);
    assert.deepEqual(isolators.map((i) => i.name), names);
  });
});
