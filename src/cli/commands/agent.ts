/**
 * `mesoscale agent`: flags as mesos-agent takes them (also MESOS_* variables,
 * e.g. an agent configured only by its environment). A bad flag or variable
 * stops the process at start with a message naming it and exit code 1.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import type { Command } from 'commander';
import { registerMesosFlagsCommand } from '../mesos-flags-command.js';
import { pino, type Logger } from 'pino';

import { Agent, AGENT_LOG_FILE } from '../../agent/agent.js';
import { agentFlagDefs, type AgentFlags, loadAgentFlags, unsupportedFlagWarnings } from '../../agent/flags.js';
import { errorMessage } from '../../lib/errors.js';

const LEVELS = { INFO: 'info', WARNING: 'warn', ERROR: 'error' } as const;

/** stderr (unless --quiet) and, with --log_dir, `<log_dir>/mesos-agent.log`. */
function agentLogger(flags: AgentFlags): Logger {
  const level = LEVELS[flags.logging_level as keyof typeof LEVELS] ?? 'info';
  const streams: pino.StreamEntry[] = [];
  if (!flags.quiet) streams.push({ level, stream: pino.destination(2) });
  if (flags.log_dir !== undefined) {
    mkdirSync(flags.log_dir, { recursive: true });
    streams.push({ level, stream: pino.destination({ dest: join(flags.log_dir, AGENT_LOG_FILE), append: true, mkdir: true }) });
  }
  return pino({ name: 'agent', level, base: { pid: process.pid } }, pino.multistream(streams));
}

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

export function registerAgentCommand(program: Command): void {
  registerMesosFlagsCommand(program, 'agent', 'Run a Mesos-compatible agent (flags: see `mesoscale agent --help`)', agentFlagDefs, async (args: string[]) => {
    let loaded;
    try {
      loaded = loadAgentFlags(args, process.env);
    } catch (err) {
      fail(errorMessage(err));
    }
    const flags = loaded.flags;
    const log = agentLogger(flags);
    for (const warning of [...loaded.warnings, ...unsupportedFlagWarnings(flags)]) log.warn(warning);
    let agent: Agent;
    try {
      agent = await Agent.create({ flags, logger: log });
      await agent.start();
    } catch (err) {
      fail(`Failed to start the agent: ${errorMessage(err)}`);
    }
    const stop = (): void => {
      void agent.stop().finally(() => process.exit(0));
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}
