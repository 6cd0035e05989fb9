/**
 * Role names, as Mesos validates them (`src/common/roles.cpp`).
 *
 * A role is a `/`-separated path (`eng/ml/batch`); a reservation to `eng` is
 * usable by frameworks of `eng` and of its descendants (`eng/ml`). `*` is the
 * pseudo-role of unreserved resources.
 */

export const UNRESERVED_ROLE = '*';

/**
 * Why `role` is not a valid role name, or undefined when it is. `*` is valid
 * (it names unreserved resources and the default role).
 */
export function roleError(role: string): string | undefined {
  if (role === UNRESERVED_ROLE) return undefined;
  if (role.length === 0) return 'role name is empty';
  if (role.startsWith('/')) return `role '${role}' starts with '/'`;
  if (role.endsWith('/')) return `role '${role}' ends with '/'`;
  for (let i = 0; i < role.length; i++) {
    const c = role.charCodeAt(i);
    if (c <= 0x20 || c === 0x7f) return `role '${role}' contains whitespace or a control character`;
    if (c === 0x5c) return `role '${role}' contains '\\'`;
  }
  for (const part of role.split('/')) {
    if (part.length === 0) return `role '${role}' contains an empty path component ('//')`;
    if (part === '.' || part === '..') return `role '${role}' has '${part}' as a path component`;
    if (part.startsWith('-')) return `role '${role}' has a path component starting with '-'`;
    if (part === UNRESERVED_ROLE) return `role '${role}' uses '*' as a path component`;
  }
  return undefined;
}

export function isValidRole(role: string): boolean {
  return roleError(role) === undefined;
}

/**
 * True if a reservation to `reservationRole` may be offered to a framework
 * subscribed to `role`: the same role or one of its ancestors. Unreserved
 * (`*`) resources may go to any role.
 */
export function isReservationUsableBy(reservationRole: string, role: string): boolean {
  if (reservationRole === UNRESERVED_ROLE || reservationRole === role) return true;
  return (
    role.length > reservationRole.length &&
    role.startsWith(reservationRole) &&
    role.charCodeAt(reservationRole.length) === 0x2f // '/'
  );
}
