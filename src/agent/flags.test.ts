import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { FlagError } from '../lib/flags/index.js';
import { loadAgentFlags, parseIsolation, parseMasterAddress } from './flags.js';
import { agentTotalResources, detectedDiskMb, detectedMemMb, legacyResourcesJson } from './resources.js';

const GB = 1024 ** 3;
const base = ['--master=127.0.0.1:5050', '--work_dir=/tmp/w'];

describe('agent flags', () => {
  it('reads every flag from MESOS_* variables alone', () => {
    const { flags } = loadAgentFlags([], { MESOS_MASTER: '10.0.0.1:5050', MESOS_WORK_DIR: '/var/lib/mesos', MESOS_PORT: '5052', MESOS_ATTRIBUTES: 'rack:r1;level:3', MESOS_WORKDIR: 'ignored (not a flag)' });
    assert.equal(flags.master.url, 'http://10.0.0.1:5050');
    assert.equal(flags.work_dir, '/var/lib/mesos');
    assert.equal(flags.port, 5052);
    assert.equal(flags.attributes?.length, 2);
    assert.equal(flags.executor_registration_timeout, 60_000);
  });

  it('names the flag in errors for bad values', () => {
    const cases: [string[], Record<string, string>, RegExp][] = [
      [[...base, '--resources=cpus:abc'], {}, /flag 'resources'.*'abc' is not a number/],
      [base, { MESOS_RESOURCES: 'cpus:[1-2' }, /flag 'resources' from environment variable MESOS_RESOURCES/],
      [[...base, '--attributes=rack'], {}, /flag 'attributes'/],
      [[...base, '--executor_environment_variables=[1]'], {}, /flag 'executor_environment_variables'/],
      [[...base, '--isolation=cgroups/cpux'], {}, /Unknown isolator 'cgroups\/cpux'/],
      [[...base, '--isolation=posix/rlimits'], {}, /Unknown isolator 'posix\/rlimits'/],
      [[...base, '--image_providers=docker'], {}, /--image_providers=docker needs 'docker\/runtime' and 'filesystem\/linux' in --isolation/],
      [[...base, '--image_providers=appc', '--isolation=filesystem/linux,docker/runtime'], {}, /'appc' image provider is not supported/],
      [[...base, '--launcher=posix', '--isolation=filesystem/linux,namespaces/pid'], {}, /--launcher=posix cannot apply filesystem\/linux, namespaces\/pid/],
      [[...base, '--recover=maybe'], {}, /flag 'recover'/],
      [[...base, '--executor_registration_timeout=1min'], {}, /flag 'executor_registration_timeout'/],
      [['--work_dir=/tmp/w'], {}, /'master' is required/],
      [[...base, '--default_role=-x'], {}, /flag 'default_role'/],
    ];
    for (const [argv, env, pattern] of cases) {
      assert.throws(() => loadAgentFlags(argv, env), (err: Error) => err instanceof FlagError && pattern.test(err.message), `${argv.join(' ')} ${JSON.stringify(env)}`);
    }
  });

  it('parses master addresses and refuses ZooKeeper for now', () => {
    assert.equal(parseMasterAddress('master@10.0.0.1:5050').url, 'http://10.0.0.1:5050');
    assert.equal(parseMasterAddress('http://m1:5050/').url, 'http://m1:5050');
    assert.throws(() => parseMasterAddress('zk://zk1:2181/mesos'), /not supported yet/);
    assert.throws(() => parseMasterAddress('m1'), /host:port/);
  });

  it('expands isolator aliases', () => {
    assert.deepEqual(parseIsolation('process'), ['posix/cpu', 'posix/mem']);
    assert.deepEqual(parseIsolation('filesystem/posix,cgroups'), ['cgroups/cpu', 'cgroups/mem']);
    const { flags } = loadAgentFlags([...base, '--isolation=filesystem/linux,docker/runtime,cgroups/cpu,cgroups/mem,namespaces/pid', '--image_providers=DOCKER', '--docker_registry=http://127.0.0.1:5000', '--cgroups_enable_cfs'], {});
    assert.deepEqual(flags.image_providers, ['docker']);
    assert.equal(flags.cgroups_enable_cfs, true);
    assert.equal(flags.docker_store_dir, '/tmp/mesos/store/docker');
    assert.equal(flags.sandbox_directory, '/mnt/mesos/sandbox');
  });
});

describe('agent resources', () => {
  const facts = { cpus: 8, memBytes: 16 * GB, diskBytes: 100 * GB };

  it('detects what --resources does not name, by Mesos rules', () => {
    const total = agentTotalResources(undefined, '*', facts);
    assert.deepEqual(legacyResourcesJson(total), { cpus: 8, mem: 15 * 1024, disk: 95 * 1024, gpus: 0, ports: '[31000-32000]' });
    assert.equal(detectedMemMb(1.5 * GB), 768);
    assert.equal(detectedDiskMb(8 * GB), 4096);
    assert.equal(detectedMemMb(undefined), 1024);
  });

  it('keeps named resources (cpus:0 disables detection) and applies --default_role', () => {
    const total = agentTotalResources('cpus:0;mem:512', 'ops', facts);
    const json = legacyResourcesJson(total);
    assert.equal(json.cpus, 0);
    assert.equal(json.mem, 512);
    assert.ok(total.toArray().every((r) => r.role === 'ops'));
  });
});
