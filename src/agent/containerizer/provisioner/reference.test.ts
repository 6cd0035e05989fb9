import { test } from 'node:test';
import assert from 'node:assert/strict';

import { canonicalName, parseImageReference } from './reference.js';
import { ImageReferenceError } from './errors.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;

test('image references parse as docker and Mesos parse them', () => {
  const cases: Array<[string, string | undefined, string, string, string | undefined]> = [
    ['busybox', undefined, 'library/busybox', 'latest', undefined],
    ['busybox:1.36', undefined, 'library/busybox', '1.36', undefined],
    ['test/big', undefined, 'test/big', 'latest', undefined],
    ['127.0.0.1:5000/test/big:v1', '127.0.0.1:5000', 'test/big', 'v1', undefined],
    ['localhost/x', 'localhost', 'x', 'latest', undefined],
    ['registry.example.com/a/b/c', 'registry.example.com', 'a/b/c', 'latest', undefined],
    [`reg:5000/ns/repo@${DIGEST}`, 'reg:5000', 'ns/repo', 'latest', DIGEST],
    [`reg:5000/ns/repo:v2@${DIGEST}`, 'reg:5000', 'ns/repo', 'v2', DIGEST],
  ];
  for (const [input, registry, repository, tag, digest] of cases) {
    const ref = parseImageReference(input);
    assert.deepEqual([ref.registry, ref.repository, ref.tag, ref.digest], [registry, repository, tag, digest], input);
  }
});

test('canonical names merge spellings of one image', () => {
  assert.equal(canonicalName(parseImageReference('busybox')), 'library/busybox:latest');
  assert.equal(canonicalName(parseImageReference('library/busybox:latest')), 'library/busybox:latest');
  assert.equal(canonicalName(parseImageReference(`r:1/a@${DIGEST}`)), `r:1/a@${DIGEST}`);
});

test('bad references are refused with the reason', () => {
  for (const input of ['', 'Busybox', 'a/../b', 'x@sha256:1234', 'x:bad tag', 'a//b']) {
    assert.throws(() => parseImageReference(input), ImageReferenceError, input);
  }
});
