/**
 * Runs the host tools the provisioner relies on (GNU tar, mount, umount,
 * mknod, setfattr, cp) and turns a failure into ProvisionerCommandError with
 * the tool's own stderr, which is usually the actionable part.
 */
import { spawn } from 'node:child_process';

import { ProvisionerCommandError } from './errors.js';

const STDERR_LIMIT = 4096;

export async function run(command: string, args: readonly string[], options: { cwd?: string } = {}): Promise<string> {
  const child = spawn(command, args, { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    if (stderr.length < STDERR_LIMIT) stderr += chunk.toString();
  });
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.once('error', (err) => reject(new ProvisionerCommandError(command, `cannot start it (${err.message}); is it installed?`)));
    child.once('close', (c, s) => resolve([c, s]));
  });
  if (code !== 0) {
    const how = signal !== null ? `killed by ${signal}` : `exit status ${code}`;
    throw new ProvisionerCommandError(`${command} ${args.join(' ')}`, `${how}: ${stderr.trim() || '(no output)'}`);
  }
  return stdout;
}
