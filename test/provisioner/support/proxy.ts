/**
 * An HTTP proxy in front of the test registry. docker-registry itself never
 * cuts a response or asks for tokens, so the proxy is how tests get a pull cut
 * halfway, count blob downloads, and put Bearer-token auth in front of it.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProxyOptions {
  /** Send half the body of the first GET of each blob path matching this, then drop the connection. */
  cutBlobsOnce?: RegExp;
  /** Require `Authorization: Bearer <token>`; tokens come from /token with Basic user:password. */
  bearer?: { username: string; password: string; token: string };
}

export interface TestProxy {
  readonly url: string;
  readonly requests: Array<{ method: string; path: string; range: string | undefined }>;
  close(): Promise<void>;
}

export async function startProxy(target: string, options: ProxyOptions = {}): Promise<TestProxy> {
  const requests: TestProxy['requests'] = [];
  const cut = new Set<string>();
  const server = http.createServer((req, res) => {
    const path = req.url ?? '/';
    requests.push({ method: req.method ?? 'GET', path, range: req.headers.range });
    if (options.bearer !== undefined) {
      const { username, password, token } = options.bearer;
      if (path.startsWith('/token')) {
        const expected = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
        if (req.headers.authorization !== expected) return void res.writeHead(401).end('{"details":"bad credentials"}');
        return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token }));
      }
      if (req.headers.authorization !== `Bearer ${token}`) {
        const repo = /^\/v2\/(.+)\/(manifests|blobs)\//.exec(path)?.[1] ?? '';
        res.writeHead(401, { 'www-authenticate': `Bearer realm="http://${req.headers.host}/token",service="test-registry",scope="repository:${repo}:pull"`, 'content-type': 'application/json' });
        return void res.end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
      }
    }
    const upstream = http.request(`${target}${path}`, { method: req.method, headers: { ...req.headers, host: new URL(target).host, authorization: '' } }, (up) => {
      const shouldCut = options.cutBlobsOnce?.test(path) && req.method === 'GET' && up.statusCode === 200 && !cut.has(path);
      res.writeHead(up.statusCode ?? 502, up.headers);
      if (!shouldCut) return void up.pipe(res);
      cut.add(path);
      const half = Math.floor(Number(up.headers['content-length'] ?? 0) / 2);
      let sent = 0;
      up.on('data', (chunk: Buffer) => {
        if (sent >= half) return;
        const part = chunk.subarray(0, half - sent);
        sent += part.length;
        res.write(part);
        if (sent >= half) {
          up.destroy();
          res.socket?.destroy(); // the connection drops mid-body
        }
      });
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
