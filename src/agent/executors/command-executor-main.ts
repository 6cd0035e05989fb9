/**
 * Entry point of the command executor process: `node command-executor-main.js`,
 * started by the agent in the task's sandbox with the executor environment
 * (reference 4.4). Progress lines go to stderr (the sandbox's `stderr` file),
 * leaving `stdout` to the task.
 */
import { CommandExecutor } from './command-executor.js';
import { ExecutorClient, readExecutorEnvironment } from './executor-client.js';

function log(line: string): void {
  process.stderr.write(`[command-executor ${new Date().toISOString()}] ${line}\n`);
}

async function main(): Promise<number> {
  const env = readExecutorEnvironment(process.env);
  const executor = new CommandExecutor({ env, client: new ExecutorClient(env), log });
  // The agent (or an operator) stopping the executor: end the task like a SHUTDOWN would.
  process.once('SIGTERM', () => executor.shutdown());
  process.once('SIGINT', () => executor.shutdown());
  return executor.run();
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    log(`Fatal: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
