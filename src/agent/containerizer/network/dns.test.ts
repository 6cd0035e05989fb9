import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { renderHosts, renderResolvConf } from './container-files.js';
import { chooseDns, defaultDnsFor, parseDefaultContainerDns } from './dns.js';
import { CniConfigError } from './errors.js';

const FLAG = JSON.stringify({
  mesos: [
    { network_mode: 'CNI', network_name: 'net1', dns: { nameservers: ['8.8.8.8', '8.8.4.4'], search: ['example.com'] } },
    { network_mode: 'CNI', dns: { nameservers: ['1.1.1.1'], options: ['ndots:2'] } },
    { network_mode: 'HOST', dns: { nameservers: ['9.9.9.9'] } },
  ],
  docker: [{ network_mode: 'BRIDGE', dns: { nameservers: ['8.8.8.8'] } }],
});

describe('--default_container_dns and the container files', () => {
  it('parses the Mesos example format and picks the named entry, else the catch-all CNI entry', () => {
    const flag = parseDefaultContainerDns(FLAG);
    assert.deepEqual(defaultDnsFor(flag, 'net1'), { nameservers: ['8.8.8.8', '8.8.4.4'], search: ['example.com'] });
    assert.deepEqual(defaultDnsFor(flag, 'other'), { nameservers: ['1.1.1.1'], options: ['ndots:2'] });
    assert.equal(parseDefaultContainerDns(undefined), undefined);
  });

  it('ranks plugin DNS over the flag over the host file (undefined)', () => {
    const flag = parseDefaultContainerDns(FLAG);
    assert.deepEqual(chooseDns([{ name: 'net1', pluginDns: {} }, { name: 'net2', pluginDns: { nameservers: ['10.0.0.53'] } }], flag), { nameservers: ['10.0.0.53'] });
    assert.deepEqual(chooseDns([{ name: 'net1', pluginDns: {} }], flag)?.nameservers, ['8.8.8.8', '8.8.4.4']);
    assert.equal(chooseDns([{ name: 'net1', pluginDns: {} }], undefined), undefined);
  });

  it('refuses malformed flags with the field at fault', () => {
    assert.throws(() => parseDefaultContainerDns('{"mesos": [{"network_mode": "BRIDGE"}]}'), (e: unknown) => e instanceof CniConfigError && /mesos\[0\]\.network_mode/.test(e.message));
    assert.throws(() => parseDefaultContainerDns('{"mesos": [{"network_mode": "CNI", "dns": {"nameservers": "8.8.8.8"}}]}'), /must be a list of strings/);
    assert.throws(() => parseDefaultContainerDns('{"mesos": [{"network_mode": "CNI"}, {"network_mode": "CNI"}]}'), /two CNI entries for all networks/);
    assert.throws(() => parseDefaultContainerDns('nope'), /not valid JSON/);
  });

  it('renders hosts and resolv.conf', () => {
    assert.equal(renderHosts('pod-1', ['10.99.0.2']), '127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n10.99.0.2 pod-1\n');
    assert.equal(
      renderResolvConf({ domain: 'corp', search: ['a', 'b'], nameservers: ['10.0.0.1', '10.0.0.2'], options: ['ndots:5'] }),
      'domain corp\nsearch a b\nnameserver 10.0.0.1\nnameserver 10.0.0.2\noptions ndots:5\n',
    );
  });
});
