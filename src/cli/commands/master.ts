/** `mesoscale master`: flags as mesos-master takes them (also MESOS_* variables). */
import type { Command } from 'commander';
import { registerMesosFlagsCommand } from '../mesos-flags-command.js';
import { loadFlags } from '../../lib/flags/index.js';
import { createLogger } from '../../lib/logger.js';
import { errorMessage } from '../../lib/errors.js';
import { masterFlagDefs } from '../../master/flags.js';
import { startMaster } from '../../master/master.js';

export function registerMasterCommand(program: Command): void {
  registerMesosFlagsCommand(program, 'master', 'Run a Mesos-compatible master (flags: see `mesoscale master --help`)', masterFlagDefs, async (args: string[]) => {
    let loaded;
    try {
      loaded = loadFlags(masterFlagDefs, args, process.env);
    } catch (err) {
      process.stderr.write(`${errorMessage(err)}\n`);
      process.exit(1);
    }
    const flags = loaded.flags;
    const unsupported = [
      flags.zk !== undefined && '--zk (ZooKeeper leader election)',
      flags.authenticate_frameworks && '--authenticate_frameworks',
      flags.authenticate_http_frameworks && '--authenticate_http_frameworks',
      flags.authenticate_agents && '--authenticate_agents',
    ].filter(Boolean);
    if (unsupported.length > 0) {
      process.stderr.write(`Not supported by mesoscale yet: ${unsupported.join(', ')}\n`);
      process.exit(1);
    }
    const log = createLogger('master', flags.quiet ? 'silent' : flags.logging_level === 'INFO' ? 'info' : flags.logging_level === 'WARNING' ? 'warn' : 'error');
    for (const warning of loaded.warnings) log.warn(warning);
    const master = await startMaster(flags, log).catch((err: unknown) => {
      process.stderr.write(`Failed to start the master: ${errorMessage(err)}\n`);
      process.exit(1);
    });
    const stop = () => {
      void master.stop().then(() => process.exit(0));
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}
