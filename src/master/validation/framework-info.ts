/**
 * FrameworkInfo checks made at SUBSCRIBE (failures arrive as an ERROR event
 * inside the 200 stream, as in Mesos).
 */
import { FrameworkInfo_Capability_Type, type FrameworkInfo } from '../../protocol/gen/mesos/v1/mesos_pb.js';
import { roleError } from '../../resources/index.js';
import { isFieldSet } from '@bufbuild/protobuf';
import { FrameworkInfoSchema } from '../../protocol/gen/mesos/v1/mesos_pb.js';

export function hasCapability(info: FrameworkInfo, type: FrameworkInfo_Capability_Type): boolean {
  return info.capabilities.some((c) => c.type === type);
}

/** The roles a framework subscribes with (MULTI_ROLE `roles`, else the legacy `role`). */
export function frameworkRoles(info: FrameworkInfo): string[] {
  if (hasCapability(info, FrameworkInfo_Capability_Type.MULTI_ROLE)) return [...info.roles];
  return [info.role === '' ? '*' : info.role];
}

/** Returns the reason the FrameworkInfo is invalid, or undefined. */
export function validateFrameworkInfo(
  info: FrameworkInfo,
  options: { allowedRoles?: readonly string[] | undefined; rootSubmissions: boolean },
): string | undefined {
  const multiRole = hasCapability(info, FrameworkInfo_Capability_Type.MULTI_ROLE);
  if (!multiRole && info.roles.length > 0) {
    return "'FrameworkInfo.roles' is set but MULTI_ROLE capability is not specified";
  }
  if (multiRole && isFieldSet(info, FrameworkInfoSchema.field.role)) {
    return "'FrameworkInfo.role' must not be set when MULTI_ROLE capability is specified";
  }
  const roles = frameworkRoles(info);
  const seen = new Set<string>();
  for (const role of roles) {
    const err = roleError(role);
    if (err !== undefined) return `Role '${role}' is invalid: ${err}`;
    if (seen.has(role)) return `'FrameworkInfo.roles' contains duplicate role '${role}'`;
    seen.add(role);
    if (options.allowedRoles !== undefined && role !== '*' && !options.allowedRoles.includes(role)) {
      return `Role '${role}' is not present in the master's --roles`;
    }
  }
  if (!Number.isFinite(info.failoverTimeout) || info.failoverTimeout < 0 || info.failoverTimeout * 1e9 > Number.MAX_SAFE_INTEGER * 1024) {
    return `Invalid failover_timeout: ${info.failoverTimeout}`;
  }
  if (info.user === 'root' && !options.rootSubmissions) {
    return 'User \'root\' is not allowed to run frameworks without --root_submissions set';
  }
  return undefined;
}
