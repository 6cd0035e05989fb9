/**
 * Public surface of the scheduler client library. Frameworks and the CLI
 * import from here, never from the files behind it.
 */
export { SchedulerClient, codecMediaType, type SchedulerClientOptions, type SchedulerCodec, type FrameworkInfoInit, type StateListener } from './client.js';
export { ConnectionState, type Subscription } from './connection-state.js';
export {
  acknowledgeCall,
  declineCall,
  killCall,
  launchCall,
  launchGroupCall,
  messageCall,
  reconcileCall,
  reviveCall,
  shutdownCall,
  suppressCall,
  teardownCall,
  type FilterOptions,
  type IdLike,
  type ReconcileTask,
  type TaskInfoInit,
} from './calls.js';
export {
  InvalidSchedulerOptionError,
  MasterUnavailableError,
  NotSubscribedError,
  RedirectError,
  SchedulerCallError,
  SchedulerClosedError,
  SchedulerError,
  SchedulerErrorCode,
  SchedulerProtocolError,
} from './errors.js';
export { type BackoffOptions } from './backoff.js';
export { parseMasterAddress, endpointUrl, type MasterEndpoint } from './master-endpoint.js';
export { decodeEventStream } from './event-stream.js';
export { agentUrlOf, offerFits, offerRole, resourcesFromProtos, resourcesToProtos, taskResourcesFor } from './offer-fit.js';
export { findExecutorSandbox, readSandboxFile, SandboxError, SandboxErrorCode } from './sandbox-files.js';
export { isTerminalState, taskReasonName, taskSourceName, taskStateName } from './task-states.js';
