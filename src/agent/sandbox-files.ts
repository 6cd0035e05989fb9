/**
 * Which host files `/files/*` may show, and the path rules (reference 7.6).
 *
 * Only "attached" roots are reachable: every executor sandbox (under its host
 * path, its `runs/latest` path and the virtual
 * `/frameworks/<fid>/executors/<eid>/runs/latest`) and the agent log
 * (`/slave/log`). A request path is normalised, matched to a root, and then
 * resolved with realpath: anything that ends up outside that root (`..`, or
 * a symlink pointing elsewhere) is refused with 400, an unknown path is 404.
 */
import { realpath, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { posix } from 'node:path';

import { FilesError } from './errors.js';

export interface AttachedRoot {
  /** The path clients use (a host path or a virtual one). */
  readonly path: string;
  /** The host file or directory it stands for. */
  readonly host: string;
}

export interface ResolvedFile {
  /** Host path after resolving symlinks. */
  readonly host: string;
  readonly stats: Stats;
}

/** Resolves `requested` against the roots. Throws FilesError (400 / 404). */
export async function resolveAttachedPath(requested: string | undefined, roots: readonly AttachedRoot[]): Promise<ResolvedFile> {
  if (requested === undefined || requested === '') throw new FilesError('bad-path', "Expecting 'path' to be present");
  if (requested.includes('\0')) throw new FilesError('bad-path', `Invalid path '${requested}': NUL byte`);
  const path = posix.normalize(requested.startsWith('/') ? requested : `/${requested}`).replace(/\/+$/, '') || '/';
  // Longest root first, so a sandbox wins over an enclosing root.
  const sorted = [...roots].sort((a, b) => b.path.length - a.path.length);
  const root = sorted.find((r) => path === r.path || path.startsWith(`${r.path}/`));
  if (root === undefined) throw new FilesError('not-found', `No such file or directory: '${requested}' is not in any sandbox of this agent`);
  const candidate = root.host + path.slice(root.path.length);
  let host: string;
  let rootHost: string;
  try {
    rootHost = await realpath(root.host);
    host = await realpath(candidate);
  } catch {
    throw new FilesError('not-found', `No such file or directory: '${requested}'`);
  }
  if (host !== rootHost && !host.startsWith(`${rootHost}/`)) {
    throw new FilesError('bad-path', `Invalid path '${requested}': it resolves outside its sandbox`);
  }
  return { host, stats: await stat(host) };
}

/** `drwxr-xr-x`, as Mesos' FileInfo JSON shows modes. */
export function modeString(stats: Stats): string {
  const type = stats.isDirectory() ? 'd' : stats.isSymbolicLink() ? 'l' : '-';
  const bits = 'rwxrwxrwx';
  let out = type;
  for (let i = 0; i < 9; i++) out += stats.mode & (1 << (8 - i)) ? bits[i] : '-';
  return out;
}

/** Mesos caps one /files/read at 16 pages. */
export const MAX_READ_BYTES = 64 * 1024;

export interface ReadWindow {
  /** -1: "tell me the size". */
  readonly offset: number;
  /** Bytes to read; undefined = to the end (then capped). */
  readonly length: number | undefined;
}

/** Parses `offset` / `length` query values. Throws FilesError 400 for values below -1 or non-numbers. */
export function parseReadWindow(offsetText: string | undefined, lengthText: string | undefined): ReadWindow {
  const parse = (name: string, text: string | undefined): number | undefined => {
    if (text === undefined || text === '') return undefined;
    if (!/^-?\d+$/.test(text)) throw new FilesError('bad-path', `Failed to parse '${name}': '${text}' is not an integer`);
    const value = Number(text);
    if (value < -1) throw new FilesError('bad-path', `Negative ${name} provided: ${value}`);
    return value;
  };
  const offset = parse('offset', offsetText) ?? -1;
  const length = parse('length', lengthText);
  return { offset, length: length === -1 ? undefined : length };
}
