import assert from 'node:assert/strict';
import net, { type AddressInfo } from 'node:net';
import { describe, it } from 'node:test';

import { tcpProber } from './tcp-probe.js';

const probe = (port: number, host = '127.0.0.1', timeoutMs = 2_000) =>
  tcpProber({ kind: 'tcp', host, port })(timeoutMs, new AbortController().signal);

describe('TCP probe', () => {
  it('succeeds when something accepts on the port', async () => {
    const server = net.createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      assert.deepEqual(await probe((server.address() as AddressInfo).port), { kind: 'tcp', succeeded: true });
    } finally {
      server.close();
    }
  });

  it('answers succeeded=false when the connection is refused', async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    await new Promise((resolve) => server.close(resolve));
    const result = await probe(port);
    assert.equal(result.kind, 'tcp');
    assert.equal(result.kind === 'tcp' && result.succeeded, false);
    assert.match((result.kind === 'tcp' && result.detail) || '', /ECONNREFUSED/);
  });

  it('stops when aborted, before the connection is made', async () => {
    const abort = new AbortController();
    const pending = tcpProber({ kind: 'tcp', host: '127.0.0.1', port: 9 })(0, abort.signal);
    abort.abort();
    assert.deepEqual(await pending, { kind: 'error', message: 'The probe was cancelled' });
  });
});
