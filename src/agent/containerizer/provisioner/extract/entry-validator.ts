/**
 * Decides, entry by entry, whether a layer tarball is safe to extract into an
 * empty directory. Pure: it sees only the entry headers, in archive order.
 *
 * Refused (HostileLayerError naming the entry):
 * - paths that are absolute or contain `..` (they would land outside the layer);
 * - an entry below a path that an EARLIER entry of this layer made a symlink
 *   (writing through it would follow the link out of the layer);
 * - a symlink replacing a directory that already has entries below it;
 * - hardlinks whose target is absolute, contains `..`, or is not a regular
 *   file earlier in this layer (a link to /etc/passwd would expose or let the
 *   container modify a host file);
 * - device nodes (character/block) and FIFOs: a rootfs never needs them
 *   (the runtime mounts its own /dev), and a device node is a way to the
 *   host's disks. We refuse rather than skip, so an image never silently
 *   loses files;
 * - whiteouts that would delete `.`/`..`, or that are not regular files.
 * Symlink TARGETS may be absolute or contain `..`: they are resolved inside
 * the container's root at run time; backends never follow them (copy.ts).
 */
import { HostileLayerError, HostileReason } from '../errors.js';
import type { TarEntry } from './tar-reader.js';
import { parseWhiteout } from './whiteouts.js';

type Kind = 'file' | 'directory' | 'symlink';

export interface LayerSummary {
  entries: number;
  whiteouts: number;
  opaqueDirs: number;
}

export class LayerEntryValidator {
  readonly #layer: string;
  readonly #kinds = new Map<string, Kind>();
  /** Paths known to have entries below them. */
  readonly #parents = new Set<string>();
  readonly summary: LayerSummary = { entries: 0, whiteouts: 0, opaqueDirs: 0 };

  constructor(layer: string) {
    this.#layer = layer;
  }

  check(entry: TarEntry): void {
    const path = this.#normalize(entry.path, entry.path, 'path');
    this.summary.entries++;
    if (path === '') {
      if (entry.type !== 'directory') this.#refuse(entry.path, HostileReason.malformed, 'is the layer root but not a directory');
      return;
    }
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const parent = parts.slice(0, i).join('/');
      if (this.#kinds.get(parent) === 'symlink') {
        this.#refuse(entry.path, HostileReason.symlinkParent, `lies below '${parent}', which an earlier entry of this layer made a symlink (writing it would follow the link)`);
      }
      this.#parents.add(parent);
    }

    const whiteout = parseWhiteout(parts[parts.length - 1]!);
    if (whiteout !== undefined) {
      if (entry.type !== 'file') this.#refuse(entry.path, HostileReason.malformed, `is a whiteout marker but a ${entry.type}, not an empty file`);
      if (whiteout.kind === 'aufs-meta') this.#refuse(entry.path, HostileReason.unsupportedType, 'is AUFS metadata (.wh..wh.*), which images must not contain');
      if (whiteout.kind === 'delete' && (whiteout.name === '' || whiteout.name === '.' || whiteout.name === '..')) {
        this.#refuse(entry.path, HostileReason.traversal, `would delete '${whiteout.name}'`);
      }
      if (whiteout.kind === 'opaque') this.summary.opaqueDirs++;
      else this.summary.whiteouts++;
    }

    switch (entry.type) {
      case 'file':
        this.#kinds.set(path, 'file');
        return;
      case 'directory':
        this.#kinds.set(path, 'directory');
        return;
      case 'symlink':
        if (this.#parents.has(path)) {
          this.#refuse(entry.path, HostileReason.symlinkParent, 'replaces a directory that already has entries with a symlink');
        }
        if (entry.linkpath === '') this.#refuse(entry.path, HostileReason.malformed, 'is a symlink with an empty target');
        this.#kinds.set(path, 'symlink');
        return;
      case 'hardlink': {
        const target = this.#normalize(entry.path, entry.linkpath, 'hardlink target', HostileReason.hardlinkEscape);
        if (this.#kinds.get(target) !== 'file') {
          this.#refuse(entry.path, HostileReason.hardlinkEscape, `is a hardlink to '${entry.linkpath}', which is not a regular file earlier in this layer`);
        }
        this.#kinds.set(path, 'file');
        return;
      }
      case 'char':
      case 'block':
        this.#refuse(entry.path, HostileReason.device, `is a ${entry.type === 'char' ? 'character' : 'block'} device node; device nodes are refused`);
      // falls through: #refuse never returns
      case 'fifo':
        this.#refuse(entry.path, HostileReason.device, 'is a FIFO; FIFOs and device nodes are refused');
    }
  }

  /** `./a//b/` → `a/b`; refuses absolute paths and `..`. */
  #normalize(entryPath: string, value: string, what: string, reason?: HostileReason): string {
    if (value.includes('\0')) this.#refuse(entryPath, reason ?? HostileReason.malformed, `has a NUL byte in its ${what}`);
    if (value.startsWith('/')) {
      this.#refuse(entryPath, reason ?? HostileReason.absolute, `has the absolute ${what} '${value}'`);
    }
    const parts = value.split('/').filter((p) => p !== '' && p !== '.');
    if (parts.includes('..')) {
      this.#refuse(entryPath, reason ?? HostileReason.traversal, `has '..' in its ${what} '${value}'`);
    }
    return parts.join('/');
  }

  #refuse(entry: string, reason: HostileReason, detail: string): never {
    throw new HostileLayerError(this.#layer, entry, reason, detail);
  }
}
