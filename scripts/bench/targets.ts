/**
 * What is measured: the read targets, the write request, and a check that each can be made at
 * all before any load is sent (a target that cannot be made is a harness failure, not a result).
 */
import http from 'node:http';
import zlib from 'node:zlib';
import type { Request } from 'autocannon';
import { createRng } from './random';
import type { SeededDataset } from './seed';
import { HarnessError } from './servers';
import { commentBody } from './text';

/** What a browser sends: compression and caching are whatever the app does with these. */
export const PAGE_HEADERS: Record<string, string> = {
  accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
  'accept-encoding': 'gzip, deflate, br',
  'user-agent': 'quire-bench',
};
export const API_HEADERS: Record<string, string> = {
  accept: 'application/json',
  'accept-encoding': 'gzip, deflate, br',
  'user-agent': 'quire-bench',
};

export type BaselineName = 'raw' | 'jsx';

export type ReadTarget = {
  name: string;
  group: 'anonymous' | 'signed in' | 'api';
  /** anonymous pages against the raw node:http baseline; signed-in pages and the API against hono/jsx */
  baseline: BaselineName;
  path: string;
  headers: Record<string, string>;
  /** text the (decoded) response must contain for the request to count as made */
  expect: string[];
};

export function readTargets(d: SeededDataset): ReadTarget[] {
  const signedIn = { ...PAGE_HEADERS, cookie: `session=${d.reader.token}` };
  const slug = encodeURIComponent(d.knownArticleSlug);
  const anonymous = (name: string, path: string, expect: string[]): ReadTarget => ({
    name,
    group: 'anonymous',
    baseline: 'raw',
    path,
    headers: PAGE_HEADERS,
    expect: ['href="/login"', ...expect],
  });
  const api = (name: string, path: string, expect: string): ReadTarget =>
    ({ name, group: 'api', baseline: 'jsx', path, headers: API_HEADERS, expect: [expect] });
  const member = (name: string, path: string): ReadTarget =>
    ({ name, group: 'signed in', baseline: 'jsx', path, headers: signedIn, expect: ['href="/settings"', '/article/'] });
  return [
    anonymous('home', '/', ['/article/']),
    anonymous('home page 50', '/?page=50', ['/article/']),
    anonymous(`tag ${d.popularTag}`, `/tag/${encodeURIComponent(d.popularTag)}`, ['/article/']),
    anonymous('profile', `/profile/${encodeURIComponent(d.profileUsername)}`, [d.profileUsername]),
    anonymous('article, 50 comments', `/article/${slug}`, [`/article/${slug}`]),
    api('api articles', '/api/articles', '"articles"'),
    api('api article', `/api/articles/${slug}`, `"slug":"${d.knownArticleSlug}"`),
    member('signed-in home', '/'),
    member('your feed', '/?feed=following'),
  ];
}

/** POST /api/articles/:slug/comments, as each writer in turn, on articles picked at random. */
export function commentRequest(d: SeededDataset, seed: number): Request {
  const rng = createRng(seed);
  let sent = 0;
  return {
    method: 'POST',
    path: '/api/articles/placeholder/comments',
    headers: { ...API_HEADERS, 'content-type': 'application/json' },
    setupRequest: (request) => ({
      ...request,
      path: `/api/articles/${encodeURIComponent(rng.pick(d.writeSlugs))}/comments`,
      headers: { ...request.headers, authorization: `Token ${d.writerTokens[sent++ % d.writerTokens.length]}` },
      body: JSON.stringify({ comment: { body: commentBody(rng) } }),
    }),
  };
}

export type RawResponse = {
  status: number;
  /** [name, value] pairs as sent */
  headers: Array<[string, string]>;
  /** the bytes on the wire (compressed if the server compressed) */
  body: Buffer;
  /** the body decoded to text */
  text: string;
};

function decode(body: Buffer, encoding: string | undefined): Buffer {
  if (encoding === 'gzip') return zlib.gunzipSync(body);
  if (encoding === 'deflate') return zlib.inflateSync(body);
  if (encoding === 'br') return zlib.brotliDecompressSync(body);
  return body;
}

/** One request through node:http, keeping the raw bytes (fetch would decompress them). */
export function httpRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: options.method ?? 'GET', headers: options.headers, timeout: 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        const headers: Array<[string, string]> = [];
        for (let i = 0; i < res.rawHeaders.length; i += 2) headers.push([res.rawHeaders[i]!, res.rawHeaders[i + 1]!]);
        try {
          const text = decode(body, res.headers['content-encoding']).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers, body, text });
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Fails the run when a target cannot be made at all (wrong status, or not the expected page). */
export async function checkTarget(origin: string, target: ReadTarget): Promise<RawResponse> {
  let res: RawResponse;
  try {
    res = await httpRequest(origin + target.path, { headers: target.headers });
  } catch (error) {
    throw new HarnessError(`${target.name} (GET ${target.path}) failed: ${(error as Error).message}`);
  }
  const missing = target.expect.filter((text) => !res.text.includes(text));
  if (res.status < 200 || res.status >= 400 || missing.length > 0) {
    throw new HarnessError(
      `${target.name} (GET ${target.path}) cannot be measured: status ${res.status}` +
        (missing.length ? `, response lacks ${missing.map((text) => JSON.stringify(text)).join(', ')}` : ''),
    );
  }
  return res;
}

/** The write mix must be possible: one comment posted by the first writer. */
export async function checkCommentPost(origin: string, d: SeededDataset): Promise<void> {
  const request = commentRequest(d, 1);
  const built = request.setupRequest!(request, {});
  const res = await httpRequest(origin + built.path, {
    method: 'POST',
    headers: built.headers,
    body: typeof built.body === 'string' ? built.body : undefined,
  }).catch((error: Error) => {
    throw new HarnessError(`POST comment failed: ${error.message}`);
  });
  if (res.status !== 201) throw new HarnessError(`POST ${built.path} answered ${res.status}, not 201: ${res.text.slice(0, 300)}`);
}
