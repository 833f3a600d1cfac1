import { createHash } from 'node:crypto';
import type { Context } from 'hono';
import { chooseEncoding, compress, isCompressible, responseBody } from './compression';

/** A document that is the same for every reader (feeds, the sitemap, robots.txt). */
export type PublicDocument = {
  body: string;
  contentType: string;
  /** when its content last changed; sent as Last-Modified and compared with If-Modified-Since */
  lastModified?: Date;
};

/** HTTP dates have whole seconds: compare in seconds, or a document would never be "not modified". */
const seconds = (ms: number) => Math.floor(ms / 1000);

function etagMatches(header: string, etag: string): boolean {
  return header.split(',').some((tag) => tag.trim() === etag || tag.trim() === '*');
}

/** RFC 9110 13.1.3: only a valid date that is not in the future counts. */
function notModifiedSince(header: string | undefined, lastModified: Date | undefined, now: number): boolean {
  if (!header || !lastModified) return false;
  const since = Date.parse(header);
  if (Number.isNaN(since) || since > now) return false;
  return seconds(lastModified.getTime()) <= seconds(since);
}

/**
 * Answers a GET for a public document with validators, so pollers (feed readers, crawlers) pay a
 * 304 when nothing changed: an ETag from the body, Last-Modified when the document has a date,
 * If-None-Match first and If-Modified-Since only without it (RFC 9110 13.2.2), br/gzip above 1 KB.
 * The response carries its own Cache-Control, so the page cache middleware leaves it alone.
 */
export function sendPublicDocument(c: Context, document: PublicDocument, now: number): Response {
  const bytes = Buffer.from(document.body, 'utf8');
  const etag = `W/"${createHash('sha1').update(bytes).digest('base64url').slice(0, 22)}"`;
  const headers = new Headers({ etag, 'cache-control': 'public, no-cache', vary: 'Accept-Encoding' });
  if (document.lastModified) headers.set('last-modified', new Date(seconds(document.lastModified.getTime()) * 1000).toUTCString());

  const ifNoneMatch = c.req.header('if-none-match');
  const unchanged =
    ifNoneMatch !== undefined
      ? etagMatches(ifNoneMatch, etag)
      : notModifiedSince(c.req.header('if-modified-since'), document.lastModified, now);
  if (unchanged) return new Response(null, { status: 304, headers });

  headers.set('content-type', document.contentType);
  let body: Uint8Array = bytes;
  if (isCompressible(document.contentType, bytes.byteLength)) {
    const encoding = chooseEncoding(c.req.header('accept-encoding'));
    if (encoding !== 'identity') {
      body = compress(bytes, encoding, 'fast');
      headers.set('content-encoding', encoding);
    }
  }
  headers.set('content-length', String(body.byteLength));
  return new Response(c.req.method === 'HEAD' ? null : responseBody(body), { status: 200, headers });
}
