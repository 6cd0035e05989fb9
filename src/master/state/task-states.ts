/** Task state facts for the master's transitions (src/protocol/task-states.ts). */
export { isTerminalState, stateForFramework, taskStateName } from '../../protocol/task-states.js';
