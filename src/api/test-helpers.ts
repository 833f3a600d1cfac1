import { expect } from 'vitest';
import { createSession } from '../auth/session';
import { sessions } from '../db/schema';
import { insertArticle, insertUser, ORIGIN, rowCount, type TestApp } from '../test-support';
import { uploadForm } from '../test-support/images';

/** A response read once: status, headers, raw text and the parsed JSON (null when not JSON). */
export type ApiResponse = {
  status: number;
  headers: Headers;
  text: string;
  body: any;
};

type SendOptions = { token?: string | undefined; body?: unknown; headers?: Record<string, string> };

/** Reads a response; `body` is the parsed JSON when the text is JSON, else null. */
export async function read(res: Response): Promise<ApiResponse> {
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  return { status: res.status, headers: res.headers, text, body };
}

/**
 * A client for /api: JSON bodies get `Content-Type: application/json`; requests without a body
 * carry no content type at all; `token` becomes `Authorization: Token <token>`.
 */
export function api(t: TestApp) {
  const send = async (method: string, path: string, options: SendOptions = {}) => {
    const headers = new Headers(options.headers);
    if (options.token !== undefined) headers.set('authorization', `Token ${options.token}`);
    const init: RequestInit = { method, headers };
    if (options.body !== undefined) {
      headers.set('content-type', 'application/json');
      init.body = JSON.stringify(options.body);
    }
    return read(await t.app.request(`${ORIGIN}/api${path}`, init));
  };
  return {
    send,
    /** Sends `init` exactly as given (for raw bodies and odd content types). */
    raw: async (method: string, path: string, init: RequestInit = {}) =>
      read(await t.app.request(`${ORIGIN}/api${path}`, { ...init, method })),
    get: (path: string, token?: string) => send('GET', path, { token }),
    post: (path: string, body?: unknown, token?: string) => send('POST', path, { body, token }),
    put: (path: string, body?: unknown, token?: string) => send('PUT', path, { body, token }),
    del: (path: string, token?: string) => send('DELETE', path, { token }),
  };
}

/** POST /api/uploads with `token`: the bytes as the multipart field `file`, named and typed as given. */
export function apiUpload(t: TestApp, token: string, bytes: Buffer, name = 'photo.jpg', type = 'image/jpeg') {
  return api(t).raw('POST', '/uploads', { headers: { authorization: `Token ${token}` }, body: uploadForm(bytes, name, type) });
}

/** A user straight in the database with a fresh API token (no HTTP, no extra hashing). */
export async function userWithToken(t: TestApp, username: string, extra: { bio?: string; image?: string } = {}) {
  const user = await insertUser(t.db, username, extra);
  const { token } = await createSession(t.db, user.id, { now: t.clock() });
  return { user, token };
}

/** Another token (another signed-in device) for an existing user. */
export async function newToken(t: TestApp, userId: number): Promise<string> {
  return (await createSession(t.db, userId, { now: t.clock() })).token;
}

export const sessionCount = (t: TestApp) => rowCount(t.db, sessions);

/** An article in the database, returning its slug. */
export async function articleBy(t: TestApp, authorId: number, input: Parameters<typeof insertArticle>[2] = {}): Promise<string> {
  return (await insertArticle(t.db, authorId, input)).slug;
}

/** Every error body is `{"errors":{<key>:[<strings>]}}` with at least one message. */
export function expectErrorShape(body: unknown): void {
  expect(body).toEqual({ errors: expect.any(Object) });
  const errors = (body as { errors: Record<string, unknown> }).errors;
  expect(Object.keys(errors).length).toBeGreaterThan(0);
  for (const messages of Object.values(errors)) {
    expect(Array.isArray(messages)).toBe(true);
    expect((messages as unknown[]).length).toBeGreaterThan(0);
    for (const message of messages as unknown[]) expect(typeof message).toBe('string');
  }
}

export const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
