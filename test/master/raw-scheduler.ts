/**
 * A deliberately raw scheduler for wire-level tests: node:http, our RecordIO
 * decoder and JSON bodies, so what is asserted is exactly what the master put
 * on the wire (the scheduler library is tested separately).
 */
import http from 'node:http';
import { RecordIoDecoder } from '../../src/protocol/codec/recordio.js';

export interface RawSubscription {
  readonly status: number;
  readonly streamId: string | undefined;
  readonly contentType: string | undefined;
  /** Events received so far (parsed JSON), in order. */
  readonly events: any[];
  /** Resolves with the first event matching `pred` (already received or future). */
  next(pred: (event: any) => boolean, timeoutMs?: number): Promise<any>;
  close(): void;
}

export function subscribe(masterUrl: string, body: unknown, headers: Record<string, string> = {}): Promise<RawSubscription> {
  return new Promise((resolve, reject) => {
    const url = new URL('/api/v1/scheduler', masterUrl);
    const req = http.request(url, { method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...headers } });
    req.on('error', reject);
    req.on('response', (res) => {
      const events: any[] = [];
      const waiters: { pred: (e: any) => boolean; resolve: (e: any) => void }[] = [];
      const decoder = new RecordIoDecoder();
      res.on('data', (chunk: Buffer) => {
        if (res.statusCode !== 200) return; // an error answer is plain text, not a stream
        for (const record of decoder.decode(chunk)) {
          const event = JSON.parse(Buffer.from(record).toString('utf8'));
          events.push(event);
          for (const w of [...waiters]) {
            if (w.pred(event)) {
              waiters.splice(waiters.indexOf(w), 1);
              w.resolve(event);
            }
          }
        }
      });
      res.on('error', () => undefined);
      resolve({
        status: res.statusCode ?? 0,
        streamId: res.headers['mesos-stream-id'] as string | undefined,
        contentType: res.headers['content-type'],
        events,
        next(pred, timeoutMs = 10_000) {
          const found = events.find(pred);
          if (found !== undefined) return Promise.resolve(found);
          return new Promise((res2, rej2) => {
            const timer = setTimeout(() => rej2(new Error(`no matching event within ${timeoutMs} ms; got ${JSON.stringify(events.map((e) => e.type))}`)), timeoutMs);
            waiters.push({ pred, resolve: (e) => { clearTimeout(timer); res2(e); } });
          });
        },
        close() {
          req.destroy();
        },
      });
    });
    req.end(typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body));
  });
}

export async function call(
  masterUrl: string,
  body: unknown,
  streamId: string | undefined,
  contentType = 'application/json',
): Promise<{ status: number; text: string }> {
  const headers: Record<string, string> = { 'Content-Type': contentType };
  if (streamId !== undefined) headers['Mesos-Stream-Id'] = streamId;
  const res = await fetch(new URL('/api/v1/scheduler', masterUrl), {
    method: 'POST',
    headers,
    body: typeof body === 'string' || body instanceof Uint8Array ? (body as string) : JSON.stringify(body),
  });
  return { status: res.status, text: await res.text() };
}
