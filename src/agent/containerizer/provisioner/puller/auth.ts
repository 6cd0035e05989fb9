/**
 * Registry authentication as docker does it: a 401 carries
 * `WWW-Authenticate: Bearer realm="…",service="…",scope="…"` (ask the realm
 * for a token, with Basic credentials if we have some) or `Basic realm="…"`
 * (send the credentials themselves).
 */
import { readFile } from 'node:fs/promises';

import { RegistryAuthError } from '../errors.js';

export interface Credentials {
  readonly username: string;
  readonly password: string;
}

export interface Challenge {
  readonly scheme: 'bearer' | 'basic';
  readonly params: Readonly<Record<string, string>>;
}

/** Parses the first Bearer or Basic challenge of a WWW-Authenticate header. */
export function parseChallenge(header: string | null): Challenge | undefined {
  if (header === null) return undefined;
  const match = /^\s*(Bearer|Basic)\b\s*(.*)$/i.exec(header);
  if (match === null) return undefined;
  const params: Record<string, string> = {};
  const pattern = /([A-Za-z_][\w-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))/g;
  for (let m = pattern.exec(match[2]!); m !== null; m = pattern.exec(match[2]!)) {
    params[m[1]!.toLowerCase()] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3]!;
  }
  return { scheme: match[1]!.toLowerCase() as 'bearer' | 'basic', params };
}

export function basicAuthorization(credentials: Credentials): string {
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
}

/** Asks a Bearer challenge's realm for a token (docker's token protocol). */
export async function fetchBearerToken(challenge: Challenge, scope: string, credentials: Credentials | undefined): Promise<string> {
  const realm = challenge.params.realm;
  if (realm === undefined) throw new RegistryAuthError('the registry asked for a Bearer token but named no realm');
  const url = new URL(realm);
  if (challenge.params.service !== undefined) url.searchParams.set('service', challenge.params.service);
  url.searchParams.set('scope', challenge.params.scope ?? scope);
  const headers: Record<string, string> = {};
  if (credentials !== undefined) headers.authorization = basicAuthorization(credentials);
  let response: Response;
  try {
    response = await fetch(url, { headers });
  } catch (err) {
    throw new RegistryAuthError(`token server ${url.origin} is unreachable (${(err as Error).message})`, err);
  }
  if (!response.ok) {
    throw new RegistryAuthError(`token server ${url.origin} refused a token for '${url.searchParams.get('scope')}' (HTTP ${response.status}${credentials ? '' : ', no credentials were configured'}): ${(await response.text()).slice(0, 200)}`);
  }
  const body = (await response.json().catch(() => ({}))) as { token?: string; access_token?: string };
  const token = body.token ?? body.access_token;
  if (typeof token !== 'string' || token === '') throw new RegistryAuthError(`token server ${url.origin} answered without a token`);
  return token;
}

/**
 * Reads credentials from a docker config file (`~/.docker/config.json`
 * shape: `{"auths": {"host:port": {"auth": base64("user:pass")}}}`), which is
 * what Mesos' `--docker_config` takes.
 */
export async function loadDockerConfigCredentials(path: string): Promise<Map<string, Credentials>> {
  const doc = JSON.parse(await readFile(path, 'utf8')) as { auths?: Record<string, { auth?: string; username?: string; password?: string }> };
  const out = new Map<string, Credentials>();
  for (const [key, entry] of Object.entries(doc.auths ?? {})) {
    const host = key.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
    if (entry.username !== undefined && entry.password !== undefined) out.set(host, { username: entry.username, password: entry.password });
    else if (entry.auth !== undefined) {
      const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon > 0) out.set(host, { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) });
    }
  }
  return out;
}
