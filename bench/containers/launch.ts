/**
 * Container launch cost through our runtime against the plain OCI runtime,
 * same rootfs, same run, interleaved (so machine noise hits all alike):
 *
 *   ours/runc   runtime.launch() + wait(): isolator prepare (cgroups mkdir +
 *               limits), bundle, `runc run --keep` of /bin/true under the status
 *               wrapper, limitation check, delete, cgroup rmdir
 *   plain runc  `runc run` of a bundle with the same rootfs, namespaces and
 *               limits (runc makes and removes the cgroup itself)
 *   ours/crun   the same through crun (gated wrapper isolated into the
 *               cgroups before exec, crun --cgroup-manager=disabled)
 *   plain crun  `crun run` of the same bundle, with the hybrid-host mount hack
 *   keep+delete `runc run --keep` then `runc delete`: the floor for any
 *               runc-based runtime that reads the OOM counters after the exit
 *
 * Floors (issue 3): ours/plain medians <= 1.5x; 1,000 short containers on
 * 2 cores in <= 15 s. Root only: `node dist/bench/containers/launch.js [N] [TOTAL]`.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { silentLogger } from '../../src/lib/logger.js';
import { createContainerRuntime } from '../../src/agent/containerizer/runtime/container-runtime.js';
import { buildOciConfig } from '../../src/agent/containerizer/runtime/oci-config.js';
import { STANDARD_MOUNTS } from '../../src/agent/containerizer/isolators/filesystem/linux.js';
import { buildBusyboxRootfs, removeCgroupRoot, skipReason, tempDir } from '../../test/containers/fixtures.js';
import { percentile, writeSection } from '../report.js';

const N = Number(process.argv[2] ?? 50);
const TOTAL = Number(process.argv[3] ?? 1000);
const PARALLELISM = 4;
const CGROUPS_ROOT = `mesoscale-bench-${process.pid}`;
const PLAIN_ROOT = `mesoscale-bench-plain-${process.pid}`;
const ISOLATION = 'cgroups/cpu,cgroups/mem,namespaces/pid,filesystem/linux';

function run(argv: readonly string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: 'ignore' });
    child.once('error', reject);
    child.once('exit', (code) => resolve(code ?? -1));
  });
}

async function timed(what: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await what();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const median = (xs: number[]) => percentile([...xs].sort((a, b) => a - b), 50);
const p90 = (xs: number[]) => percentile([...xs].sort((a, b) => a - b), 90);

type Sampler = () => Promise<void>;

async function main(): Promise<void> {
  const skip = skipReason('runc') ?? skipReason('crun');
  if (skip !== undefined) {
    console.log(`containers/launch: skipped (${skip})`);
    return;
  }
  const dir = tempDir('bench-containers');
  const rootfs = buildBusyboxRootfs(dir);
  const sandbox = join(dir, 'sandbox');
  mkdirSync(sandbox);
  const runtimes = {
    runc: createContainerRuntime({
      runtimeDir: join(dir, 'run-runc'), isolation: ISOLATION, cgroupsRoot: CGROUPS_ROOT, ociRuntime: 'runc', log: silentLogger,
    }),
    crun: createContainerRuntime({
      runtimeDir: join(dir, 'run-crun'), isolation: ISOLATION, cgroupsRoot: CGROUPS_ROOT, ociRuntime: 'crun', log: silentLogger,
    }),
  };
  // The same container as ours, with the runtime writing the limits itself.
  const config = buildOciConfig({
    rootfs, argv: ['/bin/true'], env: ['PATH=/bin'], cwd: '/mnt/mesos/sandbox', user: { uid: 0, gid: 0 }, hostname: 'bench',
    mounts: [...STANDARD_MOUNTS, { destination: '/mnt/mesos/sandbox', type: 'bind', source: sandbox, options: ['rbind', 'rw'] }],
    namespaces: ['pid', 'mount', 'uts', 'ipc'], cgroupsPath: undefined,
  });
  const linux = { ...(config.linux as object), resources: { cpu: { shares: 1024 }, memory: { limit: 64 * 2 ** 20 } } };
  // One bundle per container: parallel runs must not read each other's config.
  const writeBundle = (id: string) => {
    const bundle = join(dir, 'bundles', id);
    mkdirSync(bundle, { recursive: true });
    writeFileSync(join(bundle, 'config.json'), JSON.stringify({ ...config, linux: { ...linux, cgroupsPath: `/${PLAIN_ROOT}/${id}` } }));
    return bundle;
  };
  const hybridHack = ['unshare', '-m', '/bin/sh', '-c', 'mount -t tmpfs -o size=64k none /sys/fs/cgroup/unified && exec "$@"', 'crun-hack'];
  let seq = 0;
  const ours = (which: 'runc' | 'crun'): Sampler => async () => {
    const id = `${which}${seq++}`;
    const runtime = runtimes[which];
    await runtime.launch({
      containerId: id, rootfs, command: { shell: false, value: '/bin/true' }, env: {}, resources: { cpus: 1, memMb: 64 },
      sandboxDir: sandbox, stdoutPath: join(sandbox, 'stdout'), stderrPath: join(sandbox, 'stderr'),
    });
    const t = await runtime.wait(id);
    if (t.status?.code !== 0) throw new Error(`container ${id}: ${t.message}`);
  };
  const plainRunc: Sampler = async () => {
    const id = `p${seq++}`;
    const code = await run(['runc', '--root', join(dir, 'plain-runc'), 'run', '--bundle', writeBundle(id), id]);
    if (code !== 0) throw new Error(`plain runc run exited ${code}`);
  };
  const plainCrun: Sampler = async () => {
    const id = `q${seq++}`;
    const code = await run([...hybridHack, 'crun', '--root', join(dir, 'plain-crun'), 'run', '--bundle', writeBundle(id), id]);
    if (code !== 0) throw new Error(`plain crun run exited ${code}`);
  };
  const keepDelete: Sampler = async () => {
    const id = `k${seq++}`;
    await run(['runc', '--root', join(dir, 'plain-runc'), 'run', '--keep', '--bundle', writeBundle(id), id]);
    await run(['runc', '--root', join(dir, 'plain-runc'), 'delete', id]);
  };
  const paths: Record<string, Sampler> = {
    'ours/runc': ours('runc'), 'plain runc': plainRunc, 'ours/crun': ours('crun'), 'plain crun': plainCrun, 'runc keep+delete': keepDelete,
  };
  const throughput = async (sampler: Sampler) => {
    let next = 0;
    return timed(() => Promise.all(Array.from({ length: PARALLELISM }, async () => {
      while (next++ < TOTAL) await sampler();
    })));
  };

  try {
    for (let i = 0; i < 3; i++) for (const sampler of Object.values(paths)) await sampler();
    const samples: Record<string, number[]> = Object.fromEntries(Object.keys(paths).map((k) => [k, []]));
    for (let i = 0; i < N; i++) for (const [name, sampler] of Object.entries(paths)) samples[name]!.push(await timed(sampler));
    const m = (name: string) => median(samples[name]!);
    const wall = { 'ours/crun': await throughput(ours('crun')), 'ours/runc': await throughput(ours('runc')), 'plain runc': await throughput(plainRunc) };

    const fmt = (x: number) => x.toFixed(1);
    const verdict = (ok: boolean) => (ok ? 'met' : '**NOT met**');
    const rows = Object.keys(paths).map((name) => `| ${name} | ${fmt(m(name))} | ${fmt(p90(samples[name]!))} |`);
    const wallRows = Object.entries(wall).map(([name, ms]) => `| ${name} | ${(ms / 1000).toFixed(1)} s | ${(TOTAL / (ms / 1000)).toFixed(0)}/s | ${verdict(ms <= 15_000)} |`);
    const runcRatio = m('ours/runc') / m('plain runc');
    const crunRatio = m('ours/crun') / m('plain crun');
    const body = [
      `A busybox rootfs running \`/bin/true\` to exit; pid/mount/uts/ipc namespaces, cpu+memory limits; ${N} runs of each path, interleaved. ` +
        `\`ours\` = \`runtime.launch()\` + \`wait()\` with \`--isolation=${ISOLATION}\` (cgroups written by our isolators, status wrapper, OOM check, cleanup).`,
      '',
      '| path | median ms | p90 ms |',
      '|---|---|---|',
      ...rows,
      '',
      `Overhead ratio (medians): ours/runc ÷ plain runc = **${runcRatio.toFixed(2)}×** (floor 1.5×: ${verdict(runcRatio <= 1.5)}); ` +
        `ours/crun ÷ plain crun = **${crunRatio.toFixed(2)}×** (${verdict(crunRatio <= 1.5)}); ` +
        `ours/crun ÷ plain runc = ${(m('ours/crun') / m('plain runc')).toFixed(2)}×.`,
      '',
      `${TOTAL} short containers, ${PARALLELISM} at a time (floor 15 s on 2 cores):`,
      '',
      '| path | wall | rate | floor |',
      '|---|---|---|---|',
      ...wallRows,
    ].join('\n');
    console.log(body);
    writeSection('containers-launch', 'Container launch: our runtime vs plain runc/crun', `node dist/bench/containers/launch.js ${N} ${TOTAL}`, body);
  } finally {
    for (const runtime of Object.values(runtimes)) await Promise.all(runtime.containers().map((id) => runtime.destroy(id)));
    removeCgroupRoot(CGROUPS_ROOT);
    removeCgroupRoot(PLAIN_ROOT);
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
