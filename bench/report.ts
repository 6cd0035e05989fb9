/**
 * Writes one benchmark's figures into docs/benchmarks.md, replacing only its
 * own section (between `<!-- bench:NAME -->` markers) so benchmarks can run
 * separately. Each section records the command, the machine and the date.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const DOC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../docs/benchmarks.md');
const HEADER = '# Benchmarks\n\nEvery figure below was produced by the command shown with it, on the machine described. Benchmarks compare against a reference measured in the same run where one exists, because these machines are noisy.\n';

export function machineLine(): string {
  return `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`;
}

export function writeSection(name: string, title: string, command: string, body: string): void {
  const text = existsSync(DOC) ? readFileSync(DOC, 'utf8') : HEADER;
  const section = `<!-- bench:${name} -->\n## ${title}\n\nCommand: \`${command}\`  \nMachine: ${machineLine()}\n\n${body.trim()}\n<!-- /bench:${name} -->`;
  const pattern = new RegExp(`<!-- bench:${name} -->[\\s\\S]*?<!-- /bench:${name} -->`);
  const next = pattern.test(text) ? text.replace(pattern, section) : `${text.trimEnd()}\n\n${section}\n`;
  writeFileSync(DOC, next);
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}
