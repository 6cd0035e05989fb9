/**
 * `mesoscale image <import|list|pull|gc|build-test-image>`: the agent's image
 * store from the command line, e.g. to add images with no network.
 * Store and provisioner paths take the agent's flag names.
 */
import { join } from 'node:path';

import type { Command } from 'commander';

import {
  ImagePuller, ImageStore, RegistrySource, canonicalName, importArchive, loadDockerConfigCredentials, parseImageReference, type PullEvent,
} from '../../agent/containerizer/provisioner/index.js';
import { createBackend, Provisioner } from '../../agent/containerizer/provisioner/provisioner.js';
import { DEFAULT_TEST_CONFIG, busyboxImage, multiLayerImage } from '../../agent/containerizer/provisioner/image-builder/busybox-image.js';
import { writeOciArchive } from '../../agent/containerizer/provisioner/image-builder/oci-image.js';
import { errorMessage } from '../../lib/errors.js';
import { createLogger } from '../../lib/logger.js';

const DEFAULT_STORE = '/tmp/mesos/store/docker';
const DEFAULT_WORK_DIR = '/tmp/mesos';

interface StoreOptions {
  docker_store_dir: string;
}

export function registerImageCommand(program: Command): void {
  const image = program.command('image').description('Manage the agent image store (--docker_store_dir): import, list, pull, gc');
  const withStore = (cmd: Command) => cmd.option('--docker_store_dir <dir>', 'image store directory', DEFAULT_STORE);

  withStore(image.command('import <archive>'))
    .description('Add an image from a docker-save or OCI layout tarball (no network)')
    .option('--name <reference>', 'image name to store it under (default: the name the archive declares)')
    .action(guard(async (archive: string, options: StoreOptions & { name?: string }) => {
      const { store, puller } = await open(options);
      const stored = await importArchive(store, puller, archive, options.name);
      process.stdout.write(`${stored.name} ${stored.manifestDigest} (${stored.layers.length} layers)\n`);
    }));

  withStore(image.command('list'))
    .description('List cached images')
    .action(guard(async (options: StoreOptions) => {
      const { store } = await open(options);
      for (const img of store.listImages()) process.stdout.write(`${img.name}\t${img.manifestDigest}\t${img.layers.length} layers\t${(img.size / 1e6).toFixed(1)} MB\n`);
    }));

  withStore(image.command('pull <reference>'))
    .description('Pull an image from a registry into the store')
    .option('--docker_registry <url>', 'default registry (http(s)://host[:port])', 'https://registry-1.docker.io')
    .option('--docker_config <file>', 'docker config.json with registry credentials')
    .action(guard(async (reference: string, options: StoreOptions & { docker_registry: string; docker_config?: string }) => {
      const { store, puller } = await open(options);
      const credentials = options.docker_config ? await loadDockerConfigCredentials(options.docker_config) : undefined;
      const source = new RegistrySource({ defaultRegistry: options.docker_registry, credentials });
      const stored = await puller.pull(parseImageReference(reference), source, { onProgress: printProgress });
      process.stdout.write(`${stored.name} ${stored.manifestDigest}\n`);
    }));

  withStore(image.command('gc'))
    .description('Remove cached images (except --keep ones) and layers no image or container uses (PRUNE_IMAGES)')
    .option('--keep <reference...>', 'images to keep', [])
    .option('--work_dir <dir>', 'agent work dir (its provisioner/ lists the layers live containers use)', DEFAULT_WORK_DIR)
    .action(guard(async (options: StoreOptions & { keep: string[]; work_dir: string }) => {
      const { store, puller } = await open(options);
      void puller;
      const provisioner = new Provisioner({ dir: join(options.work_dir, 'provisioner'), store, backend: createBackend('copy'), fetcher: { fetch: () => Promise.reject(new Error('no pulls during gc')) }, log: createLogger('image', 'warn') });
      const keep = new Set(options.keep.map((k) => canonicalName(parseImageReference(k))));
      const result = await store.gc(keep, await provisioner.layersInUse());
      process.stdout.write(`removed ${result.removedImages.length} images, ${result.removedLayers.length} layers; ${result.keptLayers} layers kept\n`);
    }));

  image
    .command('build-test-image <out>')
    .description('Write the project test image (static busybox) as an OCI archive, for `image import` or skopeo')
    .option('--tag <tag>', 'OCI ref name', 'latest')
    .option('--multi-layer', 'add whiteout layers (and --data-mb of random data)')
    .option('--data-mb <n>', 'MB of random data in extra layers (with --multi-layer)', '0')
    .option('--entrypoint <json>', 'Entrypoint as a JSON array')
    .option('--cmd <json>', 'Cmd as a JSON array')
    .option('--env <json>', 'Env as a JSON array of NAME=value')
    .option('--workdir <dir>', 'WorkingDir')
    .action(guard(async (out: string, options: { tag: string; multiLayer?: boolean; dataMb: string; entrypoint?: string; cmd?: string; env?: string; workdir?: string }) => {
      const config = {
        ...DEFAULT_TEST_CONFIG,
        ...(options.entrypoint ? { entrypoint: JSON.parse(options.entrypoint) as string[] } : {}),
        ...(options.cmd ? { cmd: JSON.parse(options.cmd) as string[] } : {}),
        ...(options.env ? { env: JSON.parse(options.env) as string[] } : {}),
        ...(options.workdir ? { workingDir: options.workdir } : {}),
      };
      const dataMb = Number(options.dataMb);
      const built = options.multiLayer ? multiLayerImage({ dataLayers: dataMb > 0 ? 4 : 0, dataLayerBytes: (dataMb * 1e6) / 4, config }) : busyboxImage(config);
      await writeOciArchive(out, [{ image: built, refName: options.tag }]);
      process.stdout.write(`${out} ${built.manifestDigest}\n`);
    }));
}

async function open(options: StoreOptions): Promise<{ store: ImageStore; puller: ImagePuller }> {
  const log = createLogger('image', process.env.MESOSCALE_LOG_LEVEL ?? 'warn');
  const store = await ImageStore.open(options.docker_store_dir, log);
  return { store, puller: new ImagePuller(store, log) };
}

function printProgress(event: PullEvent): void {
  if (event.type === 'resolved') process.stderr.write(`${event.image}: ${event.manifestDigest}, ${event.layers} layers, ${(event.bytes / 1e6).toFixed(1)} MB\n`);
  else if (event.type === 'layer' && event.state !== 'downloading') process.stderr.write(`  ${event.layer.slice(0, 19)} ${event.state}\n`);
}

function guard<A extends unknown[]>(action: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await action(...args);
    } catch (err) {
      process.stderr.write(`${errorMessage(err)}\n`);
      process.exit(1);
    }
  };
}
