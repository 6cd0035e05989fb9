import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';

import * as tar from 'tar';

import { FetchError } from '../errors.js';
import { archiveKind } from './extract.js';
import { destinationPath, fetchUri } from './fetcher.js';

const options = { frameworksHome: '', stallTimeoutMs: 2_000 };

describe('fetcher', () => {
  let root: string;
  let sandbox: string;
  let server: Server;
  let baseUrl: string;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'mesoscale-fetcher-'));
    sandbox = join(root, 'sandbox');
    await mkdir(sandbox);
    await writeFile(join(root, 'script.sh'), '#!/bin/sh\necho hi\n');
    // An archive with a nested file.
    await mkdir(join(root, 'content', 'dir'), { recursive: true });
    await writeFile(join(root, 'content', 'dir', 'inner.txt'), 'inside the archive');
    await tar.c({ gzip: true, file: join(root, 'bundle.tar.gz'), cwd: join(root, 'content') }, ['dir']);
    server = createServer((req, res) => {
      if (req.url === '/files/data.txt') res.end('downloaded');
      else if (req.url === '/stall') res.writeHead(200).write('x'); // never ends
      else res.writeHead(404).end('no');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    server.closeAllConnections();
    server.close();
    await rm(root, { recursive: true, force: true });
  });

  it('copies a local path and makes it executable when asked', async () => {
    const dest = await fetchUri({ value: join(root, 'script.sh'), executable: true }, sandbox, options);
    assert.equal(dest, join(sandbox, 'script.sh'));
    assert.equal((await stat(dest)).mode & 0o777, 0o755);
  });

  it('accepts file:// URIs and output_file', async () => {
    const dest = await fetchUri({ value: pathToFileURL(join(root, 'script.sh')).href, outputFile: 'bin/run.sh' }, sandbox, options);
    assert.equal(await readFile(dest, 'utf8'), '#!/bin/sh\necho hi\n');
    assert.equal(dest, join(sandbox, 'bin', 'run.sh'));
  });

  it('extracts tar.gz archives into the sandbox and keeps the archive', async () => {
    await fetchUri({ value: join(root, 'bundle.tar.gz') }, sandbox, options);
    assert.equal(await readFile(join(sandbox, 'dir', 'inner.txt'), 'utf8'), 'inside the archive');
    await stat(join(sandbox, 'bundle.tar.gz'));
  });

  it('does not extract when extract is false', async () => {
    const other = await mkdtemp(join(root, 'noextract-'));
    await fetchUri({ value: join(root, 'bundle.tar.gz'), extract: false }, other, options);
    await assert.rejects(stat(join(other, 'dir')));
  });

  it('downloads over http and names errors after the URI', async () => {
    const dest = await fetchUri({ value: `${baseUrl}/files/data.txt` }, sandbox, options);
    assert.equal(await readFile(dest, 'utf8'), 'downloaded');
    await assert.rejects(fetchUri({ value: `${baseUrl}/files/missing.txt` }, sandbox, options), (err: Error) => {
      assert.ok(err instanceof FetchError);
      assert.match(err.message, /missing\.txt.*HTTP 404/);
      return true;
    });
  });

  it('aborts a stalled download', async () => {
    await assert.rejects(fetchUri({ value: `${baseUrl}/stall` }, sandbox, { ...options, stallTimeoutMs: 200 }), /stalled/);
  });

  it('refuses output_file paths that leave the sandbox', () => {
    for (const outputFile of ['../escape', '/etc/passwd', 'a/../../escape', '..']) {
      assert.throws(() => destinationPath({ value: '/x', outputFile }, sandbox), FetchError, outputFile);
    }
    assert.equal(destinationPath({ value: '/x', outputFile: 'a/../b' }, sandbox), join(sandbox, 'b'));
  });

  it('refuses missing files, unknown schemes and relative URIs without --frameworks_home', async () => {
    await assert.rejects(fetchUri({ value: join(root, 'nope') }, sandbox, options), /does not exist/);
    await assert.rejects(fetchUri({ value: 'hdfs://nn/file' }, sandbox, options), /'hdfs' scheme is not supported/);
    await assert.rejects(fetchUri({ value: 'relative/file' }, sandbox, options), /frameworks_home/);
  });

  it('recognises archive names', () => {
    assert.equal(archiveKind('a.tgz'), 'tar.gz');
    assert.equal(archiveKind('a.tar.bz2'), 'tar.bz2');
    assert.equal(archiveKind('a.zip'), 'zip');
    assert.equal(archiveKind('a.txt'), undefined);
  });
});
