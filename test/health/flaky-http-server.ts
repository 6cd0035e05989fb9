/**
 * The task of the health-check integration test: an HTTP server on the port
 * given as argv[2] that answers its first `argv[3]` requests with 200 and then
 * stops listening, while the process keeps running, so only the health check
 * can tell that the task went bad. Logs each request to stdout (the sandbox's
 * `stdout`) to make failures readable.
 *
 *   node flaky-http-server.js <port> <requests-to-answer>
 */
import http from 'node:http';

const port = Number(process.argv[2]);
const budget = Number(process.argv[3] ?? 3);
let answered = 0;

const server = http.createServer((req, res) => {
  answered++;
  process.stdout.write(`request ${answered}: ${req.method} ${req.url}\n`);
  res.setHeader('connection', 'close');
  res.end('ok\n');
  if (answered >= budget) {
    process.stdout.write(`answered ${answered} requests; no longer listening\n`);
    server.close();
  }
});
server.listen(port, '127.0.0.1', () => process.stdout.write(`listening on 127.0.0.1:${port}\n`));
// Stay alive after closing the server: the task only dies when killed (SIGTERM's default action).
setInterval(() => undefined, 60_000);
