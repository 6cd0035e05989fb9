/** The agent's view of task states is the shared one (src/protocol/task-states.ts). */
export { isTerminalState, taskStateName } from '../protocol/task-states.js';
