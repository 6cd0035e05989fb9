/**
 * Hostile layers: each is refused with HostileLayerError naming the entry,
 * and nothing is written outside the store. Layers go through the same
 * import path a registry pull uses (archive → verify → extract → commit).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

import { HostileLayerError, ImagePuller, ImageStore, importArchive } from '../../src/agent/containerizer/provisioner/index.js';
import { busyboxLayerEntries } from '../../src/agent/containerizer/provisioner/image-builder/busybox-image.js';
import { buildImage, buildLayer, writeOciArchive } from '../../src/agent/containerizer/provisioner/image-builder/oci-image.js';
import type { TarWriterEntry } from '../../src/agent/containerizer/provisioner/image-builder/tar-writer.js';
import { CopyBackend } from '../../src/agent/containerizer/provisioner/backends/copy.js';
import { silentLogger } from '../../src/lib/logger.js';
import { testWorkDir, type TestWorkDir } from './support/store.js';

let work: TestWorkDir;
let outside: string;
const passwdBefore = readFileSync('/etc/passwd', 'utf8');

before(async () => {
  work = await testWorkDir();
  outside = join(work.dir, 'outside');
  mkdirSync(outside);
});
after(async () => {
  assert.equal(readFileSync('/etc/passwd', 'utf8'), passwdBefore);
  await work?.cleanup();
});

async function importLayers(name: string, layers: TarWriterEntry[][]) {
  const store = await ImageStore.open(work.storeDir, silentLogger);
  const image = buildImage(layers.map((l) => buildLayer(l)), { cmd: ['true'] });
  const archive = join(work.dir, `${name}.tar`);
  await writeOciArchive(archive, [{ image, refName: 'latest' }]);
  return { store, image, result: importArchive(store, new ImagePuller(store, silentLogger), archive, `test/${name}:latest`) };
}

const cases: Array<{ name: string; reason: string; entry: string; layer: () => TarWriterEntry[] }> = [
  { name: 'traversal', reason: 'traversal', entry: '../../outside/escaped.txt', layer: () => [{ type: 'file', path: '../../outside/escaped.txt', content: 'x' }] },
  { name: 'absolute', reason: 'absolute', entry: 'ABS', layer: () => [{ type: 'file', path: 'ABS', content: 'x' }] },
  {
    name: 'symlink-parent', reason: 'symlink-parent', entry: 'escape/escaped.txt',
    layer: () => [{ type: 'symlink', path: 'escape', target: 'OUTSIDE' }, { type: 'file', path: 'escape/escaped.txt', content: 'x' }],
  },
  { name: 'hardlink-host', reason: 'hardlink-escape', entry: 'passwd', layer: () => [{ type: 'hardlink', path: 'passwd', target: '/etc/passwd' }] },
  { name: 'hardlink-dotdot', reason: 'hardlink-escape', entry: 'passwd', layer: () => [{ type: 'hardlink', path: 'passwd', target: '../../../../../etc/passwd' }] },
  { name: 'device', reason: 'device', entry: 'dev/sda', layer: () => [{ type: 'directory', path: 'dev/' }, { type: 'block', path: 'dev/sda', major: 8, minor: 0 }] },
  { name: 'char-device', reason: 'device', entry: 'dev/mem', layer: () => [{ type: 'directory', path: 'dev/' }, { type: 'char', path: 'dev/mem', major: 1, minor: 1 }] },
  { name: 'fifo', reason: 'device', entry: 'pipe', layer: () => [{ type: 'fifo', path: 'pipe' }] },
  { name: 'whiteout-dotdot', reason: 'traversal', entry: 'a/.wh...', layer: () => [{ type: 'directory', path: 'a/' }, { type: 'file', path: 'a/.wh...', content: '' }] },
];

for (const c of cases) {
  test(`hostile layer refused: ${c.name}`, async () => {
    const fix = (s: string) => s.replace('ABS', join(outside, 'abs.txt')).replace('OUTSIDE', outside);
    const layer = c.layer().map((e) => ({ ...e, path: fix(e.path), ...('target' in e ? { target: fix(e.target) } : {}) })) as TarWriterEntry[];
    const { store, image, result } = await importLayers(c.name, [layer]);
    await assert.rejects(result, (err: unknown) => {
      assert.ok(err instanceof HostileLayerError, String(err));
      assert.equal(err.reason, c.reason);
      assert.equal(err.entry, fix(c.entry));
      assert.match(err.message, new RegExp(image.layers[0]!.digest));
      return true;
    });
    assert.deepEqual(readdirSync(outside), [], 'nothing written outside the store');
    assert.equal(await store.hasLayer(image.layers[0]!.digest), false);
    assert.deepEqual(readdirSync(join(work.storeDir, 'staging')), []);
  });
}

test('a symlink from a LOWER layer is never followed by the copy backend', async () => {
  // Each layer is harmless alone: layer 1 makes `etc` a symlink to a host dir,
  // layer 2 writes `etc/passwd`. Copying layer 2 must replace the link, not follow it.
  const { store, image, result } = await importLayers('cross-layer', [
    [...busyboxLayerEntries().filter((e) => !e.path.startsWith('etc')), { type: 'symlink', path: 'etc', target: outside }],
    [{ type: 'directory', path: 'etc/' }, { type: 'file', path: 'etc/passwd', content: 'container\n' }],
  ]);
  await result;
  const rootfs = join(work.dir, 'cross-rootfs');
  mkdirSync(rootfs);
  await new CopyBackend().provision('cross', image.layers.map((l) => ({ digest: l.digest, path: store.layerRootfs(l.digest) })), rootfs);
  assert.deepEqual(readdirSync(outside), []);
  assert.ok(lstatSync(join(rootfs, 'etc')).isDirectory());
  assert.equal(readFileSync(join(rootfs, 'etc/passwd'), 'utf8'), 'container\n');
});

test('ownership and modes are preserved; safe hardlinks inside a layer work', async () => {
  const { store, image, result } = await importLayers('owners', [[
    { type: 'directory', path: 'home/', mode: 0o755 },
    { type: 'file', path: 'home/owned', content: 'x', uid: 1234, gid: 5678, mode: 0o4750 },
    { type: 'hardlink', path: 'home/link', target: 'home/owned' },
    { type: 'symlink', path: 'home/abs-link', target: '/etc/passwd' }, // absolute targets are fine: resolved inside the container
  ]]);
  await result;
  const root = store.layerRootfs(image.layers[0]!.digest);
  const st = statSync(join(root, 'home/owned'));
  assert.deepEqual([st.uid, st.gid, st.mode & 0o7777, st.nlink], [1234, 5678, 0o4750, 2]);
  assert.ok(existsSync(join(root, 'home/link')));
});
