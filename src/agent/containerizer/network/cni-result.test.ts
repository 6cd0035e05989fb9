import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { containerAddresses, parseCniResult, splitCidr, supportsPrevResultAndCheck } from './cni-result.js';

/** What Debian 12's bridge plugin (1.1.1) printed for ADD on this machine. */
const BRIDGE_RESULT = {
  cniVersion: '1.0.0',
  interfaces: [
    { name: 'msexp0', mac: 'a2:6e:1b:19:b3:96' },
    { name: 'vethcd515496', mac: 'a2:6e:1b:19:b3:96' },
    { name: 'eth0', mac: 'fe:9f:93:0f:e3:8c', sandbox: '/tmp/cniexp/ns' },
  ],
  ips: [{ interface: 2, address: '10.99.7.2/24', gateway: '10.99.7.1' }],
  dns: {},
};

describe('CNI results', () => {
  it('reads a 1.0.0 bridge result and finds the container address on eth0', () => {
    const result = parseCniResult(BRIDGE_RESULT);
    assert.equal(result.cniVersion, '1.0.0');
    assert.deepEqual(containerAddresses(result, 'eth0'), [{ family: 4, address: '10.99.7.2', prefixLength: 24 }]);
    assert.deepEqual(containerAddresses(result, 'eth1'), []);
    assert.equal(result.raw, BRIDGE_RESULT);
  });

  it('ignores addresses on host-side interfaces', () => {
    const result = parseCniResult({ ...BRIDGE_RESULT, ips: [{ interface: 0, address: '10.99.7.1/24' }] });
    assert.deepEqual(containerAddresses(result, 'eth0'), []);
  });

  it('reads 0.2.0 results (ip4/ip6, no interfaces) and DNS', () => {
    const result = parseCniResult({ cniVersion: '0.2.0', ip4: { ip: '10.1.0.5/16', gateway: '10.1.0.1' }, ip6: { ip: 'fd00::5/64' }, dns: { nameservers: ['10.1.0.53'], search: ['svc'] } });
    assert.deepEqual(containerAddresses(result, 'eth0').map((a) => a.address), ['10.1.0.5', 'fd00::5']);
    assert.deepEqual(result.dns, { nameservers: ['10.1.0.53'], search: ['svc'] });
  });

  it('refuses results that are not results', () => {
    assert.throws(() => parseCniResult('text'), /not a JSON object/);
    assert.throws(() => parseCniResult({ ips: [{ gateway: '1.2.3.4' }] }), /without "address"/);
    assert.throws(() => parseCniResult({ ips: [{ address: '10.0.0.300/24' }] }), /not an IP address/);
    assert.throws(() => splitCidr('10.0.0.1/40'), /bad prefix length/);
  });

  it('knows which versions take prevResult on DEL and have CHECK', () => {
    assert.equal(supportsPrevResultAndCheck('0.3.1'), false);
    assert.equal(supportsPrevResultAndCheck('0.4.0'), true);
    assert.equal(supportsPrevResultAndCheck('1.0.0'), true);
  });
});
