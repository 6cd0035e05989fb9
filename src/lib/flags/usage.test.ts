import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { defineFlags, effectiveFlags, loadFlags, usage } from './index.js';

const defs = defineFlags({
  work_dir: { type: 'path', required: true, help: 'Where state is kept.' },
  agent_ping_timeout: {
    type: 'duration',
    default: 75_000,
    aliases: ['slave_ping_timeout'],
    help: 'How long to wait for a master ping.',
  },
  registry_fetch_timeout: { type: 'duration', default: 60_000, help: 'Image fetch timeout.' },
  quiet: { type: 'bool', default: false, help: 'No stderr logging.' },
  gc_disk_headroom: { type: 'number', default: 0.1, help: 'Headroom.\nSecond line of help.' },
  max_size: { type: 'bytes', help: 'Largest sandbox.' },
  firewall_rules: { type: 'json', help: 'Disabled endpoints.' },
  hostname: { type: 'string', help: 'Hostname to advertise.' },
});

describe('effectiveFlags', () => {
  it('stringifies every set flag Mesos-style and omits unset flags without default', () => {
    const { flags } = loadFlags(
      defs,
      ['--work_dir=/var/lib/mesos', '--quiet', '--max_size=1536MB', '--firewall_rules={"disabled_endpoints":{"paths":["/a"]}}'],
      { MESOS_AGENT_PING_TIMEOUT: '90000ms' },
    );
    assert.deepEqual(effectiveFlags(defs, flags), {
      agent_ping_timeout: '90secs',
      firewall_rules: '{"disabled_endpoints":{"paths":["/a"]}}',
      gc_disk_headroom: '0.1',
      max_size: '1536MB',
      quiet: 'true',
      registry_fetch_timeout: '1mins',
      work_dir: '/var/lib/mesos',
    });
  });

  it('accepts partial values', () => {
    assert.deepEqual(effectiveFlags(defs, { quiet: false, hostname: undefined }), { quiet: 'false' });
  });
});

describe('usage', () => {
  it('lists each flag with its form, help, aliases and default, sorted by name', () => {
    const text = usage(defs, { programName: 'mesoscale-agent' });
    const lines = text.split('\n');
    assert.equal(lines[0], 'Usage: mesoscale-agent [options]');
    assert.equal(lines[1], '');
    const col = lines[2]!.indexOf('How long');
    assert.ok(col > 0);
    assert.equal(
      lines[2],
      `${'  --agent_ping_timeout=VALUE, --slave_ping_timeout=VALUE'.padEnd(col)}How long to wait for a master ping. (deprecated: slave_ping_timeout) (default: 75secs)`,
    );
    assert.ok(text.includes(`--firewall_rules=VALUE`));
    assert.match(text, /--gc_disk_headroom=VALUE +Headroom\.\n {10,}Second line of help\. \(default: 0\.1\)\n/);
    assert.match(text, /--\[no-\]quiet +No stderr logging\. \(default: false\)/);
    assert.match(text, /--registry_fetch_timeout=VALUE +Image fetch timeout\. \(default: 1mins\)/);
    assert.match(text, /--work_dir=VALUE +Where state is kept\. \(required\)/);
    assert.match(text, /--max_size=VALUE +Largest sandbox\.\n/);
    const names = [...text.matchAll(/^ {2}--(?:\[no-\])?([a-z_]+)/gm)].map((m) => m[1]);
    assert.deepEqual(names, [...names].sort());
    assert.equal(names.length, Object.keys(defs).length);
    // Every help column starts at the same place.
    for (const line of lines.slice(2).filter((l) => l.startsWith('  --'))) {
      assert.equal(line[col - 1], ' ');
      assert.notEqual(line[col], ' ');
    }
  });

  it('takes a custom header', () => {
    assert.ok(usage(defs, { header: 'Usage: mesoscale master [options]' }).startsWith('Usage: mesoscale master [options]\n\n'));
  });
});
