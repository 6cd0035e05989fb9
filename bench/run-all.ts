/**
 * `npm run bench`: every benchmark, one after the other, each in its own
 * process so one's garbage does not slow the next. Each writes its section of
 * docs/benchmarks.md.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const benchmarks = [
  'allocator/decline-offers.js',
  'e2e/launch-throughput.js',
  'provisioner/pull.js',
  'containers/launch.js',
];
let failed = 0;
for (const bench of benchmarks) {
  const file = path.join(here, bench);
  if (!existsSync(file)) {
    console.log(`(skipping ${bench}: not built)`);
    continue;
  }
  console.log(`\n=== ${bench}`);
  const result = spawnSync(process.execPath, ['--expose-gc', file], { stdio: 'inherit' });
  if (result.status !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
