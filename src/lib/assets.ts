import { createHash } from 'node:crypto';
import path from 'node:path';
import { compress, isCompressible } from './compression';

const CONTENT_TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/** A static file with its br and gzip forms, made once at start when they are worth it. */
export type Asset = { body: Uint8Array; contentType: string; br?: Buffer; gzip?: Buffer };

export type Assets = {
  /** "style.css" -> "/static/style.3f2a9c1b.css": the name changes when the content does */
  url(name: string): string;
  /** by fingerprinted name ("style.3f2a9c1b.css") */
  byFingerprint(file: string): Asset | undefined;
  /** by plain name ("default-avatar.svg"), for the few root files */
  byName(file: string): Asset | undefined;
};

/** Holds the static files in memory (they are small) and fingerprints every one. */
export function loadAssets(files: Map<string, Buffer>): Assets {
  const byName = new Map<string, Asset>();
  const byFingerprint = new Map<string, Asset>();
  const urls = new Map<string, string>();
  for (const [name, body] of files) {
    const ext = path.extname(name);
    const contentType = CONTENT_TYPES[ext] ?? 'application/octet-stream';
    const asset: Asset = isCompressible(contentType, body.byteLength)
      ? { body, contentType, br: compress(body, 'br', 'small'), gzip: compress(body, 'gzip', 'small') }
      : { body, contentType };
    const hash = createHash('sha256').update(body).digest('hex').slice(0, 10);
    const fingerprinted = `${path.basename(name, ext)}.${hash}${ext}`;
    byName.set(name, asset);
    byFingerprint.set(fingerprinted, asset);
    urls.set(name, `/static/${fingerprinted}`);
  }
  return {
    url(name) {
      const url = urls.get(name);
      if (!url) throw new Error(`No static file named ${name}`);
      return url;
    },
    byFingerprint: (file) => byFingerprint.get(file),
    byName: (file) => byName.get(file),
  };
}
