/**
 * Acceptance: a Mesos client we did not write drives our master. A small
 * scheduler (mesos-go-scheduler/main.go) built against Debian's
 * golang-github-mesos-mesos-go-dev v1 HTTP bindings (httpsched) subscribes to
 * a real master, gets offers from a real agent, launches `sleep 0.2; echo hi`
 * and must see TASK_RUNNING then TASK_FINISHED, once with the protobuf codec
 * and once with JSON.
 *
 * Skipped only when the Go toolchain or the mesos-go sources are missing
 * (`apt-get install golang-go golang-github-mesos-mesos-go-dev`); CI has both.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { startCluster, withClusterLogs, type Cluster } from '../support/cluster.js';
import { REPO_ROOT } from '../support/repo.js';
import { describeResult, runCommand } from '../support/run-command.js';

const SYSTEM_GOPATH = '/usr/share/gocode';
const MESOS_GO = path.join(SYSTEM_GOPATH, 'src/github.com/mesos/mesos-go');
const SCHEDULER_SOURCE = path.join(REPO_ROOT, 'test/compat/mesos-go-scheduler');

function skipReason(): string | undefined {
  if (spawnSync('go', ['version'], { stdio: 'ignore' }).status !== 0) {
    return 'the Go toolchain (`go`) is not installed: apt-get install golang-go';
  }
  if (!existsSync(MESOS_GO)) {
    return `${MESOS_GO} is missing: apt-get install golang-github-mesos-mesos-go-dev`;
  }
  return undefined;
}

/** GOPATH mode, as Debian packages Go libraries. The build cache outlives the test to keep reruns fast. */
function goEnvironment(gopath: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    GO111MODULE: 'off',
    GOPATH: `${gopath}${path.delimiter}${SYSTEM_GOPATH}`,
    GOCACHE: process.env.GOCACHE ?? path.join(os.tmpdir(), 'mesoscale-go-build-cache'),
    GOFLAGS: '',
  };
}

describe('mesos-go v1 HTTP scheduler against the real master', { skip: skipReason() }, () => {
  let buildDir: string;
  let scheduler: string;
  let cluster: Cluster | undefined;

  before(async () => {
    buildDir = mkdtempSync(path.join(os.tmpdir(), 'mesoscale-mesos-go-'));
    mkdirSync(path.join(buildDir, 'gopath'));
    scheduler = path.join(buildDir, 'mesos-go-scheduler');
    const build = await runCommand('go', ['build', '-o', scheduler, '.'], {
      cwd: SCHEDULER_SOURCE,
      env: goEnvironment(path.join(buildDir, 'gopath')),
      timeoutMs: 300_000,
    });
    assert.equal(build.code, 0, describeResult('go build of the mesos-go scheduler', build));
    cluster = await startCluster({ agents: 1 });
  }, { timeout: 360_000 });

  after(async () => {
    await cluster?.stop();
    if (buildDir !== undefined) rmSync(buildDir, { recursive: true, force: true });
  });

  for (const codec of ['protobuf', 'json'] as const) {
    it(`subscribes, launches a command task and sees TASK_RUNNING then TASK_FINISHED (${codec})`, { timeout: 120_000 }, async (t) => {
      await withClusterLogs(cluster!, t, async () => {
        const result = await runCommand(scheduler, [`--master=${cluster!.masterAddress}`, `--codec=${codec}`, '--timeout=60s', '--trace'], {
          timeoutMs: 90_000,
        });
        const report = describeResult(`mesos-go scheduler (${codec})`, result);
        assert.equal(result.code, 0, report);

        const states = result.stdout
          .split('\n')
          .filter((line) => line.startsWith('STATE '))
          .map((line) => line.split(' ')[1]);
        const running = states.indexOf('TASK_RUNNING');
        const finished = states.indexOf('TASK_FINISHED');
        assert.ok(running >= 0, `no TASK_RUNNING\n${report}`);
        assert.ok(finished > running, `TASK_FINISHED did not follow TASK_RUNNING\n${report}`);
        assert.match(result.stdout, /^EVENT SUBSCRIBED framework_id=\S+/m, report);
        assert.match(result.stdout, /^LAUNCHED task_id=mesos-go-\d+/m, report);
        t.diagnostic(`states seen: ${states.join(' → ')}`);
      });
    });
  }
});
