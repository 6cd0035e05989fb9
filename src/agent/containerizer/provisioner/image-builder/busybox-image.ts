/**
 * The project's test image: Debian's static busybox (package busybox-static)
 * in one layer, with every applet as a symlink in /bin, so `sh`, `echo`,
 * `cat`, `env` ... work in a container. Entrypoint, Cmd, Env, WorkingDir and
 * User are set by the caller, so tests can check the docker/runtime merge.
 * Variants add layers: random data (pull benchmark) and whiteouts.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

import { UnsupportedImageError } from '../errors.js';
import { buildImage, buildLayer, type BuiltImage, type BuiltLayer, type RuntimeConfigInput } from './oci-image.js';
import type { TarWriterEntry } from './tar-writer.js';

export const BUSYBOX_PATHS = ['/bin/busybox', '/usr/bin/busybox'];

export const DEFAULT_TEST_CONFIG: RuntimeConfigInput = {
  entrypoint: ['/bin/sh', '-c'],
  cmd: ['echo hello from the mesoscale test image'],
  env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'MESOSCALE_TEST_IMAGE=1'],
  workingDir: '/tmp',
  user: '0:0',
};

export function findBusybox(): string {
  for (const path of BUSYBOX_PATHS) {
    try {
      // A dynamic busybox (with an ELF interpreter) would not run in a rootfs with no libc.
      if (!readFileSync(path).subarray(0, 8192).includes('/ld-linux')) return path;
    } catch {
      // try the next
    }
  }
  throw new UnsupportedImageError('test image', `no static busybox at ${BUSYBOX_PATHS.join(' or ')}; apt-get install busybox-static`);
}

/** Entries of the base layer: busybox, its applets, /etc/passwd and group, the usual empty dirs. */
export function busyboxLayerEntries(busyboxPath = findBusybox()): TarWriterEntry[] {
  const applets = execFileSync(busyboxPath, ['--list'], { encoding: 'utf8' }).split('\n').filter((a) => /^[\w.[-]+$/.test(a) && a !== 'busybox');
  const entries: TarWriterEntry[] = [
    ...['bin', 'etc', 'root', 'proc', 'sys', 'dev', 'usr', 'usr/bin', 'var'].map((d) => ({ type: 'directory' as const, path: `${d}/`, mode: d === 'root' ? 0o700 : 0o755 })),
    { type: 'directory', path: 'tmp/', mode: 0o1777 },
    { type: 'file', path: 'bin/busybox', content: readFileSync(busyboxPath), mode: 0o755 },
    { type: 'file', path: 'etc/passwd', content: 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' },
    { type: 'file', path: 'etc/group', content: 'root:x:0:\nnogroup:x:65534:\n' },
  ];
  for (const applet of applets) entries.push({ type: 'symlink', path: `bin/${applet}`, target: 'busybox' });
  return entries;
}

export function busyboxImage(config: RuntimeConfigInput = DEFAULT_TEST_CONFIG, format: 'oci' | 'docker' = 'oci'): BuiltImage {
  return buildImage([buildLayer(busyboxLayerEntries())], config, format);
}

/** A layer of `files` files of random bytes, `bytesEach` each (incompressible: gzip level 1). */
export function randomDataLayer(name: string, files: number, bytesEach: number): BuiltLayer {
  const entries: TarWriterEntry[] = [{ type: 'directory', path: 'data/' }, { type: 'directory', path: `data/${name}/` }];
  for (let i = 0; i < files; i++) entries.push({ type: 'file', path: `data/${name}/${i}.bin`, content: randomBytes(bytesEach) });
  return buildLayer(entries, 1);
}

/**
 * Layer 2 adds files, layer 3 deletes and hides some (whiteouts + an opaque
 * dir). Expected result: /etc holds only `only-this.txt`; /bin/vi and
 * /data/removed.txt are gone; /data/kept.txt stays.
 */
export function whiteoutLayers(): BuiltLayer[] {
  const add = buildLayer([
    { type: 'directory', path: 'data/' },
    { type: 'file', path: 'data/kept.txt', content: 'kept\n' },
    { type: 'file', path: 'data/removed.txt', content: 'removed\n' },
    { type: 'file', path: 'etc/hidden.conf', content: 'hidden by the opaque dir above\n' },
  ]);
  const remove = buildLayer([
    { type: 'directory', path: 'etc/' },
    { type: 'file', path: 'etc/.wh..wh..opq', content: '' },
    { type: 'file', path: 'etc/only-this.txt', content: 'only this\n' },
    { type: 'directory', path: 'bin/' },
    { type: 'file', path: 'bin/.wh.vi', content: '' },
    { type: 'directory', path: 'data/' },
    { type: 'file', path: 'data/.wh.removed.txt', content: '' },
  ]);
  return [add, remove];
}

/** busybox + whiteouts, optionally with `dataLayers` random layers of `dataLayerBytes` each in between. */
export function multiLayerImage(options: { dataLayers?: number; dataLayerBytes?: number; config?: RuntimeConfigInput } = {}): BuiltImage {
  const data = Array.from({ length: options.dataLayers ?? 0 }, (_, i) => randomDataLayer(`layer${i}`, 4, Math.ceil((options.dataLayerBytes ?? 0) / 4)));
  return buildImage([buildLayer(busyboxLayerEntries()), ...data, ...whiteoutLayers()], options.config ?? DEFAULT_TEST_CONFIG);
}
