/*
 * A body as HTTP answers it: its ETag, 304 for a matching If-None-Match (or If-Modified-Since),
 * br/gzip as the client accepts, HEAD without a body. Shared by the page cache (src/cache/), its
 * early listener and the public documents (feeds, sitemap: src/lib/conditional-get.ts).
 */
import { hash as digest } from 'node:crypto';
import type { Context } from 'hono';
import { chooseEncoding, compress, isCompressible, responseBody, type Encoding } from './compression';

/** A short digest of a body, for ETags. */
export const bodyTag = (body: Buffer) => digest('sha1', body, 'base64url').slice(0, 22);

/** Anyone may keep an anonymous response, and must ask again (cheaply, by ETag) before reuse. */
export const SHARED_CACHE_CONTROL = 'public, no-cache';

function etagMatches(header: string, etag: string): boolean {
  return header.split(',').some((tag) => tag.trim() === etag || tag.trim() === '*');
}

/** What a request says that changes the answer from an entry. */
export type Conditions = {
  method: string;
  ifNoneMatch: string | undefined;
  acceptEncoding: string | undefined;
  /** If-Modified-Since says the client's copy is current (asked only without If-None-Match) */
  unmodifiedSince?: boolean;
};

/** A body with its headers and ETag: a cached entry, or a document answered once (feeds). */
export type Representation = {
  etag: string;
  body: Buffer;
  /** the handler's headers, less those set per answer and per request */
  headers: Array<[string, string]>;
  vary: string;
  /** its compressed forms, made once (cached entries) or on demand */
  encoded: Partial<Record<'br' | 'gzip', Buffer>>;
};

export type Answer = { status: 200 | 304; headers: Array<[string, string]>; body: Buffer | null };

/**
 * The response to `request` from `entry`: 304 when its ETag matches (or, without If-None-Match,
 * when If-Modified-Since does; RFC 9110 13.2.2), else the body in the best encoding the client
 * accepts (compressed once per entry), no body for HEAD. Pure, so the app and the cached-page
 * listener (src/cache/cached-page-listener.ts) answer alike.
 */
export function answerFrom(entry: Representation, request: Conditions, cacheControl: string, level: 'fast' | 'small'): Answer {
  const headers: Array<[string, string]> = [
    ...entry.headers,
    ['etag', entry.etag],
    ['cache-control', cacheControl],
    ['vary', entry.vary],
  ];
  const notModified =
    request.ifNoneMatch !== undefined ? etagMatches(request.ifNoneMatch, entry.etag) : request.unmodifiedSince === true;
  if (notModified) {
    return { status: 304, headers: headers.filter(([name]) => name !== 'content-type'), body: null };
  }
  let body: Buffer = entry.body;
  const contentType = entry.headers.find(([name]) => name === 'content-type')?.[1] ?? null;
  if (isCompressible(contentType, body.byteLength)) {
    const encoding: Encoding = chooseEncoding(request.acceptEncoding);
    if (encoding !== 'identity') {
      body = entry.encoded[encoding] ??= compress(entry.body, encoding, level);
      headers.push(['content-encoding', encoding]);
    }
  }
  headers.push(['content-length', String(body.byteLength)]);
  return { status: 200, headers, body: request.method === 'HEAD' ? null : body };
}

/** answerFrom() as a Response to this request. */
export function respond(
  c: Context,
  entry: Representation,
  cacheControl: string,
  level: 'fast' | 'small',
  unmodifiedSince = false,
): Response {
  const conditions = {
    method: c.req.method,
    ifNoneMatch: c.req.header('if-none-match'),
    acceptEncoding: c.req.header('accept-encoding'),
    unmodifiedSince,
  };
  const answer = answerFrom(entry, conditions, cacheControl, level);
  return new Response(answer.body && responseBody(answer.body), { status: answer.status, headers: answer.headers });
}

