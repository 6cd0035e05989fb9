/**
 * Structural validation of a scheduler Call before it reaches the master core,
 * with Mesos' messages (answered 400 `Failed to validate scheduler::Call: ...`).
 */
import { Call_Type, type Call } from '../../protocol/gen/mesos/v1/scheduler/scheduler_pb.js';
import { isValidUuidBytes } from '../../lib/uuid.js';

/** The sub-message each call type must carry (field name in JSON). */
const REQUIRED_SUBMESSAGE: Partial<Record<Call_Type, keyof Call & string>> = {
  [Call_Type.SUBSCRIBE]: 'subscribe',
  [Call_Type.ACCEPT]: 'accept',
  [Call_Type.DECLINE]: 'decline',
  [Call_Type.ACCEPT_INVERSE_OFFERS]: 'acceptInverseOffers',
  [Call_Type.DECLINE_INVERSE_OFFERS]: 'declineInverseOffers',
  [Call_Type.KILL]: 'kill',
  [Call_Type.SHUTDOWN]: 'shutdown',
  [Call_Type.ACKNOWLEDGE]: 'acknowledge',
  [Call_Type.ACKNOWLEDGE_OPERATION_STATUS]: 'acknowledgeOperationStatus',
  [Call_Type.RECONCILE]: 'reconcile',
  [Call_Type.RECONCILE_OPERATIONS]: 'reconcileOperations',
  [Call_Type.MESSAGE]: 'message',
  [Call_Type.REQUEST]: 'request',
  [Call_Type.UPDATE_FRAMEWORK]: 'updateFramework',
};

const SNAKE: Record<string, string> = {
  acceptInverseOffers: 'accept_inverse_offers',
  declineInverseOffers: 'decline_inverse_offers',
  acknowledgeOperationStatus: 'acknowledge_operation_status',
  reconcileOperations: 'reconcile_operations',
  updateFramework: 'update_framework',
};

/** Returns the reason the call is invalid, or undefined. */
export function validateSchedulerCall(call: Call): string | undefined {
  if (call.type === Call_Type.UNKNOWN) {
    return "Expecting 'type' to be present";
  }
  const sub = REQUIRED_SUBMESSAGE[call.type];
  if (sub !== undefined && call[sub] === undefined) {
    return `Expecting '${SNAKE[sub] ?? sub}' to be present`;
  }
  if (call.type === Call_Type.SUBSCRIBE) {
    const infoId = call.subscribe!.frameworkInfo?.id?.value ?? '';
    const callId = call.frameworkId?.value ?? '';
    if (infoId !== callId) return "'framework_id' differs from 'subscribe.framework_info.id'";
    return undefined;
  }
  if (call.frameworkId === undefined || call.frameworkId.value === '') {
    return "Expecting 'framework_id' to be present";
  }
  if (call.type === Call_Type.ACKNOWLEDGE && !isValidUuidBytes(call.acknowledge!.uuid)) {
    return 'Not a valid UUID';
  }
  return undefined;
}
