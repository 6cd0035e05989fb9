import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';

import { httpProber } from './http-probe.js';

describe('HTTP probe', () => {
  let server: http.Server;
  let port = 0;
  const paths: string[] = [];

  before(async () => {
    server = http.createServer((req, res) => {
      paths.push(req.url ?? '');
      if (req.url === '/hang') return; // never answers
      const status = Number(/^\/status\/(\d+)$/.exec(req.url ?? '')?.[1] ?? 200);
      res.writeHead(status).end('body');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  const probe = (path: string, timeoutMs = 2_000, p = port) =>
    httpProber({ kind: 'http', scheme: 'http', host: '127.0.0.1', port: p, path })(timeoutMs, new AbortController().signal);

  it('GETs the path on loopback and reports the status', async () => {
    assert.deepEqual(await probe('/'), { kind: 'http', statusCode: 200 });
    assert.deepEqual(await probe('/status/503'), { kind: 'http', statusCode: 503 });
    assert.deepEqual(await probe('/status/302'), { kind: 'http', statusCode: 302 });
    assert.deepEqual(paths.slice(0, 3), ['/', '/status/503', '/status/302']);
  });

  it('reports no answer when the server does not respond in time', async () => {
    const result = await probe('/hang', 200);
    assert.equal(result.kind, 'error');
    assert.match(result.kind === 'error' ? result.message : '', /GET http:\/\/127\.0\.0\.1:\d+\/hang timed out after 200 ms/);
  });

  it('reports no answer when nothing listens', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const freePort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const result = await probe('/', 2_000, freePort);
    assert.equal(result.kind, 'error');
    assert.match(result.kind === 'error' ? result.message : '', /ECONNREFUSED/);
  });

  it('stops when aborted', async () => {
    const abort = new AbortController();
    const pending = httpProber({ kind: 'http', scheme: 'http', host: '127.0.0.1', port, path: '/hang' })(0, abort.signal);
    setTimeout(() => abort.abort(), 50);
    assert.deepEqual(await pending, { kind: 'error', message: 'The probe was cancelled' });
  });
});
