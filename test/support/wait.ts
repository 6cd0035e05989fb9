/** Polling helpers for tests that wait on real processes. */
import type { TestProcess } from './test-process.js';

export async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Resolves when `check` returns a value other than undefined; throws after
 * `timeoutMs` saying what was awaited. If `process` exits first, throws at
 * once with the tail of its log (waiting longer cannot help).
 */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  options: { timeoutMs?: number; intervalMs?: number; process?: TestProcess } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  let lastError: unknown;
  for (;;) {
    const exited = options.process?.status;
    if (exited !== undefined) {
      throw new Error(
        `${options.process!.name} exited (code ${exited.code}, signal ${exited.signal}) while waiting for ${what}\n` +
          tail(options.process!.logs()),
      );
    }
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      const why = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`Timed out after ${options.timeoutMs ?? 30_000} ms waiting for ${what}${why}`);
    }
    await sleep(options.intervalMs ?? 50);
  }
}

/** GET a URL and parse JSON; throws on a non-2xx status. */
export async function getJson<T = unknown>(url: string, signal?: AbortSignal): Promise<T> {
  const response = await fetch(url, { signal: signal ?? AbortSignal.timeout(5000) });
  if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** Resolves once GET <baseUrl>/health answers 200. */
export async function waitForHealth(baseUrl: string, process: TestProcess, timeoutMs = 30_000): Promise<void> {
  await waitFor(
    `${process.name} to answer ${baseUrl}/health`,
    async () => ((await fetch(`${baseUrl}/health`, { signal: AbortSignal.timeout(2000) })).ok ? true : undefined),
    { timeoutMs, process },
  );
}

/** The last `lines` lines of a log, for error messages. */
export function tail(text: string, lines = 60): string {
  const all = text.trimEnd().split('\n');
  return all.slice(-lines).join('\n');
}
