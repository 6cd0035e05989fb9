import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import { parseNetworkConfig } from './cni-config.js';
import { addNetwork, type Attachment, checkNetwork, delNetwork, pluginStdinConfig } from './cni-network.js';
import { CniPluginError, CniResultError, CniTimeoutError } from './errors.js';

/**
 * A fake plugin (a node script) that logs each call and behaves as its config
 * says: ok (ADD: a result, or prevResult plus its own marker), fail (a CNI
 * error), crash (plain stderr), hang, garbage.
 */
const FAKE_PLUGIN = `#!${process.execPath}
const fs = require('node:fs');
let input = '';
process.stdin.on('data', (d) => (input += d)).on('end', () => {
  const config = JSON.parse(input);
  const e = process.env;
  fs.appendFileSync(config.log, JSON.stringify({ type: config.type, command: e.CNI_COMMAND, containerId: e.CNI_CONTAINERID, netns: e.CNI_NETNS, ifName: e.CNI_IFNAME, path: e.CNI_PATH, args: e.CNI_ARGS, config }) + '\\n');
  const behavior = (config.behavior || {})[e.CNI_COMMAND] || 'ok';
  if (behavior === 'fail') { process.stdout.write(JSON.stringify({ cniVersion: config.cniVersion, code: 7, msg: 'bad subnet', details: 'subnet overlaps' })); process.exit(1); }
  if (behavior === 'crash') { process.stderr.write('panic: boom'); process.exit(2); }
  if (behavior === 'hang') { setInterval(() => {}, 1000); return; }
  if (behavior === 'garbage') { process.stdout.write('hello'); return; }
  if (e.CNI_COMMAND !== 'ADD') return;
  const result = config.prevResult ? { ...config.prevResult, marks: [...(config.prevResult.marks || []), config.type] } : {
    cniVersion: config.cniVersion, interfaces: [{ name: e.CNI_IFNAME, sandbox: e.CNI_NETNS }], ips: [{ address: '10.0.0.7/24', interface: 0 }], marks: [config.type] };
  process.stdout.write(JSON.stringify(result));
});
`;

const dir = mkdtempSync(join(tmpdir(), 'mesoscale-cni-plugin-'));
after(() => rmSync(dir, { recursive: true, force: true }));
for (const name of ['fake-a', 'fake-b']) {
  writeFileSync(join(dir, name), FAKE_PLUGIN);
  chmodSync(join(dir, name), 0o755);
}
let logCount = 0;

function setup(plugins: object[], cniVersion = '1.0.0'): { attachment: Attachment; calls: () => Record<string, any>[] } {
  const log = join(dir, `calls-${logCount++}.jsonl`);
  writeFileSync(log, '');
  const network = parseNetworkConfig(JSON.stringify({ cniVersion, name: 'fakenet', plugins: plugins.map((p) => ({ ...p, log })) }), 'fake.conflist');
  const attachment: Attachment = {
    containerId: 'c-1',
    ifName: 'eth0',
    network,
    runtimeConfig: { portMappings: [{ hostPort: 31000, containerPort: 80, protocol: 'tcp' }] },
    args: { 'org.apache.mesos': { network_info: { name: 'fakenet' } } },
  };
  const calls = () =>
    readFileSync(log, 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Record<string, any>);
  return { attachment, calls };
}

const runner = { pluginDirs: [dir], timeoutMs: 5000 };

describe('CNI plugin invocation (fake plugins)', () => {
  it('ADD runs the list in order with the CNI env, chained prevResult and capability-filtered runtimeConfig', async () => {
    const { attachment, calls } = setup([{ type: 'fake-a' }, { type: 'fake-b', capabilities: { portMappings: true } }]);
    const result = await addNetwork(runner, attachment, '/run/x/ns');
    assert.deepEqual(result.raw.marks, ['fake-a', 'fake-b']);
    const [a, b] = calls();
    assert.deepEqual([a!.type, a!.command, a!.containerId, a!.netns, a!.ifName, a!.path, a!.args], ['fake-a', 'ADD', 'c-1', '/run/x/ns', 'eth0', dir, undefined]);
    assert.equal(a!.config.name, 'fakenet');
    assert.equal(a!.config.cniVersion, '1.0.0');
    assert.equal(a!.config.runtimeConfig, undefined, 'fake-a did not ask for portMappings');
    assert.equal(a!.config.prevResult, undefined);
    assert.deepEqual(b!.config.runtimeConfig, { portMappings: [{ hostPort: 31000, containerPort: 80, protocol: 'tcp' }] });
    assert.deepEqual(b!.config.prevResult.marks, ['fake-a']);
    assert.deepEqual(b!.config.args, { 'org.apache.mesos': { network_info: { name: 'fakenet' } } });
  });

  it('DEL runs in reverse with the ADD result, keeps going after a failure, then throws it', async () => {
    const { attachment, calls } = setup([{ type: 'fake-a' }, { type: 'fake-b', behavior: { DEL: 'fail' } }]);
    const prev = { cniVersion: '1.0.0', ips: [], marks: ['x'] };
    await assert.rejects(delNetwork(runner, attachment, '', prev), (e: unknown) => {
      assert.ok(e instanceof CniPluginError);
      assert.equal(e.cniCode, 7);
      assert.match(e.message, /'fake-b' failed DEL for container c-1 on network 'fakenet': code 7 \(the network config is invalid\) bad subnet; subnet overlaps/);
      return true;
    });
    assert.deepEqual(calls().map((c) => [c.type, c.command, c.netns, c.config.prevResult.marks[0]]), [['fake-b', 'DEL', '', 'x'], ['fake-a', 'DEL', '', 'x']]);
  });

  it('DEL of a pre-0.4.0 list gets no prevResult; CHECK is skipped for it', async () => {
    const { attachment, calls } = setup([{ type: 'fake-a' }], '0.3.1');
    await delNetwork(runner, attachment, '/ns', { cniVersion: '0.3.1' });
    await checkNetwork(runner, attachment, '/ns', { cniVersion: '0.3.1' });
    assert.deepEqual(calls().map((c) => [c.command, c.config.prevResult]), [['DEL', undefined]]);
  });

  it('reports a crash by its stderr, garbage as an invalid result, a hang as a timeout', async () => {
    const crash = setup([{ type: 'fake-a', behavior: { ADD: 'crash' } }]);
    await assert.rejects(addNetwork(runner, crash.attachment, '/ns'), /exit status 2: panic: boom/);
    const garbage = setup([{ type: 'fake-a', behavior: { ADD: 'garbage' } }]);
    await assert.rejects(addNetwork(runner, garbage.attachment, '/ns'), (e: unknown) => e instanceof CniResultError && /stdout is not JSON: hello/.test(e.message));
    const hang = setup([{ type: 'fake-a', behavior: { CHECK: 'hang' } }]);
    const started = Date.now();
    await assert.rejects(checkNetwork({ ...runner, timeoutMs: 300 }, hang.attachment, '/ns', {}), CniTimeoutError);
    assert.ok(Date.now() - started < 3000, 'the hung plugin was killed at the bound');
  });

  it('builds stdin without runtimeConfig when nothing matches and keeps plugin args', () => {
    const network = parseNetworkConfig('{"cniVersion":"1.0.0","name":"n","type":"x","args":{"cni":{"ips":["10.0.0.9"]}},"runtimeConfig":{"stale":1}}', 'n.conf');
    const config = pluginStdinConfig(network, network.plugins[0]!, { runtimeConfig: {}, args: { mesos: 1 } }, undefined);
    assert.deepEqual(config, { type: 'x', name: 'n', cniVersion: '1.0.0', args: { cni: { ips: ['10.0.0.9'] }, mesos: 1 } });
  });
});
