import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { InvariantError } from '../errors.js';
import { defineFlags, formatFlagValue, loadFlags, parseFlagValue, type FlagValues } from './index.js';

describe('built-in value types', () => {
  const def = <T extends 'int' | 'number' | 'json' | 'string'>(type: T) => ({ type, help: '' });

  it('int: whole decimal numbers with an optional sign', () => {
    assert.equal(parseFlagValue(def('int'), '42'), 42);
    assert.equal(parseFlagValue(def('int'), '-7'), -7);
    assert.equal(parseFlagValue(def('int'), '+7'), 7);
    for (const bad of ['', '1.0', '0x10', '1e3', ' 1', '99999999999999999999']) {
      assert.throws(() => parseFlagValue(def('int'), bad), /Invalid integer/, bad);
    }
  });

  it('number: decimals with optional exponent', () => {
    assert.equal(parseFlagValue(def('number'), '0.25'), 0.25);
    assert.equal(parseFlagValue(def('number'), '-1e-3'), -0.001);
    assert.equal(parseFlagValue(def('number'), '.5'), 0.5);
    for (const bad of ['', 'NaN', 'Infinity', '1,5', '0x1']) {
      assert.throws(() => parseFlagValue(def('number'), bad), /Invalid number/, bad);
    }
  });

  it('json and string', () => {
    assert.deepEqual(parseFlagValue(def('json'), '[1,{"a":null}]'), [1, { a: null }]);
    assert.throws(() => parseFlagValue(def('json'), "{'a':1}"), /Invalid JSON/);
    assert.equal(parseFlagValue(def('string'), ' as is '), ' as is ');
  });

  it('formats values Mesos-style', () => {
    assert.equal(formatFlagValue({ type: 'duration', help: '' }, 15_000), '15secs');
    assert.equal(formatFlagValue({ type: 'bytes', help: '' }, 1024 ** 3), '1GB');
    assert.equal(formatFlagValue({ type: 'bool', help: '' }, false), 'false');
    assert.equal(formatFlagValue({ type: 'json', help: '' }, { a: [1] }), '{"a":[1]}');
    assert.equal(formatFlagValue({ type: 'number', help: '' }, 0.5), '0.5');
    const custom = (s: string) => new URL(s);
    assert.equal(formatFlagValue({ type: custom, help: '' }, new URL('http://a/b')), 'http://a/b');
    assert.equal(formatFlagValue({ type: (s: string) => ({ s }), help: '' }, { s: 'x' }), '{"s":"x"}');
    assert.equal(
      formatFlagValue({ type: 'int', help: '', format: (v: number) => `${v}!` }, 3),
      '3!',
    );
  });
});

describe('defineFlags', () => {
  it('rejects malformed or clashing names as bugs', () => {
    assert.throws(() => defineFlags({ Work_Dir: { type: 'path', help: '' } }), InvariantError);
    assert.throws(() => defineFlags({ 'work-dir': { type: 'path', help: '' } }), /must be lower-case/);
    assert.throws(
      () =>
        defineFlags({
          a: { type: 'string', help: '', aliases: ['b'] },
          b: { type: 'string', help: '' },
        }),
      /flag name 'b' of 'b' is already used by flag 'a'/,
    );
    assert.throws(() => defineFlags({ a: { type: 'strin' as 'string', help: '' } }), /unknown type 'strin'/);
  });

  it('infers value types from the definitions (compile-time checks)', () => {
    const parsePair = (s: string): [string, string] => {
      const [k = '', v = ''] = s.split('=');
      return [k, v];
    };
    const defs = defineFlags({
      work_dir: { type: 'path', required: true, help: '' },
      timeout: { type: 'duration', default: 1000, help: '', validate: (ms) => (ms > 0 ? undefined : 'positive') },
      quiet: { type: 'bool', default: false, help: '' },
      port: { type: 'int', help: '' },
      pair: { type: parsePair, help: '', validate: (p: [string, string]) => (p[0] ? undefined : 'key') },
      acls: { type: 'json', help: '' },
    });
    const { flags } = loadFlags(defs, ['--work_dir=/w', '--pair=a=b'], {});

    const workDir: string = flags.work_dir;
    const timeout: number = flags.timeout;
    const quiet: boolean = flags.quiet;
    const port: number | undefined = flags.port;
    const pair: [string, string] | undefined = flags.pair;
    const acls: unknown = flags.acls;
    assert.deepEqual([workDir, timeout, quiet, port, pair, acls], ['/w', 1000, false, undefined, ['a', 'b'], undefined]);

    type V = FlagValues<typeof defs>;
    const check = (v: V): void => {
      // @ts-expect-error port may be unset
      const p: number = v.port;
      // @ts-expect-error work_dir is a string
      const w: number = v.work_dir;
      void [p, w];
    };
    void check;

    const typeErrors = (): void => {
      // @ts-expect-error a duration default is in milliseconds, not text
      defineFlags({ t: { type: 'duration', default: '15secs', help: '' } });
      // @ts-expect-error validate gets a string for string flags
      defineFlags({ t: { type: 'string', help: '', validate: (v) => (v > 3 ? 'big' : undefined) } });
      // @ts-expect-error a custom default must match the parser's type
      defineFlags({ t: { type: parsePair, help: '', default: 5 } });
      // @ts-expect-error validate must take the parser's type
      defineFlags({ t: { type: parsePair, help: '', validate: (p: number) => (p ? undefined : 'x') } });
      // @ts-expect-error unknown type name
      defineFlags({ t: { type: 'strng', help: '' } });
      // @ts-expect-error help is required
      defineFlags({ t: { type: 'string' } });
    };
    void typeErrors;
  });
});
