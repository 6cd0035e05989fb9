import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { InvalidSchedulerOptionError, RedirectError } from './errors.js';
import { endpointUrl, parseMasterAddress, resolveRedirect } from './master-endpoint.js';

describe('parseMasterAddress', () => {
  it('accepts host:port, a bare host and URLs', () => {
    assert.deepEqual(parseMasterAddress('10.0.0.1:5050'), { protocol: 'http:', hostname: '10.0.0.1', port: 5050 });
    assert.deepEqual(parseMasterAddress('master.local'), { protocol: 'http:', hostname: 'master.local', port: 5050 });
    assert.deepEqual(parseMasterAddress('http://127.0.0.1:8080/'), { protocol: 'http:', hostname: '127.0.0.1', port: 8080 });
    assert.deepEqual(parseMasterAddress('https://m:443'), { protocol: 'https:', hostname: 'm', port: 443 });
    assert.deepEqual(parseMasterAddress('[::1]:5050'), { protocol: 'http:', hostname: '::1', port: 5050 });
    assert.equal(endpointUrl(parseMasterAddress('[::1]:5050'), '/x'), 'http://[::1]:5050/x');
  });

  it('rejects what cannot be a master address, saying what was expected', () => {
    for (const bad of ['', 'ftp://m:21', 'http://m:5050/api', 'http://:x']) {
      assert.throws(() => parseMasterAddress(bad), InvalidSchedulerOptionError, bad);
    }
  });
});

describe('resolveRedirect', () => {
  const current = parseMasterAddress('127.0.0.1:5050');

  it('follows the protocol-relative Location Mesos sends', () => {
    assert.deepEqual(resolveRedirect(current, '//10.1.2.3:5051/api/v1/scheduler'), {
      protocol: 'http:',
      hostname: '10.1.2.3',
      port: 5051,
    });
  });

  it('keeps an absolute URL scheme', () => {
    assert.equal(resolveRedirect(current, 'https://leader:5443/api/v1/scheduler').protocol, 'https:');
  });

  it('refuses a missing or unusable Location', () => {
    assert.throws(() => resolveRedirect(current, undefined), RedirectError);
    assert.throws(() => resolveRedirect(current, 'mailto:x@y'), RedirectError);
  });
});
