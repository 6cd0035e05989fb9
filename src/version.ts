/** mesoscale's version, and the Mesos API version it speaks (reported by /version). */
export const VERSION = '0.1.0';
export const MESOS_COMPATIBLE_VERSION = '1.11.0';
