import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { MesoscaleError } from './errors.js';
import { BytesError, formatBytes, parseBytes } from './bytes.js';

const KB = 1024;
const MB = KB * 1024;
const GB = MB * 1024;
const TB = GB * 1024;

describe('parseBytes', () => {
  it('parses 1024-based units, case-insensitively like stout', () => {
    const cases: [string, number][] = [
      ['0B', 0],
      ['100B', 100],
      ['1KB', KB],
      ['512MB', 512 * MB],
      ['4GB', 4 * GB],
      ['2TB', 2 * TB],
      ['10gb', 10 * GB],
      ['1Kb', KB],
    ];
    for (const [text, bytes] of cases) assert.equal(parseBytes(text), bytes, text);
  });

  it('rejects bad sizes with the value quoted and the units listed', () => {
    const cases: [string, RegExp][] = [
      ['10', /^Invalid byte size '10': missing unit; use one of B, KB, MB, GB, TB$/],
      ['10K', /^Invalid byte size '10K': unknown unit 'K'; use one of B, KB, MB, GB, TB$/],
      ['10 MB', /unknown unit ' MB'/],
      ['1.5GB', /fractional sizes are not allowed/],
      ['-1MB', /negative sizes are not allowed/],
      ['MB', /expected a whole number before the unit/],
      ['', /^Invalid byte size '': expected a whole number/],
      ['99999999TB', /too large/],
    ];
    for (const [text, pattern] of cases) {
      assert.throws(
        () => parseBytes(text),
        (err: unknown) => {
          assert.ok(err instanceof BytesError && err instanceof MesoscaleError, text);
          assert.equal(err.code, 'BYTES_INVALID');
          assert.equal(err.value, text);
          assert.match(err.message, pattern, text);
          return true;
        },
      );
    }
  });
});

describe('formatBytes', () => {
  it('raises the unit only when nothing is lost', () => {
    const cases: [number, string][] = [
      [0, '0B'],
      [1, '1B'],
      [1536, '1536B'],
      [2 * KB, '2KB'],
      [1536 * KB, '1536KB'],
      [MB, '1MB'],
      [32 * GB, '32GB'],
      [TB, '1TB'],
      [2048 * TB, '2048TB'],
    ];
    for (const [bytes, text] of cases) assert.equal(formatBytes(bytes), text, `${bytes}`);
  });

  it('round-trips and refuses what it cannot print', () => {
    for (const b of [0, 7, 4096, 3 * MB, 5 * TB]) assert.equal(parseBytes(formatBytes(b)), b);
    assert.throws(() => formatBytes(-1), BytesError);
    assert.throws(() => formatBytes(1.5), BytesError);
  });
});
