/**
 * Free loopback ports for test processes. The kernel picks a port for a
 * throw-away listener, which is closed before the port is handed out; another
 * process could take it in between, so callers that see EADDRINUSE at start
 * should ask again (startCluster does).
 */
import net from 'node:net';

export const LOOPBACK = '127.0.0.1';

export async function freePort(host = LOOPBACK): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, resolve);
  });
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** `count` distinct free ports. */
export async function freePorts(count: number, host = LOOPBACK): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort(host));
  return [...ports];
}
