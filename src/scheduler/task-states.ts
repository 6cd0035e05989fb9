/** Task state facts frameworks need; shared with the master and agent (src/protocol/task-states.ts). */
export { isTerminalState, taskReasonName, taskSourceName, taskStateName } from '../protocol/task-states.js';
