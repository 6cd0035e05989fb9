/**
 * Pull + unpack throughput of a multi-layer image (busybox, 4 layers of
 * random data, 2 whiteout layers: ~40 MB) from Debian's docker-registry on
 * 127.0.0.1, next to `skopeo copy docker://… oci:<dir>` of the same image in
 * the same run. skopeo only downloads and verifies; we also extract every
 * layer, so our figure includes work skopeo does not do.
 *
 *   node dist/bench/provisioner/pull.js [runs=5]
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ImagePuller, ImageStore, RegistrySource, parseImageReference } from '../../src/agent/containerizer/provisioner/index.js';
import { multiLayerImage } from '../../src/agent/containerizer/provisioner/image-builder/busybox-image.js';
import { silentLogger } from '../../src/lib/logger.js';
import { pushImage, startRegistry } from '../../test/provisioner/support/registry.js';
import { percentile, writeSection } from '../report.js';

const runs = Number(process.argv[2] ?? 5);
const registry = await startRegistry();
const dir = await mkdtemp(join(tmpdir(), 'mesoscale-bench-pull-'));
try {
  const image = multiLayerImage({ dataLayers: 4, dataLayerBytes: 10 * 1024 * 1024 });
  const bytes = image.layers.reduce((s, l) => s + l.size, 0);
  await pushImage(registry.url, 'bench/multi', 'latest', image);

  const ours: number[] = [];
  const skopeo: number[] = [];
  for (let i = 0; i < runs; i++) {
    const storeDir = join(dir, `store-${i}`);
    const started = performance.now();
    const store = await ImageStore.open(storeDir, silentLogger);
    await new ImagePuller(store, silentLogger).pull(parseImageReference('bench/multi'), new RegistrySource({ defaultRegistry: registry.url }));
    ours.push((performance.now() - started) / 1000);
    await rm(storeDir, { recursive: true, force: true });

    const out = join(dir, `skopeo-${i}`);
    const t0 = performance.now();
    execFileSync('skopeo', ['copy', '--quiet', '--src-tls-verify=false', `docker://${registry.host}/bench/multi:latest`, `oci:${out}:latest`]);
    skopeo.push((performance.now() - t0) / 1000);
    await rm(out, { recursive: true, force: true });
  }
  ours.sort((a, b) => a - b);
  skopeo.sort((a, b) => a - b);
  const mb = bytes / 1e6;
  const row = (name: string, s: number[]) => `| ${name} | ${percentile(s, 50).toFixed(3)} | ${(mb / percentile(s, 50)).toFixed(1)} | ${s[0]!.toFixed(3)} | ${s[s.length - 1]!.toFixed(3)} |`;
  const body = [
    `Image: ${image.layers.length} layers, ${mb.toFixed(1)} MB compressed (busybox, 4 × 10 MiB random data, 2 whiteout layers), served by docker-registry 2.8 on 127.0.0.1; ${runs} runs each, cold store every run.`,
    '',
    '| pull | median s | MB/s (median) | min s | max s |',
    '|---|---|---|---|---|',
    row('mesoscale: fetch + verify + extract (GNU tar) + commit', ours),
    row('`skopeo copy docker://… oci:` (download + verify only)', skopeo),
    '',
    `Ratio of medians (mesoscale / skopeo): ${(percentile(ours, 50) / percentile(skopeo, 50)).toFixed(2)}.`,
  ].join('\n');
  writeSection('provisioner-pull', 'Image pull and unpack throughput (provisioner)', 'node dist/bench/provisioner/pull.js', body);
  process.stdout.write(`${body}\n`);
} finally {
  await rm(dir, { recursive: true, force: true });
  await registry.stop();
}
