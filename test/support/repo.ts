/** Paths in the repository, found from this file (which runs from dist/test/support). */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findRepoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'mesoscale') return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`No mesoscale package.json above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

export const REPO_ROOT = findRepoRoot();
/** The CLI entry point; run it with `process.execPath` so tests use the same node. */
export const MESOSCALE_BIN = path.join(REPO_ROOT, 'bin', 'mesoscale');
