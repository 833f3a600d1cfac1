import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { cookieName } from './cookies';

export type Flash = { kind: 'success' | 'error'; message: string };

export type FlashVariables = { flash: Flash | null };

declare module 'hono' {
  interface ContextVariableMap extends FlashVariables {}
}

const FLASH_COOKIE = 'flash';
const FLASH_MAX_AGE_S = 60;

/** Flash messages ride in a short-lived cookie so that redirects land on exact URLs. */
export function setFlash(c: Context, message: string, kind: Flash['kind'] = 'success'): void {
  setCookie(c, cookieName(c, FLASH_COOKIE), JSON.stringify({ kind, message }), {
    path: '/',
    httpOnly: true,
    sameSite: 'Lax',
    secure: c.get('secureCookies'),
    maxAge: FLASH_MAX_AGE_S,
  });
}

function parseFlash(raw: string | undefined): Flash | null {
  if (!raw) return null;
  try {
    const value: unknown = JSON.parse(raw);
    if (
      value &&
      typeof value === 'object' &&
      'message' in value &&
      typeof value.message === 'string' &&
      'kind' in value &&
      (value.kind === 'success' || value.kind === 'error')
    ) {
      return { kind: value.kind, message: value.message.slice(0, 200) };
    }
  } catch {
    // a tampered cookie is simply ignored
  }
  return null;
}

/** Reads the flash of the previous request once, on a GET, and clears it. */
export function loadFlash(): MiddlewareHandler {
  return async function loadFlash(c, next) {
    c.set('flash', null);
    if (c.req.method === 'GET') {
      const flash = parseFlash(getCookie(c, cookieName(c, FLASH_COOKIE)));
      if (flash) {
        c.set('flash', flash);
        deleteCookie(c, cookieName(c, FLASH_COOKIE), { path: '/', secure: c.get('secureCookies') });
      }
    }
    await next();
  };
}
