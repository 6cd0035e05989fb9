/**
 * The README's first command: `mesoscale local --sample_task` brings up a
 * master and an agent (real processes) and runs a sample task to TASK_FINISHED.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { MESOSCALE_BIN } from '../support/repo.js';
import { describeResult, runCommand } from '../support/run-command.js';

it('mesoscale local --sample_task runs the sample task to TASK_FINISHED and stops its processes', async () => {
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'mesoscale-local-test-'));
  // `local` puts the agent on the port after the master's: find two free in a row.
  let port = 0;
  for (let attempt = 0; attempt < 50 && port === 0; attempt++) {
    const candidate = 20_000 + Math.floor(Math.random() * 20_000);
    if ((await isFree(candidate)) && (await isFree(candidate + 1))) port = candidate;
  }
  assert.ok(port > 0, 'found two consecutive free ports');
  try {
    const result = await runCommand(process.execPath, [MESOSCALE_BIN, 'local', '--sample_task', '--exit_after_sample', `--port=${port}`, `--work_dir=${workDir}`], {
      timeoutMs: 60_000,
    });
    assert.equal(result.code, 0, describeResult('mesoscale local', result));
    assert.match(result.stdout, /Received status update TASK_FINISHED for task 'sample-task'/);
    assert.match(result.stdout, /Hello from a mesoscale task/);
    assert.match(result.stdout, /The sample task finished/);
    // As root with cgroups and crun/runc the sample runs in the project's busybox image (offline); else on the host, saying why.
    const inContainers = /tasks {4}run in containers .* image 'mesoscale\/busybox'/.test(result.stdout);
    assert.ok(inContainers || /tasks {4}run as plain host processes: ./.test(result.stdout), result.stdout);
    if (inContainers) assert.match(result.stdout, /--docker_image=mesoscale\/busybox/);
    // The cluster was stopped: nothing answers on the master's port any more.
    await assert.rejects(fetch(`http://127.0.0.1:${port}/health`));
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
});

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
