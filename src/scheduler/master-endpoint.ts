/**
 * Where the master is: parsed from what users type (`host:port`,
 * `http://host:port`, `http://host:port/`) and re-pointed by redirects.
 */
import { InvalidSchedulerOptionError, RedirectError } from './errors.js';

export const SCHEDULER_API_PATH = '/api/v1/scheduler';
export const DEFAULT_MASTER_PORT = 5050;

/** A master's base URL (scheme, host, port; no path). */
export interface MasterEndpoint {
  readonly protocol: 'http:' | 'https:';
  readonly hostname: string;
  readonly port: number;
}

/** `host:port`, `host` (port 5050) or an http(s) URL. Throws InvalidSchedulerOptionError. */
export function parseMasterAddress(address: string): MasterEndpoint {
  const text = address.trim();
  if (text.length === 0) throw new InvalidSchedulerOptionError('The master address is empty; expected host:port');
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new InvalidSchedulerOptionError(`Invalid master address '${address}': expected host:port or http://host:port`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidSchedulerOptionError(`Invalid master address '${address}': only http and https are supported`);
  }
  if (url.pathname !== '/' && url.pathname !== '') {
    throw new InvalidSchedulerOptionError(`Invalid master address '${address}': give the master's base URL without a path`);
  }
  return {
    protocol: url.protocol,
    hostname: unbracket(url.hostname),
    // A bare host means Mesos' default port, not HTTP's. URL drops a port equal
    // to the scheme's default (https://m:443), so look at the text for one.
    port: url.port !== '' ? Number(url.port) : explicitDefaultPort(withScheme) ?? DEFAULT_MASTER_PORT,
  };
}

export function endpointUrl(endpoint: MasterEndpoint, path = ''): string {
  return `${endpoint.protocol}//${formatHost(endpoint.hostname)}:${endpoint.port}${path}`;
}

function formatHost(hostname: string): string {
  return hostname.includes(':') && !hostname.startsWith('[') ? `[${hostname}]` : hostname;
}

/**
 * The endpoint a redirect points at. Mesos sends a protocol-relative
 * `Location: //leader-host:port/api/v1/scheduler`; absolute URLs are accepted
 * too. The scheme stays ours unless the Location names one.
 */
export function resolveRedirect(current: MasterEndpoint, location: string | undefined): MasterEndpoint {
  if (location === undefined || location.trim() === '') {
    throw new RedirectError('The master answered with a redirect without a Location header');
  }
  let url: URL;
  try {
    url = new URL(location, endpointUrl(current, '/'));
  } catch {
    throw new RedirectError(`The master redirected to '${location}', which is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new RedirectError(`The master redirected to '${location}': unsupported scheme ${url.protocol}`);
  }
  return {
    protocol: url.protocol,
    hostname: unbracket(url.hostname),
    // A URL without a port means the scheme's port.
    port: url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port),
  };
}

function explicitDefaultPort(text: string): number | undefined {
  const match = /^[a-z][a-z0-9+.-]*:\/\/(?:\[[^\]]*\]|[^/:]*):(\d+)/i.exec(text);
  return match === null ? undefined : Number(match[1]);
}

/** URL keeps IPv6 literals in brackets; node:http wants them bare. */
function unbracket(hostname: string): string {
  return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
}
