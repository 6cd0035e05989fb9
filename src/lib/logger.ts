import { pino, type Logger } from 'pino';

export type { Logger };

/** One pino logger per process; components take a child with their name. */
export function createLogger(name: string, level: string = process.env.MESOSCALE_LOG_LEVEL ?? 'info'): Logger {
  return pino({ name, level, base: { pid: process.pid } });
}

/** A logger that drops everything: for unit tests and benchmarks. */
export const silentLogger: Logger = pino({ level: 'silent' });
