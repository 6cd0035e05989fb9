/**
 * A subcommand whose flags follow Mesos' rules (`--name=value`, `--no-name`,
 * MESOS_* variables) instead of commander's: commander only routes to it and
 * hands over the raw arguments; `--help` prints the flags' usage.
 */
import type { Command } from 'commander';
import { usage, type FlagDefs } from '../lib/flags/index.js';

export function registerMesosFlagsCommand(
  program: Command,
  name: string,
  description: string,
  defs: FlagDefs,
  run: (args: string[]) => Promise<void>,
): void {
  program
    .command(name)
    .description(description)
    .helpOption(false)
    .allowUnknownOption(true)
    .allowExcessArguments(true)
    .argument('[flags...]')
    .action(async (args: string[]) => {
      if (args.includes('--help') || args.includes('-h')) {
        process.stdout.write(usage(defs, { programName: `mesoscale ${name}` }));
        return;
      }
      await run(args);
    });
}
