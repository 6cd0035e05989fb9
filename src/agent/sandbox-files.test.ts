import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { FilesError } from './errors.js';
import { type AttachedRoot, parseReadWindow, resolveAttachedPath } from './sandbox-files.js';

describe('/files path safety', () => {
  let root: string;
  let sandbox: string;
  let roots: AttachedRoot[];

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'mesoscale-files-'));
    sandbox = join(root, 'runs', 'c1');
    await mkdir(sandbox, { recursive: true });
    await writeFile(join(sandbox, 'stdout'), 'out');
    await writeFile(join(root, 'secret'), 'not yours');
    await symlink(join(root, 'secret'), join(sandbox, 'escape-link'));
    await symlink('stdout', join(sandbox, 'inner-link'));
    roots = [
      { path: sandbox, host: sandbox },
      { path: '/frameworks/F/executors/E/runs/latest', host: sandbox },
    ];
  });

  after(() => rm(root, { recursive: true, force: true }));

  const status = (err: unknown): number | undefined => (err instanceof FilesError ? err.httpStatus : undefined);

  it('resolves host and virtual sandbox paths', async () => {
    assert.equal((await resolveAttachedPath(join(sandbox, 'stdout'), roots)).host.endsWith('/stdout'), true);
    assert.equal((await resolveAttachedPath('/frameworks/F/executors/E/runs/latest/stdout', roots)).stats.size, 3);
    assert.equal((await resolveAttachedPath('/frameworks/F/executors/E/runs/latest/inner-link', roots)).stats.size, 3);
  });

  it('refuses .. traversal and symlinks that leave the sandbox', async () => {
    await assert.rejects(resolveAttachedPath('/frameworks/F/executors/E/runs/latest/../../secret', roots), (e) => status(e) === 404);
    await assert.rejects(resolveAttachedPath(`${sandbox}/../../secret`, roots), (e) => status(e) === 404);
    await assert.rejects(resolveAttachedPath('/frameworks/F/executors/E/runs/latest/escape-link', roots), (e) => status(e) === 400 && /outside/.test((e as Error).message));
  });

  it('answers 404 for unknown paths and 400 for a missing path', async () => {
    await assert.rejects(resolveAttachedPath('/etc/passwd', roots), (e) => status(e) === 404);
    await assert.rejects(resolveAttachedPath(join(sandbox, 'nope'), roots), (e) => status(e) === 404);
    await assert.rejects(resolveAttachedPath(undefined, roots), (e) => status(e) === 400);
  });

  it('reads offset/length like Mesos: offset defaults to -1, below -1 is an error', () => {
    assert.deepEqual(parseReadWindow(undefined, undefined), { offset: -1, length: undefined });
    assert.deepEqual(parseReadWindow('10', '-1'), { offset: 10, length: undefined });
    assert.throws(() => parseReadWindow('-2', undefined), FilesError);
    assert.throws(() => parseReadWindow('abc', undefined), FilesError);
  });
});
