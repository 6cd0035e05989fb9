/**
 * `/files/browse`, `/files/read`, `/files/download` (and their `.json`
 * aliases, and under `/slave(1)`) for sandboxes: reference 7.6. Path rules
 * live in ../sandbox-files.ts.
 */
import { open, readdir, stat } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { extname, join } from 'node:path';
import { userInfo } from 'node:os';

import type { FastifyInstance } from 'fastify';

import { routeWithPrefixes, sendJson } from '../../http/server.js';
import { FilesError } from '../errors.js';
import { type AttachedRoot, MAX_READ_BYTES, modeString, parseReadWindow, resolveAttachedPath } from '../sandbox-files.js';

const PREFIXES = ['/slave(1)'];

const CONTENT_TYPES: Record<string, string> = {
  '.txt': 'text/plain',
  '.log': 'text/plain',
  '.json': 'application/json',
  '.html': 'text/html',
  '.htm': 'text/html',
  '.css': 'text/css',
  '.js': 'application/javascript',
  '.xml': 'application/xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.svg': 'image/svg+xml',
  '.pdf': 'application/pdf',
  '.gz': 'application/gzip',
  '.tar': 'application/x-tar',
  '.zip': 'application/zip',
};

type Query = Record<string, string | undefined>;

export function registerFilesRoutes(app: FastifyInstance, roots: () => AttachedRoot[]): void {
  const currentUser = userInfo();
  const owner = (id: number, own: number, name: string): string => (id === own ? name : String(id));

  for (const suffix of ['', '.json']) {
    routeWithPrefixes(app, 'GET', `/files/browse${suffix}`, PREFIXES, async (req, reply) => {
      const requested = (req.query as Query).path;
      const { host, stats } = await resolveAttachedPath(requested, roots());
      const base = requested!.replace(/\/+$/, '');
      const entries = stats.isDirectory() ? await readdir(host) : [];
      const listing = [];
      for (const name of entries.sort()) {
        const s = await stat(join(host, name)).catch(() => undefined);
        if (s === undefined) continue; // dangling link or just deleted
        listing.push({
          path: `${base}/${name}`,
          nlink: s.nlink,
          size: s.size,
          mtime: Math.floor(s.mtimeMs / 1000),
          mode: modeString(s),
          uid: owner(s.uid, currentUser.uid, currentUser.username),
          gid: owner(s.gid, currentUser.gid, currentUser.username),
        });
      }
      return sendJson(req, reply, listing);
    });

    routeWithPrefixes(app, 'GET', `/files/read${suffix}`, PREFIXES, async (req, reply) => {
      const query = req.query as Query;
      const window = parseReadWindow(query.offset, query.length);
      const { host, stats } = await resolveAttachedPath(query.path, roots());
      if (stats.isDirectory()) throw new FilesError('bad-path', `Cannot read '${query.path}': it is a directory`);
      if (window.offset === -1) return sendJson(req, reply, { offset: stats.size, data: '' });
      if (window.offset >= stats.size) return sendJson(req, reply, { offset: window.offset, data: '' });
      const want = Math.min(window.length ?? MAX_READ_BYTES, MAX_READ_BYTES, stats.size - window.offset);
      const buffer = Buffer.alloc(want);
      const file = await open(host, 'r');
      try {
        const { bytesRead } = await file.read(buffer, 0, want, window.offset);
        return sendJson(req, reply, { offset: window.offset, data: buffer.subarray(0, bytesRead).toString('utf8') });
      } finally {
        await file.close();
      }
    });

    routeWithPrefixes(app, 'GET', `/files/download${suffix}`, PREFIXES, async (req, reply) => {
      const requested = (req.query as Query).path;
      const { host, stats } = await resolveAttachedPath(requested, roots());
      if (stats.isDirectory()) throw new FilesError('bad-path', `Cannot download '${requested}': it is a directory`);
      const name = requested!.split('/').pop() ?? 'file';
      return reply
        .type(CONTENT_TYPES[extname(name).toLowerCase()] ?? 'application/octet-stream')
        .header('Content-Disposition', `attachment; filename="${name.replace(/"/g, '')}"`)
        .header('Content-Length', String(stats.size))
        .send(createReadStream(host));
    });
  }
}
