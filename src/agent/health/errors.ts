/**
 * Errors of the health module. Probe failures are not errors (they are
 * ProbeResults); these are the cases where a check cannot run at all.
 */
import { MesoscaleError } from '../../lib/errors.js';

/**
 * A HealthCheck or CheckInfo the master should have refused (see
 * src/protocol/check-validation.ts) reached an executor. Permanent: the task runs unchecked.
 */
export class InvalidCheckError extends MesoscaleError {
  constructor(what: 'health check' | 'check', problem: string) {
    super('HEALTH_CHECK_INVALID', `The task's ${what} cannot run: ${problem}; the master validates checks at launch, so this task was not validated`);
  }
}
