import { test } from 'node:test';
import assert from 'node:assert/strict';

import { tarArchive, type TarWriterEntry } from '../image-builder/tar-writer.js';
import { HostileLayerError } from '../errors.js';
import { LayerEntryValidator } from './entry-validator.js';
import { TarHeaderReader, type TarEntry } from './tar-reader.js';

function scan(entries: TarWriterEntry[], chunk = 0): { entries: TarEntry[]; validator: LayerEntryValidator } {
  const validator = new LayerEntryValidator('sha256:test');
  const seen: TarEntry[] = [];
  const reader = new TarHeaderReader('sha256:test', (e) => {
    seen.push(e);
    validator.check(e);
  });
  const bytes = tarArchive(entries);
  if (chunk === 0) reader.push(bytes);
  else for (let i = 0; i < bytes.length; i += chunk) reader.push(bytes.subarray(i, i + chunk));
  reader.end();
  return { entries: seen, validator };
}

test('the reader sees every entry, whatever the chunking; long names via pax', () => {
  const long = `${'d'.repeat(120)}/file`;
  const entries: TarWriterEntry[] = [
    { type: 'directory', path: 'a/' },
    { type: 'file', path: 'a/f', content: 'x'.repeat(1000) },
    { type: 'file', path: long, content: 'y' },
    { type: 'symlink', path: 'a/l', target: `/${'t'.repeat(150)}` },
    { type: 'file', path: 'a/.wh.gone', content: '' },
    { type: 'file', path: 'a/.wh..wh..opq', content: '' },
  ];
  for (const chunk of [0, 1, 7, 512, 4096]) {
    const { entries: seen, validator } = scan(entries, chunk);
    assert.deepEqual(seen.map((e) => e.path), ['a/', 'a/f', long, 'a/l', 'a/.wh.gone', 'a/.wh..wh..opq'], `chunk ${chunk}`);
    assert.equal(seen[3]!.linkpath.length, 151);
    assert.deepEqual(validator.summary, { entries: 6, whiteouts: 1, opaqueDirs: 1 });
  }
});

test('a truncated archive and a bad checksum are refused', () => {
  const bytes = tarArchive([{ type: 'file', path: 'f', content: 'x'.repeat(2000) }]);
  const reader = new TarHeaderReader('l', () => undefined);
  reader.push(bytes.subarray(0, 1024));
  assert.throws(() => reader.end(), HostileLayerError);
  const bad = Buffer.from(bytes);
  bad[0] = 0x41;
  assert.throws(() => new TarHeaderReader('l', () => undefined).push(bad), /bad header checksum/);
});

test('a symlink may not replace a directory that has entries', () => {
  assert.throws(() => scan([{ type: 'directory', path: 'a/' }, { type: 'file', path: 'a/f' }, { type: 'symlink', path: 'a', target: '/' }]), /replaces a directory/);
});
