/**
 * Pulls through Debian's docker-registry on 127.0.0.1 (real distribution
 * 2.8): single and multi-layer images, an OCI index, a corrupt blob, a pull
 * cut halfway, concurrent pulls, Bearer-token auth; then both backends.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { create } from '@bufbuild/protobuf';

import { ImageSchema, Image_Type, Image_DockerSchema } from '../../src/protocol/gen/mesos/v1/mesos_pb.js';
import { DigestMismatchError, ImagePuller, ImageStore, RegistrySource, parseImageReference } from '../../src/agent/containerizer/provisioner/index.js';
import { busyboxImage, DEFAULT_TEST_CONFIG, multiLayerImage } from '../../src/agent/containerizer/provisioner/image-builder/busybox-image.js';
import { buildIndex, writeOciLayout, type BuiltImage } from '../../src/agent/containerizer/provisioner/image-builder/oci-image.js';
import { isMountPoint } from '../../src/agent/containerizer/provisioner/backends/mounts.js';
import { silentLogger } from '../../src/lib/logger.js';
import { pushBlob, pushImage, pushManifest, registryBlobPath, startRegistry, type TestRegistry } from './support/registry.js';
import { startProxy } from './support/proxy.js';
import { testWorkDir, type TestWorkDir } from './support/store.js';

let registry: TestRegistry;
let work: TestWorkDir;
let single: BuiltImage;
let multi: BuiltImage;

const dockerImage = (name: string, cached = true) => create(ImageSchema, { type: Image_Type.DOCKER, docker: create(Image_DockerSchema, { name }), cached });

before(async () => {
  registry = await startRegistry();
  work = await testWorkDir();
  single = busyboxImage({ ...DEFAULT_TEST_CONFIG, cmd: ['echo from single'] });
  multi = multiLayerImage({ dataLayers: 2, dataLayerBytes: 256 * 1024 });
  // skopeo pushes the single image (interop with a real client); our pusher the rest.
  const layout = join(work.dir, 'oci');
  await writeOciLayout(layout, [{ image: single, refName: 'latest' }]);
  execFileSync('skopeo', ['copy', '--quiet', '--dest-tls-verify=false', `oci:${layout}:latest`, `docker://${registry.host}/test/single:latest`]);
  await pushImage(registry.url, 'test/multi', 'latest', multi);
});

after(async () => {
  await work?.cleanup();
  await registry?.stop();
});

test('pulls a single-layer image and provisions it with the copy backend', async () => {
  const provisioner = await work.provisioner(registry.url, 'copy');
  const events: string[] = [];
  const result = await provisioner.provision('c-single', dockerImage('test/single'), { onProgress: (e) => events.push(e.type) });
  assert.deepEqual(result.config.cmd, ['echo from single']);
  assert.deepEqual(result.config.entrypoint, ['/bin/sh', '-c']);
  assert.equal(result.config.workingDir, '/tmp');
  assert.ok(events.includes('resolved') && events.includes('done'));
  const run = spawnSync('chroot', [result.rootfs, '/bin/sh', '-c', 'echo hi from $(pwd)'], { encoding: 'utf8' });
  assert.equal(run.stdout, 'hi from /\n');
  assert.equal(await provisioner.destroy('c-single'), true);
  assert.equal(existsSync(result.rootfs), false);
  assert.equal(await provisioner.destroy('c-single'), false); // idempotent
});

for (const backend of ['copy', 'overlay'] as const) {
  test(`multi-layer image: whiteouts and opaque dirs applied by the ${backend} backend`, async () => {
    const provisioner = await work.provisioner(registry.url, backend);
    const { rootfs } = await provisioner.provision(`c-multi-${backend}`, dockerImage(`${registry.host}/test/multi`));
    assert.deepEqual(readdirSync(join(rootfs, 'etc')), ['only-this.txt']);
    assert.equal(existsSync(join(rootfs, 'bin/vi')), false);
    assert.equal(existsSync(join(rootfs, 'bin/sh')), true);
    assert.equal(readFileSync(join(rootfs, 'data/kept.txt'), 'utf8'), 'kept\n');
    assert.equal(existsSync(join(rootfs, 'data/removed.txt')), false);
    assert.equal(readdirSync(join(rootfs, 'data')).length, 3); // kept.txt, layer0, layer1
    const markers = execFileSync('find', [rootfs, '-name', '.wh.*'], { encoding: 'utf8' });
    assert.equal(markers, '');
    assert.equal(await isMountPoint(rootfs), backend === 'overlay');
    await provisioner.destroy(`c-multi-${backend}`);
    assert.equal(await isMountPoint(rootfs), false);
    assert.equal(existsSync(rootfs), false);
  });
}

test('an OCI index resolves to its linux/amd64 manifest', async () => {
  const arm = busyboxImage({ ...DEFAULT_TEST_CONFIG, cmd: ['arm'] });
  const amd = busyboxImage({ ...DEFAULT_TEST_CONFIG, cmd: ['amd'] });
  await pushImage(registry.url, 'test/multiarch', 'amd64', amd);
  await pushImage(registry.url, 'test/multiarch', 'arm64', arm);
  const index = buildIndex([{ image: arm, architecture: 'arm64' }, { image: amd, architecture: 'amd64' }]);
  await pushManifest(registry.url, 'test/multiarch', 'latest', index.bytes, index.mediaType);
  const provisioner = await work.provisioner(registry.url);
  const image = await provisioner.image(dockerImage('test/multiarch'));
  assert.equal(image.manifestDigest, amd.manifestDigest);
  assert.deepEqual(image.config.cmd, ['amd']);
});

test('a corrupt blob in the registry is refused by its digest, and nothing is stored', async () => {
  const image = busyboxImage({ ...DEFAULT_TEST_CONFIG, cmd: ['corrupt'] });
  const extra = multiLayerImage({ dataLayers: 1, dataLayerBytes: 64 * 1024, config: { cmd: ['x'] } });
  const victim = extra.layers[1]!; // the random-data layer, unique to this image
  await pushImage(registry.url, 'test/corrupt', 'latest', extra);
  const path = registryBlobPath(registry.dataDir, victim.digest);
  const bytes = readFileSync(path);
  bytes[bytes.length >> 1] ^= 0xff; // same length, one byte flipped
  writeFileSync(path, bytes);
  void image;
  const store = await ImageStore.open(join(work.dir, 'corrupt-store'), silentLogger);
  const puller = new ImagePuller(store, silentLogger);
  await assert.rejects(puller.pull(parseImageReference('test/corrupt'), new RegistrySource({ defaultRegistry: registry.url })), (err: unknown) => {
    assert.ok(err instanceof DigestMismatchError, String(err));
    assert.match(err.message, new RegExp(victim.digest));
    return true;
  });
  assert.equal(await store.hasLayer(victim.digest), false);
  assert.equal(store.getImage('test/corrupt:latest'), undefined);
  assert.deepEqual(readdirSync(join(work.dir, 'corrupt-store', 'staging')), []);
});

test('a pull cut halfway resumes with Range and succeeds', async () => {
  // The proxy drops the connection half-way through the first GET of each blob.
  const proxy = await startProxy(registry.url, { cutBlobsOnce: /\/blobs\/sha256:/ });
  try {
    const store = await ImageStore.open(join(work.dir, 'cut-store'), silentLogger);
    const image = await new ImagePuller(store, silentLogger).pull(parseImageReference('test/multi'), new RegistrySource({ defaultRegistry: proxy.url }));
    assert.equal(image.manifestDigest, multi.manifestDigest);
    // Layers big enough to arrive in several chunks resume where they stopped;
    // tiny ones may be cut before their first byte and are simply fetched again.
    for (const layer of multi.layers.filter((l) => l.size > 64 * 1024)) {
      const resumed = proxy.requests.find((r) => r.path.endsWith(layer.digest) && r.range !== undefined);
      assert.ok(resumed, `no Range request for ${layer.digest}: ${JSON.stringify(proxy.requests)}`);
      assert.notEqual(resumed.range, 'bytes=0-');
    }
    for (const layer of multi.layers) assert.equal(await store.hasLayer(layer.digest), true);
  } finally {
    await proxy.close();
  }
});

test('concurrent pulls of one image share one download', async () => {
  const proxy = await startProxy(registry.url);
  try {
    const store = await ImageStore.open(join(work.dir, 'concurrent-store'), silentLogger);
    const puller = new ImagePuller(store, silentLogger);
    const source = new RegistrySource({ defaultRegistry: proxy.url });
    const pulls = [0, 1, 2].map(() => puller.pull(parseImageReference('test/multi'), source));
    assert.equal(puller.activePulls, 1);
    const results = await Promise.all(pulls);
    assert.ok(results.every((r) => r === results[0]));
    for (const layer of multi.layers) {
      assert.equal(proxy.requests.filter((r) => r.path.endsWith(`/blobs/${layer.digest}`)).length, 1, layer.digest);
    }
  } finally {
    await proxy.close();
  }
});

test('Bearer token auth from WWW-Authenticate, with Basic credentials to the token server', async () => {
  // distribution's own token auth needs an X.509 chain and JWT signing; the proxy
  // speaks the same challenge/token protocol in front of the real registry.
  const proxy = await startProxy(registry.url, { bearer: { username: 'alice', password: 's3cret', token: 'tok-123' } });
  try {
    const host = new URL(proxy.url).host;
    const store = await ImageStore.open(join(work.dir, 'auth-store'), silentLogger);
    const puller = new ImagePuller(store, silentLogger);
    const denied = new RegistrySource({ defaultRegistry: proxy.url });
    await assert.rejects(puller.pull(parseImageReference('test/single'), denied), /token server .* refused a token/);
    const allowed = new RegistrySource({ defaultRegistry: proxy.url, credentials: new Map([[host, { username: 'alice', password: 's3cret' }]]) });
    const image = await puller.pull(parseImageReference('test/single'), allowed);
    assert.equal(image.manifestDigest, single.manifestDigest);
    assert.equal(proxy.requests.filter((r) => r.path.startsWith('/token')).length, 2); // one refused, one granted, then reused
  } finally {
    await proxy.close();
  }
});

test('image GC keeps what is excluded or in use, removes the rest', async () => {
  const provisioner = await work.provisioner(registry.url, 'copy');
  await provisioner.image(dockerImage('test/single'));
  await provisioner.provision('c-live', dockerImage(`${registry.host}/test/multi`));
  const result = await provisioner.prune([]);
  assert.ok(result.removedImages.includes('library/test/single:latest') || result.removedImages.some((n) => n.includes('test/single')));
  const multiLayers = new Set(multi.layers.map((l) => l.digest));
  assert.ok(result.removedLayers.every((l) => !multiLayers.has(l)), 'layers of a live container survive');
  for (const layer of multi.layers) assert.equal(existsSync(join(work.storeDir, 'layers', layer.digest.slice(7))), true);
  await provisioner.destroy('c-live');
  const second = await provisioner.prune([]);
  assert.ok(second.removedLayers.length >= multi.layers.length);
  assert.deepEqual(readdirSync(join(work.storeDir, 'layers')), []);
});

test('recover() destroys the rootfs of containers the agent no longer knows', async () => {
  const provisioner = await work.provisioner(registry.url, 'overlay');
  const kept = await provisioner.provision('known', dockerImage('test/single'));
  const orphan = await provisioner.provision('orphan', dockerImage('test/single'));
  const restarted = await work.provisioner(registry.url, 'overlay');
  assert.deepEqual(await restarted.recover(['known']), ['orphan']);
  assert.equal(await isMountPoint(orphan.rootfs), false);
  assert.equal(existsSync(orphan.rootfs), false);
  assert.equal(await isMountPoint(kept.rootfs), true);
  await restarted.destroy('known');
});

void pushBlob;
