/**
 * `mesoscale <command>`: one file per subcommand under commands/, each exporting
 * a `register*Command(program)` function added below.
 */
import { Command } from 'commander';
import { VERSION } from '../version.js';
import { registerExecuteCommand } from './commands/execute.js';
import { registerImageCommand } from './commands/image.js';
import { registerAgentCommand } from './commands/agent.js';
import { registerLocalCommand } from './commands/local.js';
import { registerMasterCommand } from './commands/master.js';

export async function main(argv: string[]): Promise<void> {
  const program = new Command('mesoscale')
    .description('A Mesos-compatible cluster manager: master, agent, CLI')
    .version(VERSION)
    .enablePositionalOptions()
    .showHelpAfterError();
  // Subcommands (one line each; keep alphabetical).
  registerAgentCommand(program);
  registerExecuteCommand(program);
  registerImageCommand(program);
  registerLocalCommand(program);
  registerMasterCommand(program);
  await program.parseAsync(argv);
}
