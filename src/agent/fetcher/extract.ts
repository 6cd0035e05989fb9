/**
 * Archive extraction for fetched URIs (Mesos' fetcher `extract`): into the
 * sandbox, keeping the archive. tar and tar.gz/tgz use node-tar (which drops
 * absolute paths and refuses `..` members); bzip2/xz tarballs and zip files
 * use the system `tar` / `unzip`, which apply the same rules; a single `.gz`
 * file is gunzipped next to itself.
 */
import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';

import * as tar from 'tar';

export type ArchiveKind = 'tar' | 'tar.gz' | 'tar.bz2' | 'tar.xz' | 'zip' | 'gz';

/** What kind of archive a file name says it is, if any. */
export function archiveKind(fileName: string): ArchiveKind | undefined {
  const name = fileName.toLowerCase();
  if (name.endsWith('.tar.gz') || name.endsWith('.tgz')) return 'tar.gz';
  if (name.endsWith('.tar.bz2') || name.endsWith('.tbz2') || name.endsWith('.tbz')) return 'tar.bz2';
  if (name.endsWith('.tar.xz') || name.endsWith('.txz')) return 'tar.xz';
  if (name.endsWith('.tar')) return 'tar';
  if (name.endsWith('.zip')) return 'zip';
  if (name.endsWith('.gz')) return 'gz';
  return undefined;
}

/**
 * Extracts `archive` into `directory`. Throws an Error whose message says what
 * went wrong (the fetcher wraps it in a FetchError naming the URI).
 */
export async function extractArchive(archive: string, kind: ArchiveKind, directory: string): Promise<void> {
  switch (kind) {
    case 'tar':
    case 'tar.gz':
      await tar.x({ file: archive, cwd: directory, strict: true });
      return;
    case 'tar.bz2':
      await runTool('tar', ['-x', '-j', '-f', archive, '-C', directory], 'tar (with bzip2)');
      return;
    case 'tar.xz':
      await runTool('tar', ['-x', '-J', '-f', archive, '-C', directory], 'tar (with xz)');
      return;
    case 'zip':
      await runTool('unzip', ['-o', '-q', archive, '-d', directory], 'unzip');
      return;
    case 'gz':
      await pipeline(createReadStream(archive), createGunzip(), createWriteStream(archive.replace(/\.gz$/i, '')));
      return;
  }
}

/** Runs an extraction tool; a missing tool or a non-zero exit becomes an Error naming it. */
function runTool(program: string, args: string[], what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 2000) stderr += chunk.toString();
    });
    child.once('error', (err: NodeJS.ErrnoException) => {
      reject(new Error(err.code === 'ENOENT' ? `extracting needs ${what} installed on the agent host` : `${program}: ${err.message}`));
    });
    child.once('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${program} failed (${signal ?? `exit status ${code}`}): ${stderr.trim() || 'no output'}`));
    });
  });
}
