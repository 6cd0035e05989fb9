/**
 * Writes tar archives entry by entry, with full control of every header
 * field. The test image and the hostile-layer fixtures are built with it, so
 * they need no staging directory, no root and no external tool, and they can
 * hold entries a filesystem would never produce (`../x`, `/etc/passwd`,
 * device nodes). POSIX ustar; a pax header carries names over 100 bytes.
 */
export type TarWriterEntry =
  | { type: 'file'; path: string; content?: Uint8Array | string; mode?: number; uid?: number; gid?: number }
  | { type: 'directory'; path: string; mode?: number; uid?: number; gid?: number }
  | { type: 'symlink'; path: string; target: string }
  | { type: 'hardlink'; path: string; target: string }
  | { type: 'char' | 'block'; path: string; major: number; minor: number; mode?: number }
  | { type: 'fifo'; path: string; mode?: number };

const BLOCK = 512;
const TYPEFLAG = { file: '0', hardlink: '1', symlink: '2', char: '3', block: '4', directory: '5', fifo: '6' } as const;
// A fixed mtime keeps builds byte-identical, so digests are stable across runs.
const MTIME = 1_700_000_000;

export function tarArchive(entries: readonly TarWriterEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) blocks.push(...tarEntry(entry));
  blocks.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(blocks);
}

export function tarEntry(entry: TarWriterEntry): Buffer[] {
  const out: Buffer[] = [];
  const linkpath = entry.type === 'symlink' || entry.type === 'hardlink' ? entry.target : '';
  const pax: Record<string, string> = {};
  if (Buffer.byteLength(entry.path) > 99) pax.path = entry.path;
  if (Buffer.byteLength(linkpath) > 99) pax.linkpath = linkpath;
  if (Object.keys(pax).length > 0) {
    const body = Buffer.from(Object.entries(pax).map(([k, v]) => paxRecord(k, v)).join(''));
    out.push(header({ name: 'PaxHeader', typeflag: 'x', size: body.length, mode: 0o644 }), body, padding(body.length));
  }
  const content = entry.type === 'file' && entry.content !== undefined ? Buffer.from(entry.content) : Buffer.alloc(0);
  const defaultMode = entry.type === 'directory' ? 0o755 : entry.type === 'symlink' ? 0o777 : 0o644;
  out.push(
    header({
      name: entry.path.slice(0, 99),
      linkname: linkpath.slice(0, 99),
      typeflag: TYPEFLAG[entry.type],
      size: content.length,
      mode: 'mode' in entry && entry.mode !== undefined ? entry.mode : defaultMode,
      uid: 'uid' in entry ? entry.uid : 0,
      gid: 'gid' in entry ? entry.gid : 0,
      major: 'major' in entry ? entry.major : 0,
      minor: 'minor' in entry ? entry.minor : 0,
    }),
  );
  if (content.length > 0) out.push(content, padding(content.length));
  return out;
}

function header(h: { name: string; typeflag: string; size: number; mode: number; linkname?: string; uid?: number | undefined; gid?: number | undefined; major?: number; minor?: number }): Buffer {
  const block = Buffer.alloc(BLOCK);
  block.write(h.name, 0, 100, 'utf8');
  octal(block, 100, 8, h.mode);
  octal(block, 108, 8, h.uid ?? 0);
  octal(block, 116, 8, h.gid ?? 0);
  octal(block, 124, 12, h.size);
  octal(block, 136, 12, MTIME);
  block.write(h.typeflag, 156, 1, 'latin1');
  block.write(h.linkname ?? '', 157, 100, 'utf8');
  block.write('ustar\u000000', 257, 8, 'latin1');
  block.write('root', 265, 32, 'latin1');
  block.write('root', 297, 32, 'latin1');
  octal(block, 329, 8, h.major ?? 0);
  octal(block, 337, 8, h.minor ?? 0);
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'latin1');
  return block;
}

function octal(block: Buffer, offset: number, length: number, value: number): void {
  block.write(`${value.toString(8).padStart(length - 1, '0')}\0`, offset, length, 'latin1');
}

function padding(size: number): Buffer {
  return Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);
}

function paxRecord(key: string, value: string): string {
  // The length prefix counts itself; grow it until it is stable.
  const body = ` ${key}=${value}\n`;
  let length = Buffer.byteLength(body);
  while (String(length).length + Buffer.byteLength(body) !== length) length = String(length).length + Buffer.byteLength(body);
  return `${length}${body}`;
}
