import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { MesoscaleError } from '../errors.js';
import { FlagError, defineFlags, loadFlags } from './index.js';

/** A toy `--resources` parser standing in for the real one. */
function parseResources(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of text.split(';')) {
    const [name, value] = part.split(':');
    const n = Number(value);
    if (!name || value === undefined || !Number.isFinite(n)) {
      throw new Error(`Invalid resources '${text}': expected name:number pairs separated by ';'`);
    }
    out[name] = n;
  }
  return out;
}

const agentFlags = defineFlags({
  work_dir: { type: 'path', required: true, help: 'Where the agent keeps its state.' },
  master: { type: 'string', help: 'Master address.' },
  port: {
    type: 'int',
    default: 5051,
    help: 'Port to listen on.',
    validate: (p) => (p >= 1 && p <= 65535 ? undefined : `port ${p} is outside 1-65535`),
  },
  agent_ping_timeout: {
    type: 'duration',
    default: 75_000,
    aliases: ['slave_ping_timeout'],
    help: 'How long to wait for a ping from the master.',
  },
  quiet: { type: 'bool', default: false, help: 'No logging to stderr.' },
  hostname_lookup: { type: 'bool', default: true, help: 'Look up the hostname.' },
  gc_delay: { type: 'duration', help: 'Sandbox garbage collection delay.' },
  max_size: { type: 'bytes', help: 'Largest sandbox.' },
  oversubscription_ratio: { type: 'number', help: 'A ratio.' },
  resources: { type: parseResources, help: 'Resources to offer.' },
  attributes_json: { type: 'json', help: 'JSON.' },
  credential: { type: 'path', help: 'Credential file (path, read by someone else).' },
});

const ARGS = ['--work_dir=/var/lib/mesos'];

function load(argv: string[], env: Record<string, string | undefined> = {}) {
  return loadFlags(agentFlags, argv, env);
}

function expectFlagError(fn: () => unknown, code: string, flag: string, pattern: RegExp): FlagError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof FlagError, `expected FlagError, got ${String(caught)}`);
  assert.ok(caught instanceof MesoscaleError);
  assert.equal(caught.code, code);
  assert.equal(caught.flag, flag);
  assert.match(caught.message, pattern);
  return caught;
}

describe('loadFlags: command line', () => {
  it('reads --name=value into typed values and fills in defaults', () => {
    const { flags, warnings, sources, args } = load([
      ...ARGS,
      '--master=10.0.0.1:5050',
      '--port=5052',
      '--gc_delay=1weeks',
      '--max_size=2GB',
      '--oversubscription_ratio=0.5',
      '--resources=cpus:4;mem:1024',
      '--attributes_json={"rack":"r1"}',
    ]);
    assert.equal(flags.work_dir, '/var/lib/mesos');
    assert.equal(flags.master, '10.0.0.1:5050');
    assert.equal(flags.port, 5052);
    assert.equal(flags.agent_ping_timeout, 75_000);
    assert.equal(flags.quiet, false);
    assert.equal(flags.gc_delay, 7 * 24 * 3600 * 1000);
    assert.equal(flags.max_size, 2 * 1024 ** 3);
    assert.equal(flags.oversubscription_ratio, 0.5);
    assert.deepEqual(flags.resources, { cpus: 4, mem: 1024 });
    assert.deepEqual(flags.attributes_json, { rack: 'r1' });
    assert.equal(flags.credential, undefined);
    assert.deepEqual(warnings, []);
    assert.deepEqual(args, []);
    assert.deepEqual(sources.port, { kind: 'command-line', arg: '--port=5052' });
    assert.deepEqual(sources.quiet, { kind: 'default' });
    assert.equal(sources.credential, undefined);
  });

  it('keeps everything after = as the value, including = and empty strings', () => {
    const { flags } = load([...ARGS, '--master=zk://a=b/mesos']);
    assert.equal(flags.master, 'zk://a=b/mesos');
    assert.equal(load([...ARGS, '--master=']).flags.master, '');
  });

  it('lower-cases flag names but not values', () => {
    const { flags } = load(['--WORK_DIR=/Data', '--Master=Host']);
    assert.equal(flags.work_dir, '/Data');
    assert.equal(flags.master, 'Host');
  });

  it('accepts booleans as --name, --no-name and --name=true|false|1|0', () => {
    assert.equal(load([...ARGS, '--quiet']).flags.quiet, true);
    assert.equal(load([...ARGS, '--no-hostname_lookup']).flags.hostname_lookup, false);
    assert.equal(load([...ARGS, '--NO-HOSTNAME_LOOKUP']).flags.hostname_lookup, false);
    assert.equal(load([...ARGS, '--quiet=']).flags.quiet, true);
    for (const [text, value] of [
      ['true', true],
      ['1', true],
      ['false', false],
      ['0', false],
    ] as const) {
      assert.equal(load([...ARGS, `--quiet=${text}`]).flags.quiet, value, text);
    }
  });

  it('rejects other boolean spellings', () => {
    for (const text of ['yes', 'TRUE', 'on', '2']) {
      expectFlagError(
        () => load([...ARGS, `--quiet=${text}`]),
        'FLAG_INVALID',
        'quiet',
        new RegExp(`^Failed to load flag 'quiet' from --quiet=${text}: Invalid boolean '${text}': use true, false, 1 or 0$`),
      );
    }
  });

  it('rejects --no-name=value', () => {
    expectFlagError(
      () => load([...ARGS, '--no-quiet=true']),
      'FLAG_INVALID',
      'quiet',
      /^Failed to load flag 'quiet' from --no-quiet=true: a negated boolean flag takes no value/,
    );
  });

  it('rejects a non-boolean flag without a value or negated', () => {
    expectFlagError(
      () => load([...ARGS, '--port']),
      'FLAG_INVALID',
      'port',
      /^Failed to load flag 'port' from --port: missing value; use --port=VALUE$/,
    );
    expectFlagError(
      () => load([...ARGS, '--no-port']),
      'FLAG_INVALID',
      'port',
      /^Failed to load flag 'port' from --no-port: only boolean flags can be negated/,
    );
  });

  it('rejects unknown flags, suggesting a near name', () => {
    expectFlagError(
      () => load([...ARGS, '--work_directory=/x']),
      'FLAG_UNKNOWN',
      'work_directory',
      /^Failed to load unknown flag 'work_directory' from --work_directory=\/x; did you mean --work_dir\?$/,
    );
    expectFlagError(
      () => load([...ARGS, '--frobnicate']),
      'FLAG_UNKNOWN',
      'frobnicate',
      /^Failed to load unknown flag 'frobnicate' from --frobnicate$/,
    );
    expectFlagError(() => load([...ARGS, '--no-frobnicate']), 'FLAG_UNKNOWN', 'frobnicate', /from --no-frobnicate/);
  });

  it('ignores arguments not starting with -- and stops at --', () => {
    const { flags, args } = load(['/usr/bin/mesoscale', 'agent', ...ARGS, '-v', '--', '--port=1', '--bogus']);
    assert.equal(flags.port, 5051);
    assert.deepEqual(args, ['/usr/bin/mesoscale', 'agent', '-v', '--port=1', '--bogus']);
  });

  it('rejects the same flag twice, also under its alias or negated', () => {
    expectFlagError(
      () => load([...ARGS, '--port=1', '--port=2']),
      'FLAG_DUPLICATE',
      'port',
      /^Failed to load flag 'port' from --port=2: already given as --port=1$/,
    );
    expectFlagError(
      () => load([...ARGS, '--agent_ping_timeout=5secs', '--slave_ping_timeout=10secs']),
      'FLAG_DUPLICATE',
      'agent_ping_timeout',
      /^Failed to load flag 'agent_ping_timeout' from --slave_ping_timeout=10secs: already given as --agent_ping_timeout=5secs$/,
    );
    expectFlagError(() => load([...ARGS, '--quiet', '--no-quiet']), 'FLAG_DUPLICATE', 'quiet', /already given as --quiet/);
  });

  it('loads a deprecated alias with a warning', () => {
    const { flags, warnings } = load([...ARGS, '--slave_ping_timeout=5secs']);
    assert.equal(flags.agent_ping_timeout, 5000);
    assert.deepEqual(warnings, [
      "Loaded deprecated flag 'slave_ping_timeout' from --slave_ping_timeout; use --agent_ping_timeout instead",
    ]);
  });

  it('names the flag and the argument when a value does not parse', () => {
    expectFlagError(
      () => load([...ARGS, '--agent_ping_timeout=5s']),
      'FLAG_INVALID',
      'agent_ping_timeout',
      /^Failed to load flag 'agent_ping_timeout' from --agent_ping_timeout=5s: Invalid duration '5s': unknown unit 's'; use one of ns, us, ms, secs, mins, hrs, days, weeks$/,
    );
    expectFlagError(() => load([...ARGS, '--gc_delay=1sec']), 'FLAG_INVALID', 'gc_delay', /unknown unit 'sec'/);
    expectFlagError(() => load([...ARGS, '--gc_delay=1min']), 'FLAG_INVALID', 'gc_delay', /unknown unit 'min'/);
    expectFlagError(() => load([...ARGS, '--gc_delay=-1secs']), 'FLAG_INVALID', 'gc_delay', /negative/);
    expectFlagError(() => load([...ARGS, '--gc_delay=']), 'FLAG_INVALID', 'gc_delay', /Invalid duration ''/);
    expectFlagError(() => load([...ARGS, '--port=50x']), 'FLAG_INVALID', 'port', /from --port=50x: Invalid integer '50x'/);
    expectFlagError(() => load([...ARGS, '--port=1.5']), 'FLAG_INVALID', 'port', /Invalid integer '1.5'/);
    expectFlagError(() => load([...ARGS, '--max_size=1.5GB']), 'FLAG_INVALID', 'max_size', /fractional/);
    expectFlagError(
      () => load([...ARGS, '--oversubscription_ratio=half']),
      'FLAG_INVALID',
      'oversubscription_ratio',
      /Invalid number 'half'/,
    );
    expectFlagError(() => load([...ARGS, '--attributes_json={']), 'FLAG_INVALID', 'attributes_json', /Invalid JSON/);
    const err = expectFlagError(
      () => load([...ARGS, '--resources=cpus:abc']),
      'FLAG_INVALID',
      'resources',
      /^Failed to load flag 'resources' from --resources=cpus:abc: Invalid resources 'cpus:abc'/,
    );
    assert.ok(err.cause instanceof Error);
    assert.equal(err.source, '--resources=cpus:abc');
  });

  it('runs validate on loaded values', () => {
    expectFlagError(
      () => load([...ARGS, '--port=70000']),
      'FLAG_INVALID',
      'port',
      /^Failed to load flag 'port' from --port=70000: port 70000 is outside 1-65535$/,
    );
  });

  it('shortens a very long argument in messages', () => {
    const long = `--resources=${'x'.repeat(500)}`;
    const err = expectFlagError(() => load([...ARGS, long]), 'FLAG_INVALID', 'resources', /from --resources=x+\.\.\.: /);
    assert.ok(err.message.length < 1200);
  });
});

describe('loadFlags: environment', () => {
  it('reads MESOS_<NAME>, lower-casing the part after the prefix', () => {
    const { flags, sources } = load([], { MESOS_WORK_DIR: '/env', MESOS_port: '6000', MESOS_Agent_Ping_Timeout: '1mins' });
    assert.equal(flags.work_dir, '/env');
    assert.equal(flags.port, 6000);
    assert.equal(flags.agent_ping_timeout, 60_000);
    assert.deepEqual(sources.work_dir, { kind: 'environment', variable: 'MESOS_WORK_DIR' });
  });

  it('lets the command line win over the environment', () => {
    const { flags, sources } = load(['--work_dir=/cli', '--port=7000'], { MESOS_WORK_DIR: '/env', MESOS_PORT: 'garbage' });
    assert.equal(flags.work_dir, '/cli');
    assert.equal(flags.port, 7000); // the bad env value is never parsed
    assert.deepEqual(sources.work_dir, { kind: 'command-line', arg: '--work_dir=/cli' });
  });

  it('lets the command line win over an alias in the environment', () => {
    const { flags, warnings } = load([...ARGS, '--agent_ping_timeout=5secs'], { MESOS_SLAVE_PING_TIMEOUT: '10secs' });
    assert.equal(flags.agent_ping_timeout, 5000);
    assert.deepEqual(warnings, []);
  });

  it('ignores unknown MESOS_ variables, other prefixes and undefined values', () => {
    const { flags } = load(ARGS, {
      MESOS_FROBNICATE: '1',
      MESOS_: 'x',
      MESOSPORT: '1',
      PORT: '2',
      AGENT_PORT: '3',
      MESOS_MASTER: undefined,
    });
    assert.equal(flags.port, 5051);
    assert.equal(flags.master, undefined);
  });

  it('reads booleans, an empty value meaning true', () => {
    assert.equal(load(ARGS, { MESOS_QUIET: '' }).flags.quiet, true);
    assert.equal(load(ARGS, { MESOS_QUIET: 'true' }).flags.quiet, true);
    assert.equal(load(ARGS, { MESOS_HOSTNAME_LOOKUP: 'false' }).flags.hostname_lookup, false);
    assert.equal(load(ARGS, { MESOS_HOSTNAME_LOOKUP: '0' }).flags.hostname_lookup, false);
    expectFlagError(
      () => load(ARGS, { MESOS_QUIET: 'yes' }),
      'FLAG_INVALID',
      'quiet',
      /^Failed to load flag 'quiet' from environment variable MESOS_QUIET: Invalid boolean 'yes'/,
    );
  });

  it('names the variable when a value does not parse', () => {
    const err = expectFlagError(
      () => load(ARGS, { MESOS_RESOURCES: 'cpus:abc' }),
      'FLAG_INVALID',
      'resources',
      /^Failed to load flag 'resources' from environment variable MESOS_RESOURCES: Invalid resources 'cpus:abc'/,
    );
    assert.equal(err.source, 'environment variable MESOS_RESOURCES');
  });

  it('warns about a deprecated alias and rejects name and alias together', () => {
    const { flags, warnings } = load(ARGS, { MESOS_SLAVE_PING_TIMEOUT: '3secs' });
    assert.equal(flags.agent_ping_timeout, 3000);
    assert.deepEqual(warnings, [
      "Loaded deprecated flag 'slave_ping_timeout' from environment variable MESOS_SLAVE_PING_TIMEOUT; use MESOS_AGENT_PING_TIMEOUT instead",
    ]);
    expectFlagError(
      () => load(ARGS, { MESOS_SLAVE_PING_TIMEOUT: '3secs', MESOS_AGENT_PING_TIMEOUT: '4secs' }),
      'FLAG_DUPLICATE',
      'agent_ping_timeout',
      /^Failed to load flag 'agent_ping_timeout' from environment variable MESOS_SLAVE_PING_TIMEOUT: already set by environment variable MESOS_AGENT_PING_TIMEOUT$/,
    );
    expectFlagError(
      () => load(ARGS, { MESOS_PORT: '1', MESOS_port: '2' }),
      'FLAG_DUPLICATE',
      'port',
      /environment variable MESOS_port: already set by environment variable MESOS_PORT/,
    );
  });

  it('honours a different prefix', () => {
    const { flags } = loadFlags(agentFlags, [], { MESOSCALE_WORK_DIR: '/p', MESOS_WORK_DIR: '/m' }, { envPrefix: 'MESOSCALE_' });
    assert.equal(flags.work_dir, '/p');
  });
});

describe('loadFlags: required flags', () => {
  it('fails naming the missing flag and how to set it', () => {
    expectFlagError(
      () => load([]),
      'FLAG_MISSING',
      'work_dir',
      /^Flag 'work_dir' is required, but it was not provided; pass --work_dir=VALUE or set MESOS_WORK_DIR$/,
    );
  });

  it('lists every missing flag', () => {
    const defs = defineFlags({
      master: { type: 'string', required: true, help: '' },
      work_dir: { type: 'path', required: true, help: '' },
    });
    expectFlagError(
      () => loadFlags(defs, [], {}),
      'FLAG_MISSING',
      'master',
      /^Flags 'master' and 'work_dir' are required, but they were not provided; pass --master=VALUE and --work_dir=VALUE, or set MESOS_MASTER and MESOS_WORK_DIR$/,
    );
  });

  it('counts a default or an environment variable as provided', () => {
    const defs = defineFlags({ port: { type: 'int', required: true, default: 1, help: '' } });
    assert.equal(loadFlags(defs, [], {}).flags.port, 1);
    assert.equal(load([], { MESOS_WORK_DIR: '/w' }).flags.work_dir, '/w');
  });
});

describe('loadFlags: file:// values', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'mesoscale-flags-'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const file = (name: string, contents: string): string => {
    const path = join(dir, name);
    writeFileSync(path, contents);
    return path;
  };

  it('reads the value from the file, parsed as the flag type', () => {
    const timeout = file('timeout', '30secs\n');
    const resources = file('resources', 'cpus:2;mem:512');
    const json = file('attrs.json', '{\n  "rack": "r2"\n}\n');
    const master = file('master', 'zk://zk1:2181/mesos\n');
    const { flags } = load([
      ...ARGS,
      `--agent_ping_timeout=file://${timeout}`,
      `--resources=file://${resources}`,
      `--attributes_json=file://${json}`,
      `--master=file://${master}`,
    ]);
    assert.equal(flags.agent_ping_timeout, 30_000);
    assert.deepEqual(flags.resources, { cpus: 2, mem: 512 });
    assert.deepEqual(flags.attributes_json, { rack: 'r2' });
    assert.equal(flags.master, 'zk://zk1:2181/mesos'); // one trailing newline dropped
  });

  it('works from the environment too', () => {
    const port = file('port', ' 5060 \n');
    assert.equal(load(ARGS, { MESOS_PORT: `file://${port}` }).flags.port, 5060);
  });

  it('takes path flags literally', () => {
    const { flags } = load([`--work_dir=file:///not/read`, `--credential=file://${join(dir, 'missing')}`]);
    assert.equal(flags.work_dir, 'file:///not/read');
    assert.equal(flags.credential, `file://${join(dir, 'missing')}`);
  });

  it('names the flag and the file when it cannot be read or parsed', () => {
    const missing = join(dir, 'nope');
    expectFlagError(
      () => load([...ARGS, `--port=file://${missing}`]),
      'FLAG_INVALID',
      'port',
      new RegExp(`^Failed to load flag 'port' from --port=file://${missing}: cannot read file '${missing}': ENOENT`),
    );
    const bad = file('bad-duration', '5s\n');
    expectFlagError(
      () => load([...ARGS, `--gc_delay=file://${bad}`]),
      'FLAG_INVALID',
      'gc_delay',
      new RegExp(`from --gc_delay=file://${bad}: value read from '${bad}': Invalid duration '5s': unknown unit 's'`),
    );
  });

  it('uses an injected reader', () => {
    const seen: string[] = [];
    const { flags } = loadFlags(agentFlags, [...ARGS, '--port=file:///etc/port'], {}, {
      readFile: (path) => {
        seen.push(path);
        return '4242';
      },
    });
    assert.equal(flags.port, 4242);
    assert.deepEqual(seen, ['/etc/port']);
  });
});
