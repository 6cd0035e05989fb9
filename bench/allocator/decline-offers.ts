/**
 * Allocator benchmark in the shape of Mesos'
 * `HierarchicalAllocator_BENCHMARK_Test.DeclineOffers`
 * (apache/mesos src/tests/hierarchical_allocator_tests.cpp):
 *
 *  - N agents, each `cpus:24;mem:4096;disk:4096;ports:[31000-32000]`, with
 *    `cpus:16;mem:1024;disk:1024` and 16 single ports already in use by
 *    framework (i mod M), so each agent has cpus:8;mem:3072;disk:3072 and
 *    985 ports free;
 *  - M frameworks that decline everything: before each round every offer of
 *    the previous round is recovered with refuse_seconds = INT_MAX (capped
 *    at 365 days, as Mesos does), so each declined offer installs a filter;
 *  - the clock advances by the allocation interval (1 s) between rounds.
 *
 * Reported: wall time of one allocate() round over all agents (median and
 * max over the rounds), plus the time to recover the previous round's
 * offers. An untimed 2,000 × 200 run warms the JIT up first, and a full GC
 * runs after each setup (untimed). Roles: `*` for every framework (as Mesos' benchmark), or with
 * `--roles per-framework` one role per framework.
 *
 *   node dist/bench/allocator/decline-offers.js [--sizes 1000x100,10000x1000,20000x2000]
 *        [--rounds 20,12,10] [--roles star|per-framework|both] [--out docs/benchmarks-allocator.md]
 */
import { execSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { writeSection } from '../report.js';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

import { ManualClock } from '../../src/lib/clock.js';
import { SeededRng } from '../../src/lib/rng.js';
import { type OfferDecision, createAllocator } from '../../src/master/allocator/index.js';
import { Resources, parseResourcesText, rangesResource } from '../../src/resources/index.js';

const INT_MAX = 2_147_483_647;

/**
 * A full GC between setup and the timed rounds, so the garbage of adding
 * thousands of agents at once is not charged to round 1 (a real master adds
 * agents over minutes). Obtained without `--expose-gc` on the command line.
 */
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;
const ALLOCATION_INTERVAL_MS = 1000;

type RoleMode = 'star' | 'per-framework';

interface Size {
  agents: number;
  frameworks: number;
  rounds: number;
  /** Required ceiling for one round on 2 cores (ms), if any. */
  floorMs?: number;
}

interface Result {
  size: Size;
  roles: RoleMode;
  setupMs: number;
  allocateMs: number[];
  recoverMs: number[];
  offers: number[];
}

/** Run (untimed) once per role mode before measuring. */
const WARM_UP: Size = { agents: 2_000, frameworks: 200, rounds: 5 };

const DEFAULT_SIZES: Size[] = [
  { agents: 1_000, frameworks: 100, rounds: 20 },
  { agents: 10_000, frameworks: 1_000, rounds: 12, floorMs: 100 },
  { agents: 20_000, frameworks: 2_000, rounds: 10, floorMs: 400 },
];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function run(size: Size, roles: RoleMode): Result {
  const t0 = performance.now();
  const clock = new ManualClock();
  const allocator = createAllocator({ clock, rng: new SeededRng(1), allocationIntervalMs: ALLOCATION_INTERVAL_MS });
  const frameworkRole = (i: number) => (roles === 'star' ? '*' : `role-${i}`);
  for (let i = 0; i < size.frameworks; i++) allocator.addFramework(`framework-${i}`, { roles: [frameworkRole(i)] });

  const total = parseResourcesText('cpus:24;mem:4096;disk:4096;ports:[31000-32000]');
  // 16 tasks, each with 1 cpu and one port, spread over the port range.
  const ports: [number, number][] = [];
  for (let k = 0; k < 16; k++) ports.push([31000 + k * 64, 31000 + k * 64]);
  const inUse = parseResourcesText('cpus:16;mem:1024;disk:1024').add(rangesResource('ports', ports));
  const usedByRole = new Map<string, Resources>();
  for (let i = 0; i < size.agents; i++) {
    const f = i % size.frameworks;
    const role = frameworkRole(f);
    let used = usedByRole.get(role);
    if (used === undefined) {
      used = inUse.allocate(role);
      usedByRole.set(role, used);
    }
    allocator.addAgent(`agent-${i}`, { total, used: new Map([[`framework-${f}`, used]]) });
  }
  const setupMs = performance.now() - t0;
  collectGarbage();

  const allocateMs: number[] = [];
  const recoverMs: number[] = [];
  const offerCounts: number[] = [];
  let offers: OfferDecision[] = [];
  for (let round = 0; round < size.rounds; round++) {
    const r0 = performance.now();
    for (const o of offers) allocator.recoverResources(o.frameworkId, o.agentId, o.resources, INT_MAX);
    const r1 = performance.now();
    clock.advance(ALLOCATION_INTERVAL_MS);
    const a0 = performance.now();
    offers = allocator.allocate();
    const a1 = performance.now();
    if (round > 0) recoverMs.push(r1 - r0);
    allocateMs.push(a1 - a0);
    offerCounts.push(offers.length);
  }
  return { size, roles, setupMs, allocateMs, recoverMs, offers: offerCounts };
}

function parseArgs(argv: string[]): { sizes: Size[]; roles: RoleMode[]; out?: string } {
  let sizes = DEFAULT_SIZES;
  let roles: RoleMode[] = ['star', 'per-framework'];
  let out: string | undefined;
  let rounds: number[] | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = argv[i + 1];
    if (arg === '--sizes' && value !== undefined) {
      sizes = value.split(',').map((s) => {
        const [a, f] = s.split('x').map(Number);
        const known = DEFAULT_SIZES.find((d) => d.agents === a && d.frameworks === f);
        return { agents: a!, frameworks: f!, rounds: known?.rounds ?? 5, ...(known?.floorMs ? { floorMs: known.floorMs } : {}) };
      });
      i++;
    } else if (arg === '--rounds' && value !== undefined) {
      rounds = value.split(',').map(Number);
      i++;
    } else if (arg === '--roles' && value !== undefined) {
      roles = value === 'both' ? ['star', 'per-framework'] : [value as RoleMode];
      i++;
    } else if (arg === '--out' && value !== undefined) {
      out = value;
      i++;
    } else {
      throw new Error(`unknown argument '${arg}'`);
    }
  }
  if (rounds !== undefined) sizes = sizes.map((s, i) => ({ ...s, rounds: rounds![Math.min(i, rounds!.length - 1)]! }));
  return out === undefined ? { sizes, roles } : { sizes, roles, out };
}

function table(results: Result[]): string {
  const lines = [
    '| agents | frameworks | roles | setup (ms) | rounds | offers/round | ' +
      'allocate median (ms) | allocate max (ms) | recover median (ms) | floor (ms) |',
    '|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of results) {
    const fmt = (x: number) => x.toFixed(1);
    const cells = [
      r.size.agents.toLocaleString('en-US'),
      r.size.frameworks.toLocaleString('en-US'),
      r.roles === 'star' ? '`*`' : 'one per framework',
      r.setupMs.toFixed(0),
      String(r.size.rounds),
      String(median(r.offers)),
      fmt(median(r.allocateMs)),
      fmt(Math.max(...r.allocateMs)),
      r.recoverMs.length > 0 ? fmt(median(r.recoverMs)) : '-',
      String(r.size.floorMs ?? '-'),
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

function machine(): string {
  let os = `${process.platform} ${process.arch}`;
  try {
    os = execSync('uname -sr', { encoding: 'utf8' }).trim() + ` ${process.arch}`;
  } catch {
    // uname missing: keep the platform name.
  }
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  return `nproc ${availableParallelism()}, ${cpu}, Node ${process.version}, ${os}`;
}

/** 1-minute load average: the machine may be shared, which shows up as noise. */
function load(): string {
  return loadavg()[0]!.toFixed(2);
}

function main(): void {
  const { sizes, roles, out } = parseArgs(process.argv.slice(2));
  const started = performance.now();
  const loadBefore = load();
  // Untimed warm-up so the first measured size does not pay for JIT compilation alone.
  for (const mode of roles) run(WARM_UP, mode);
  const results: Result[] = [];
  for (const mode of roles) {
    for (const size of sizes) {
      const r = run(size, mode);
      results.push(r);
      process.stderr.write(
        `${size.agents}x${size.frameworks} roles=${mode}: setup ${r.setupMs.toFixed(0)} ms, allocate ms per round ` +
          `[${r.allocateMs.map((x) => x.toFixed(1)).join(', ')}], offers [${r.offers.join(', ')}]\n`,
      );
    }
  }
  const md = table(results);
  const totalS = ((performance.now() - started) / 1000).toFixed(1);
  const loadAfter = load();
  process.stdout.write(
    `${md}\n\nMachine: ${machine()}. Load average ${loadBefore} before, ${loadAfter} after. ` +
      `Date: ${new Date().toISOString().slice(0, 10)}. Total run ${totalS} s.\n`,
  );
  if (out !== undefined) {
    writeFileSync(out, renderDoc(md, totalS, `${loadBefore} before, ${loadAfter} after`, process.argv.slice(2)));
    process.stderr.write(`wrote ${out}\n`);
  }
  writeSection(
    'allocator-decline-offers',
    'Allocator: DeclineOffers shape (ms per allocation round)',
    ['npm run build && node dist/bench/allocator/decline-offers.js', ...process.argv.slice(2)].join(' '),
    `${md}\n\nFloors on 2 cores: 100 ms at 10k×1k and 400 ms at 20k×2k (Mesos 1.8 published about 1.1 s and 3.8 s). ` +
      `Load average ${loadBefore} before, ${loadAfter} after; medians move by about ±30% between runs on this shared VM. ` +
      `Method and columns: [benchmarks-allocator.md](benchmarks-allocator.md).`,
  );
}

function renderDoc(md: string, totalS: string, loadAverage: string, args: string[]): string {
  const command = ['npx tsc -p tsconfig.json && node dist/bench/allocator/decline-offers.js', ...args].join(' ');
  return `# Allocator benchmark: DeclineOffers

Generated by \`bench/allocator/decline-offers.ts\`; re-run the command below to refresh.

Shape of Mesos' \`HierarchicalAllocator_BENCHMARK_Test.DeclineOffers\`:

- N agents of \`cpus:24;mem:4096;disk:4096;ports:[31000-32000]\`, each with
  \`cpus:16;mem:1024;disk:1024\` and 16 ports already in use by framework (i mod M);
- M frameworks that decline every offer: before each round, every offer of the previous
  round is recovered with \`refuse_seconds = INT_MAX\` (capped at 365 days, as Mesos does),
  so each decline installs a filter that outlives the run;
- the clock advances by the allocation interval (1 s) between rounds;
- roles: \`*\` for every framework (as in Mesos' benchmark), and a second series with one
  role per framework.

Columns: "allocate" is one \`allocate()\` over all agents (wall time); "recover" is handing
back the previous round's offers (one \`recoverResources\` per offer, each installing a
filter); "setup" is adding the frameworks and agents. An untimed 2,000 × 200 run warms the
JIT up first, and an untimed full GC follows each setup so the garbage of adding thousands
of agents at once is not charged to round 1. The first measured round still does one-off
work (the sorters' full sort, the first allocated copy of each agent's resources, which
later rounds reuse), so it is usually the max.

${md}

- Machine: ${machine()}
- 1-minute load average: ${loadAverage} (the machine is shared; other work shows up as noise)
- Date: ${new Date().toISOString().slice(0, 10)}
- Whole run: ${totalS} s
- Command: \`${command}\`
- Floors (2 cores; a round must take at most this): 100 ms at 10k×1k and 400 ms at 20k×2k.
  Mesos 1.8 published about 1.1 s and 3.8 s per round for those sizes.
- On this shared VM, medians move by about ±30% from run to run (other jobs, VM neighbours).
`;
}

main();
