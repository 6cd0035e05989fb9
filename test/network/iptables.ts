/**
 * Undoing the iptables state a test's portmap plugin created. portmap's DEL
 * removes the per-container chains (CNI-DN-*) but leaves its shared chains
 * (CNI-HOSTPORT-DNAT/-SETMARK/-MASQ) and the jumps to them from the built-in
 * chains, by design: other containers may use them. A test that created them
 * removes them again; chains that existed before it are left alone.
 */
import { execFileSync, spawnSync } from 'node:child_process';

const TABLES = ['nat', 'filter'] as const;
type Table = (typeof TABLES)[number];

function iptables(table: Table, args: readonly string[]): string {
  return execFileSync('iptables', ['-w', '5', '-t', table, ...args], { encoding: 'utf8' });
}

/** User-defined chain names per table. */
export function snapshotChains(): Map<Table, Set<string>> {
  return new Map(
    TABLES.map((table) => [
      table,
      new Set(
        iptables(table, ['-S'])
          .split('\n')
          .filter((l) => l.startsWith('-N '))
          .map((l) => l.slice(3).trim()),
      ),
    ]),
  );
}

/** Every chain (built-in or not) with the targets of its rules, by line number. */
function rulesJumpingTo(table: Table, chain: string, targets: ReadonlySet<string>): number[] {
  const out = iptables(table, ['-L', chain, '-n', '--line-numbers']);
  return out
    .split('\n')
    .slice(2)
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length >= 2 && targets.has(f[1]!))
    .map((f) => Number(f[0]))
    .sort((a, b) => b - a);
}

function allChains(table: Table): string[] {
  return iptables(table, ['-S'])
    .split('\n')
    .filter((l) => l.startsWith('-N ') || l.startsWith('-P '))
    .map((l) => l.split(' ')[1]!);
}

/** Chains created since `before`, with the rules jumping to them, removed. Returns what was removed. */
export function removeChainsCreatedSince(before: Map<Table, Set<string>>): string[] {
  const removed: string[] = [];
  for (const table of TABLES) {
    const existed = before.get(table) ?? new Set<string>();
    const created = new Set(snapshotChains().get(table)!);
    for (const name of existed) created.delete(name);
    if (created.size === 0) continue;
    for (const chain of allChains(table)) {
      for (const line of rulesJumpingTo(table, chain, created)) iptables(table, ['-D', chain, String(line)]);
    }
    for (const chain of created) spawnSync('iptables', ['-w', '5', '-t', table, '-F', chain]);
    for (const chain of created) {
      spawnSync('iptables', ['-w', '5', '-t', table, '-X', chain]);
      removed.push(`${table}/${chain}`);
    }
  }
  return removed;
}

/** Chains of this table whose name starts with `prefix` (e.g. per-container CNI-DN-). */
export function chainsWithPrefix(table: Table, prefix: string): string[] {
  return [...snapshotChains().get(table)!].filter((c) => c.startsWith(prefix));
}
