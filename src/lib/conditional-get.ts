import type { Context } from 'hono';
import { bodyTag, respond, SHARED_CACHE_CONTROL } from './representation';

/** A document that is the same for every reader (feeds, the sitemap, robots.txt). */
export type PublicDocument = {
  body: string;
  contentType: string;
  /** when its content last changed; sent as Last-Modified and compared with If-Modified-Since */
  lastModified?: Date;
};

/** HTTP dates have whole seconds: compare in seconds, or a document would never be "not modified". */
const seconds = (ms: number) => Math.floor(ms / 1000);

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
 * If-None-Match first and If-Modified-Since only without it, br/gzip above 1 KB. The same
 * answerFrom() as cached pages; the response carries its own Cache-Control, so the page cache
 * middleware leaves it alone.
 */
export function sendPublicDocument(c: Context, document: PublicDocument, now: number): Response {
  const body = Buffer.from(document.body, 'utf8');
  const headers: Array<[string, string]> = [['content-type', document.contentType]];
  if (document.lastModified) headers.push(['last-modified', new Date(seconds(document.lastModified.getTime()) * 1000).toUTCString()]);
  const unmodified = notModifiedSince(c.req.header('if-modified-since'), document.lastModified, now);
  const representation = { etag: `W/"${bodyTag(body)}"`, body, headers, vary: 'Accept-Encoding', encoded: {} };
  return respond(c, representation, SHARED_CACHE_CONTROL, 'fast', unmodified);
}
