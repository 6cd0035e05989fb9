/**
 * A Registry HTTP API V2 client over Node's fetch, for one registry: auth
 * (Bearer tokens from WWW-Authenticate, or Basic), manifest GETs with the
 * right Accept header, and blob downloads that resume with Range after a
 * cut (or restart cleanly when the registry ignores Range).
 */
import { createHash, type Hash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';

import { DigestMismatchError, ImageNotFoundError, RegistryAuthError, RegistryError } from '../errors.js';
import { basicAuthorization, type Challenge, type Credentials, fetchBearerToken, parseChallenge } from './auth.js';

export interface RegistryClientOptions {
  /** `http://127.0.0.1:5000` or `https://registry-1.docker.io`. */
  readonly baseUrl: string;
  readonly credentials?: Credentials | undefined;
  /** Attempts per blob when the connection drops mid-body (default 5). */
  readonly maxAttempts?: number;
}

export interface RegistryResponse {
  readonly response: Response;
}

export class RegistryClient {
  readonly baseUrl: string;
  readonly #credentials: Credentials | undefined;
  readonly #maxAttempts: number;
  /** Authorization header per repository scope, reused until a 401. */
  readonly #authorization = new Map<string, string>();

  constructor(options: RegistryClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#credentials = options.credentials;
    this.#maxAttempts = options.maxAttempts ?? 5;
  }

  /** GET /v2/<repo>/manifests/<ref>; returns raw bytes (digest checks are the caller's). */
  async getManifest(repository: string, selector: string, accept: string): Promise<{ bytes: Uint8Array; contentType: string | undefined; digestHeader: string | undefined }> {
    const response = await this.#request(repository, `/v2/${repository}/manifests/${selector}`, { accept });
    if (response.status === 404) {
      throw new ImageNotFoundError(`${repository}:${selector}`, `registry ${this.baseUrl}`, await errorDetail(response));
    }
    await this.#expectOk(response, `manifest ${repository}:${selector}`);
    const bytes = new Uint8Array(await response.arrayBuffer());
    return { bytes, contentType: response.headers.get('content-type') ?? undefined, digestHeader: response.headers.get('docker-content-digest') ?? undefined };
  }

  /** A small blob (the config) in memory; retried when the connection drops. */
  async getBlob(repository: string, digest: string): Promise<Uint8Array> {
    let lastError: unknown;
    for (let attempt = 1; attempt <= this.#maxAttempts; attempt++) {
      try {
        const response = await this.#request(repository, `/v2/${repository}/blobs/${digest}`, {});
        if (response.status === 404) throw new ImageNotFoundError(`${repository}@${digest}`, `registry ${this.baseUrl}`, await errorDetail(response));
        await this.#expectOk(response, `blob ${digest}`);
        return new Uint8Array(await response.arrayBuffer());
      } catch (err) {
        const retryable = err instanceof RegistryError ? err.retryable : !(err instanceof ImageNotFoundError || err instanceof RegistryAuthError);
        if (!retryable) throw err;
        lastError = err;
      }
    }
    throw new RegistryError(`blob ${digest} from ${this.baseUrl}/${repository}: failed ${this.#maxAttempts} times, last: ${(lastError as Error)?.message}`, { retryable: true, cause: lastError });
  }

  /**
   * Streams a blob into `path`, hashing as it writes. When the body is cut
   * short, asks again with `Range: bytes=<have>-`; a 206 continues the file
   * and the hash, a 200 starts both over. The digest is checked at the end.
   */
  async downloadBlob(repository: string, digest: string, size: number, path: string, onBytes: (received: number) => void): Promise<void> {
    const file = await open(path, 'w');
    let hash: Hash = createHash('sha256');
    let received = 0;
    let lastError: unknown;
    try {
      for (let attempt = 1; attempt <= this.#maxAttempts; attempt++) {
        const headers: Record<string, string> = received > 0 ? { range: `bytes=${received}-` } : {};
        let response: Response;
        try {
          response = await this.#request(repository, `/v2/${repository}/blobs/${digest}`, headers);
        } catch (err) {
          if (err instanceof RegistryAuthError) throw err;
          lastError = err;
          continue;
        }
        if (response.status === 404) throw new ImageNotFoundError(`${repository}@${digest}`, `registry ${this.baseUrl}`, await errorDetail(response));
        if (received > 0 && response.status === 200) {
          // The registry ignored Range: start over from the first byte.
          received = 0;
          hash = createHash('sha256');
          await file.truncate(0);
        } else if (received > 0 && response.status !== 206) {
          await this.#expectOk(response, `blob ${digest}`);
        } else if (received === 0) {
          await this.#expectOk(response, `blob ${digest}`);
        }
        const progress = { received };
        try {
          await appendBody(response, file, progress, hash, size, digest, onBytes);
        } catch (err) {
          received = progress.received; // what reached the file (and the hash) before the cut
          if (err instanceof DigestMismatchError) throw err;
          lastError = err; // Connection cut: go round with a Range request.
          continue;
        }
        received = progress.received;
        if (received < size) {
          lastError = new Error(`body ended after ${received} of ${size} bytes`);
          continue;
        }
        const actual = `sha256:${hash.digest('hex')}`;
        if (actual !== digest) throw new DigestMismatchError(`blob ${digest} from ${this.baseUrl}/${repository}`, digest, actual);
        return;
      }
      throw new RegistryError(`blob ${digest} from ${this.baseUrl}/${repository}: download failed ${this.#maxAttempts} times, last: ${(lastError as Error)?.message ?? lastError}`, { retryable: true, cause: lastError });
    } finally {
      await file.close();
    }
  }

  /** One request with auth; a 401 is answered once per call by getting a token or sending Basic. */
  async #request(repository: string, path: string, headers: Record<string, string>): Promise<Response> {
    const scope = `repository:${repository}:pull`;
    const url = `${this.baseUrl}${path}`;
    const send = (authorization: string | undefined) =>
      fetch(url, { headers: authorization === undefined ? headers : { ...headers, authorization }, redirect: 'follow' }).catch((err: unknown) => {
        throw new RegistryError(`registry ${this.baseUrl} is unreachable (${(err as Error).message}); check --docker_registry`, { retryable: true, cause: err });
      });
    let response = await send(this.#authorization.get(scope));
    if (response.status !== 401) return response;
    const challenge = parseChallenge(response.headers.get('www-authenticate'));
    await response.body?.cancel();
    const authorization = await this.#authorize(challenge, scope);
    this.#authorization.set(scope, authorization);
    response = await send(authorization);
    if (response.status === 401) {
      throw new RegistryAuthError(`registry ${this.baseUrl} refused our ${challenge?.scheme ?? ''} credentials for ${scope}; check the docker config credentials`);
    }
    return response;
  }

  async #authorize(challenge: Challenge | undefined, scope: string): Promise<string> {
    if (challenge?.scheme === 'bearer') return `Bearer ${await fetchBearerToken(challenge, scope, this.#credentials)}`;
    if (challenge?.scheme === 'basic') {
      if (this.#credentials === undefined) throw new RegistryAuthError(`registry ${this.baseUrl} wants Basic credentials for ${scope} and none are configured (--docker_config)`);
      return basicAuthorization(this.#credentials);
    }
    throw new RegistryAuthError(`registry ${this.baseUrl} answered 401 with no usable WWW-Authenticate challenge`);
  }

  async #expectOk(response: Response, what: string): Promise<void> {
    if (response.ok) return;
    const detail = await errorDetail(response);
    throw new RegistryError(`registry ${this.baseUrl}: ${what}: HTTP ${response.status} ${detail}`, { status: response.status, retryable: response.status >= 500 || response.status === 429 });
  }
}

/** Appends the body at `progress.received`, which always equals the bytes written and hashed. */
async function appendBody(response: Response, file: FileHandle, progress: { received: number }, hash: Hash, size: number, digest: string, onBytes: (n: number) => void): Promise<void> {
  if (response.body === null) return;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    if (progress.received + chunk.length > size) {
      throw new DigestMismatchError(`blob ${digest}`, digest, `(more than the ${size} bytes its descriptor declares)`);
    }
    await file.write(chunk, 0, chunk.length, progress.received);
    hash.update(chunk);
    progress.received += chunk.length;
    onBytes(progress.received);
  }
}

/** The registry's JSON error (`{"errors":[{code,message}]}`) as one line. */
async function errorDetail(response: Response): Promise<string> {
  const text = await response.text().catch(() => '');
  try {
    const doc = JSON.parse(text) as { errors?: Array<{ code?: string; message?: string }> };
    if (Array.isArray(doc.errors)) return doc.errors.map((e) => `${e.code ?? ''}: ${e.message ?? ''}`).join('; ');
  } catch {
    // not JSON
  }
  return text.slice(0, 200);
}
