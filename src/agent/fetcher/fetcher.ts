/**
 * Mesos' fetcher: puts `CommandInfo.uris` into a sandbox before the executor
 * starts. Steps for each URI, in order:
 *   1. pick the destination: `output_file` (relative, inside the sandbox) or
 *      the URI's basename;
 *   2. copy it: http(s) with Node's fetch (aborted when no bytes arrive for
 *      --fetcher_stall_timeout), `file://` and absolute paths from disk,
 *      relative paths from --frameworks_home;
 *   3. `executable`: chmod 0755 (and no extraction, as in Mesos);
 *   4. `extract` (default true) and an archive name: extract into the sandbox.
 * Any failure throws FetchError naming the URI; the caller fails the tasks
 * with REASON_CONTAINER_LAUNCH_FAILED. The fetcher cache (`cache`) is not
 * implemented: cached URIs are downloaded like the others.
 */
import { chmod, copyFile, mkdir, stat } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { basename, dirname, isAbsolute, join, normalize, relative, sep } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';

import { FetchError } from '../errors.js';
import { archiveKind, extractArchive } from './extract.js';

/** The parts of `mesos.v1.CommandInfo.URI` the fetcher reads. */
export interface FetchUri {
  readonly value: string;
  readonly executable?: boolean;
  /** Default true, as in Mesos. */
  readonly extract?: boolean;
  readonly outputFile?: string;
}

export interface FetcherOptions {
  /** Prefix for relative URIs (--frameworks_home); empty = relative URIs are refused. */
  readonly frameworksHome: string;
  /** Abort a download that receives nothing for this long (ms). */
  readonly stallTimeoutMs: number;
}

/** Fetches every URI into `sandbox`, in order. */
export async function fetchUris(uris: readonly FetchUri[], sandbox: string, options: FetcherOptions): Promise<void> {
  for (const uri of uris) await fetchUri(uri, sandbox, options);
}

export async function fetchUri(uri: FetchUri, sandbox: string, options: FetcherOptions): Promise<string> {
  const destination = destinationPath(uri, sandbox);
  await mkdir(dirname(destination), { recursive: true });
  const source = uri.value.trim();
  try {
    if (/^https?:\/\//i.test(source)) await download(source, destination, options.stallTimeoutMs);
    else await copyLocal(localPath(source, options.frameworksHome), destination);
  } catch (err) {
    throw err instanceof FetchError ? err : new FetchError(uri.value, (err as Error).message, err);
  }
  if (uri.executable === true) {
    await chmod(destination, 0o755);
    return destination;
  }
  const kind = uri.extract !== false ? archiveKind(destination) : undefined;
  if (kind !== undefined) {
    try {
      await extractArchive(destination, kind, dirname(destination));
    } catch (err) {
      throw new FetchError(uri.value, `cannot extract ${kind} archive: ${(err as Error).message}`, err);
    }
  }
  return destination;
}

/**
 * Where a URI lands. `output_file` must stay inside the sandbox: absolute
 * paths and `..` that climbs out are refused rather than silently rewritten.
 */
export function destinationPath(uri: FetchUri, sandbox: string): string {
  const output = uri.outputFile ?? '';
  if (output !== '') {
    if (isAbsolute(output)) throw new FetchError(uri.value, `output_file '${output}' must be a path relative to the sandbox`);
    const target = normalize(join(sandbox, output));
    const rel = relative(sandbox, target);
    if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
      throw new FetchError(uri.value, `output_file '${output}' leaves the sandbox; use a relative path without '..'`);
    }
    return target;
  }
  const name = uriBasename(uri.value);
  if (name === '' || name === '.' || name === '..') {
    throw new FetchError(uri.value, 'the URI has no file name; set output_file');
  }
  return join(sandbox, name);
}

function uriBasename(value: string): string {
  const v = value.trim();
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v)) {
    try {
      return decodeURIComponent(basename(new URL(v).pathname));
    } catch {
      return '';
    }
  }
  return basename(v);
}

function localPath(source: string, frameworksHome: string): string {
  if (source.startsWith('file://')) return fileURLToPath(source);
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(source);
  if (scheme !== null) throw new Error(`the '${scheme[1]}' scheme is not supported (use http, https, file or a path)`);
  if (isAbsolute(source)) return source;
  if (frameworksHome === '') throw new Error('a relative URI needs --frameworks_home to be set on the agent');
  return join(frameworksHome, source);
}

async function copyLocal(path: string, destination: string): Promise<void> {
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    throw new Error(`'${path}' does not exist or is unreadable (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  if (info.isDirectory()) throw new Error(`'${path}' is a directory; fetch files or archives`);
  await copyFile(path, destination);
}

async function download(url: string, destination: string, stallTimeoutMs: number): Promise<void> {
  const abort = new AbortController();
  let stalled = false;
  let timer: NodeJS.Timeout | undefined;
  const arm = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      stalled = true;
      abort.abort();
    }, stallTimeoutMs);
  };
  arm();
  try {
    const response = await fetch(url, { signal: abort.signal, redirect: 'follow' });
    if (!response.ok || response.body === null) {
      throw new Error(`HTTP ${response.status} ${response.statusText}`.trim());
    }
    const resetOnData = new Transform({
      transform(chunk, _enc, done) {
        arm();
        done(null, chunk);
      },
    });
    await pipeline(Readable.fromWeb(response.body as import('node:stream/web').ReadableStream), resetOnData, createWriteStream(destination));
  } catch (err) {
    if (stalled) throw new Error(`download stalled: no data for ${stallTimeoutMs} ms (--fetcher_stall_timeout)`);
    throw err;
  } finally {
    clearTimeout(timer);
  }
}
