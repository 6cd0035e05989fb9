import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import { checkPluginsInstalled, findNetworkConfig, findPlugin, loadNetworkConfigs, parseNetworkConfig, parsePluginDirs } from './cni-config.js';
import { CniConfigError, CniPluginNotFoundError, UnknownNetworkError } from './errors.js';

const dir = mkdtempSync(join(tmpdir(), 'mesoscale-cni-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('CNI network configs', () => {
  it('turns a single-plugin .conf into a one-plugin list without name/cniVersion in the plugin', () => {
    const list = parseNetworkConfig('{"cniVersion":"1.0.0","name":"net1","type":"bridge","bridge":"br9"}', '/x/10-net1.conf');
    assert.deepEqual(list, { name: 'net1', cniVersion: '1.0.0', disableCheck: false, plugins: [{ type: 'bridge', bridge: 'br9' }], file: '/x/10-net1.conf' });
  });

  it('reads a .conflist with disableCheck and capabilities', () => {
    const list = parseNetworkConfig(
      JSON.stringify({ cniVersion: '0.4.0', name: 'pods', disableCheck: true, plugins: [{ type: 'bridge' }, { type: 'portmap', capabilities: { portMappings: true } }] }),
      '/x/pods.conflist',
    );
    assert.equal(list.plugins.length, 2);
    assert.equal(list.disableCheck, true);
    assert.deepEqual(list.plugins[1]!.capabilities, { portMappings: true });
  });

  it('rejects bad files with the file and what to fix', () => {
    assert.throws(() => parseNetworkConfig('{', '/x/a.conf'), (e: unknown) => e instanceof CniConfigError && /a\.conf.*not valid JSON/.test(e.message));
    assert.throws(() => parseNetworkConfig('{"cniVersion":"1.0.0","type":"bridge"}', '/x/a.conf'), /needs "name"/);
    assert.throws(() => parseNetworkConfig('{"name":"n","type":"bridge"}', '/x/a.conf'), /needs "cniVersion"/);
    assert.throws(() => parseNetworkConfig('{"name":"n","cniVersion":"1.0.0","plugins":[]}', '/x/a.conflist'), /non-empty "plugins"/);
    assert.throws(() => parseNetworkConfig('{"name":"n","cniVersion":"1.0.0","type":"../../bin/sh"}', '/x/a.conf'), /needs "type"/);
  });

  it('loads a directory by network name, ignores other extensions, refuses duplicates', () => {
    const configs = join(dir, 'configs');
    mkdirSync(configs);
    writeFileSync(join(configs, '10-a.conf'), '{"cniVersion":"1.0.0","name":"alpha","type":"bridge"}');
    writeFileSync(join(configs, '20-b.conflist'), '{"cniVersion":"1.0.0","name":"beta","plugins":[{"type":"bridge"}]}');
    writeFileSync(join(configs, 'README.md'), 'not a config');
    assert.deepEqual([...loadNetworkConfigs(configs).keys()], ['alpha', 'beta']);
    assert.equal(findNetworkConfig(configs, 'beta').file, join(configs, '20-b.conflist'));
    assert.throws(() => findNetworkConfig(configs, 'gamma'), (e: unknown) => e instanceof UnknownNetworkError && /known: alpha, beta/.test(e.message));
    writeFileSync(join(configs, '30-a-again.json'), '{"cniVersion":"1.0.0","name":"alpha","type":"bridge"}');
    assert.throws(() => loadNetworkConfigs(configs), /also defined in .*10-a\.conf/);
  });

  it('finds plugins across ":"-separated dirs, IPAM delegates included', () => {
    const first = join(dir, 'plugins1');
    const second = join(dir, 'plugins2');
    mkdirSync(first);
    mkdirSync(second);
    writeFileSync(join(second, 'bridge'), '#!/bin/sh\n');
    chmodSync(join(second, 'bridge'), 0o755);
    const dirs = parsePluginDirs(`${first}::${second}`);
    assert.deepEqual(dirs, [first, second]);
    assert.equal(findPlugin(dirs, 'bridge', 'n'), join(second, 'bridge'));
    const list = parseNetworkConfig('{"cniVersion":"1.0.0","name":"n","type":"bridge","ipam":{"type":"host-local"}}', 'n.conf');
    assert.throws(() => checkPluginsInstalled(list, dirs), (e: unknown) => e instanceof CniPluginNotFoundError && /'host-local'.*containernetworking-plugins/.test(e.message));
  });
});
