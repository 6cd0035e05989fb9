/** docs/errors.md lists every error code defined in src/ (it is generated; this catches a stale copy). */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { REPO_ROOT } from '../support/repo.js';
import { runCommand } from '../support/run-command.js';

it('docs/errors.md is up to date with the error codes in src/', async () => {
  const result = await runCommand(process.execPath, ['scripts/error-codes.mjs', '--check'], { cwd: REPO_ROOT, timeoutMs: 30_000 });
  assert.equal(result.code, 0, result.stderr);
});
