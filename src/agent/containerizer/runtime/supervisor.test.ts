import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import { exitStatusFromCode, readStatus, startSupervised, watchSupervised } from './supervisor.js';

describe('status wrapper', () => {
  const dir = mkdtempSync(join(tmpdir(), 'supervisor-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const spec = (name: string, argv: string[], gated = false) => ({
    argv, statusFile: join(dir, `${name}.status`), stdoutPath: join(dir, `${name}.out`), stderrPath: join(dir, `${name}.err`),
    env: { PATH: '/usr/bin:/bin', X: 'y' }, cwd: dir, gated, unref: false,
  });

  it('records the exit code in the status file and passes env/stdio through', async () => {
    const s = await startSupervised(spec('a', ['/bin/sh', '-c', 'echo $X; exit 3']));
    assert.equal(await s.exited, 3);
    assert.equal(readStatus(join(dir, 'a.status')), 3);
    assert.equal(readFileSync(join(dir, 'a.out'), 'utf8'), 'y\n');
  });

  it('holds a gated payload until release()', async () => {
    const s = await startSupervised(spec('g', ['/bin/sh', '-c', 'echo ran'], true));
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(readFileSync(join(dir, 'g.out'), 'utf8'), '');
    s.release();
    assert.equal(await s.exited, 0);
    assert.equal(readFileSync(join(dir, 'g.out'), 'utf8'), 'ran\n');
  });

  it('watches a wrapper it did not start (after an agent restart) through its status file', async () => {
    const s = await startSupervised(spec('w', ['/bin/sh', '-c', 'sleep 0.2; exit 7']));
    assert.equal(await watchSupervised(s.wrapperPid, s.wrapperStartTime, join(dir, 'w.status'), 20), 7);
    writeFileSync(join(dir, 'gone.status'), '');
    // A dead pid with no status: resolved as lost (null), not waited on forever.
    assert.equal(await watchSupervised(2 ** 22 + 1, 'x', join(dir, 'gone.status'), 20), null);
  });

  it('decodes 128+N as killed by signal N', () => {
    assert.deepEqual(exitStatusFromCode(137), { code: null, signal: 'SIGKILL', waitStatus: 9 });
    assert.deepEqual(exitStatusFromCode(0), { code: 0, signal: null, waitStatus: 0 });
    assert.equal(exitStatusFromCode(2).code, 2);
  });
});
