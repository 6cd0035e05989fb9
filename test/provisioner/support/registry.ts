/**
 * Debian's docker-registry (distribution 2.8) as a test fixture: a temp
 * config and storage dir, bound to 127.0.0.1:<free port>, run as a child
 * and killed by PID. Plus a minimal V2 pusher, so tests control exactly
 * which manifests, indexes and blobs the registry holds.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { BuiltImage } from '../../../src/agent/containerizer/provisioner/image-builder/oci-image.js';
import { freePort } from '../../support/ports.js';

export interface TestRegistry {
  readonly url: string;
  readonly host: string;
  readonly dataDir: string;
  stop(): Promise<void>;
}

export async function startRegistry(extraConfig = ''): Promise<TestRegistry> {
  const dir = await mkdtemp(join(tmpdir(), 'mesoscale-registry-'));
  const port = await freePort();
  const dataDir = join(dir, 'data');
  const config = join(dir, 'config.yml');
  await writeFile(config, `version: 0.1\nlog: { level: error }\nstorage: { filesystem: { rootdirectory: ${dataDir} }, delete: { enabled: true } }\nhttp: { addr: 127.0.0.1:${port} }\n${extraConfig}`);
  const child: ChildProcess = spawn('/usr/bin/docker-registry', ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    const status = await fetch(`${url}/v2/`).then((r) => r.status, () => 0);
    if (status === 200 || status === 401) break;
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGKILL');
      throw new Error(`docker-registry did not start on ${url}: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    host: `127.0.0.1:${port}`,
    dataDir,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        process.kill(child.pid!, 'SIGKILL');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Pushes blobs then the manifest (monolithic uploads). */
export async function pushImage(registryUrl: string, repository: string, tag: string, image: BuiltImage, headers: Record<string, string> = {}): Promise<void> {
  for (const [digest, blob] of image.blobs) await pushBlob(registryUrl, repository, digest, blob, headers);
  await pushManifest(registryUrl, repository, tag, image.manifest, image.mediaType, headers);
}

export async function pushBlob(registryUrl: string, repository: string, digest: string, blob: Buffer, headers: Record<string, string> = {}): Promise<void> {
  const start = await fetch(`${registryUrl}/v2/${repository}/blobs/uploads/`, { method: 'POST', headers });
  if (start.status !== 202) throw new Error(`upload start: HTTP ${start.status} ${await start.text()}`);
  const location = new URL(start.headers.get('location')!, registryUrl);
  location.searchParams.set('digest', digest);
  const put = await fetch(location, { method: 'PUT', body: blob, headers: { ...headers, 'content-type': 'application/octet-stream' } });
  if (put.status !== 201) throw new Error(`blob ${digest}: HTTP ${put.status} ${await put.text()}`);
}

export async function pushManifest(registryUrl: string, repository: string, reference: string, bytes: Buffer, mediaType: string, headers: Record<string, string> = {}): Promise<void> {
  const put = await fetch(`${registryUrl}/v2/${repository}/manifests/${reference}`, { method: 'PUT', body: bytes, headers: { ...headers, 'content-type': mediaType } });
  if (put.status !== 201) throw new Error(`manifest ${repository}:${reference}: HTTP ${put.status} ${await put.text()}`);
}

/** Where distribution 2.8 keeps a blob's bytes (tests corrupt it in place). */
export function registryBlobPath(dataDir: string, digest: string): string {
  const hex = digest.slice(7);
  return join(dataDir, 'docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data');
}
