import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { AppDeps } from '../app-types';
import { cookieName } from '../lib/cookies';
import { safeRedirectPath } from '../lib/redirect';
import { applyStaffTwoFactorRule } from '../two-factor/staff';
import { checkSessionToken, type SessionUser, type ValidatedSession } from './session';

export type AuthVariables = {
  user: SessionUser | null;
  session: ValidatedSession | null;
  /**
   * A session that passed the password but not yet the second factor: `user` and `session` stay
   * null (signed out everywhere), and only /login/two-factor and /logout read this.
   */
  pendingSession: { session: ValidatedSession; user: SessionUser } | null;
  /** a staff member whose staff powers wait until they enrol a second factor (site setting) */
  staffNeedsTwoFactor: boolean;
  /** `Secure` cookies when PUBLIC_URL is https. */
  secureCookies: boolean;
};

declare module 'hono' {
  interface ContextVariableMap extends AuthVariables {}
}

const SESSION_COOKIE = 'session';
const RETURN_TO_COOKIE = 'return_to';
const RETURN_TO_MAX_AGE_S = 10 * 60;

export function setSessionCookie(c: Context, token: string, expiresAt: Date): void {
  setCookie(c, cookieName(c, SESSION_COOKIE), token, {
    path: '/',
    httpOnly: true,
    sameSite: 'Lax',
    secure: c.get('secureCookies'),
    expires: expiresAt,
  });
}

export function deleteSessionCookie(c: Context): void {
  deleteCookie(c, cookieName(c, SESSION_COOKIE), { path: '/', secure: c.get('secureCookies') });
}

/** Sets c.get('user') from the session cookie, extending the cookie when the session was renewed. */
export function loadSession({ db, clock, reads }: Pick<AppDeps, 'db' | 'clock' | 'reads'>): MiddlewareHandler {
  return async function loadSession(c, next) {
    c.set('user', null);
    c.set('session', null);
    c.set('pendingSession', null);
    c.set('staffNeedsTwoFactor', false);
    const token = getCookie(c, cookieName(c, SESSION_COOKIE));
    if (token) {
      const result = await checkSessionToken(db, token, clock());
      if (result?.twoFactorPending) {
        // signed out as far as every other route knows (safe by default)
        c.set('pendingSession', { session: result.session, user: result.user });
      } else if (result) {
        const { user, needsTwoFactor } = await applyStaffTwoFactorRule(reads, result.user);
        c.set('user', user);
        c.set('session', result.session);
        c.set('staffNeedsTwoFactor', needsTwoFactor);
        if (result.renewed) setSessionCookie(c, token, result.session.expiresAt);
      } else {
        deleteSessionCookie(c);
      }
    }
    await next();
  };
}

/** Remembers where to go after signing in (same-site paths only). */
export function rememberReturnTo(c: Context, path: string | null): void {
  const safe = safeRedirectPath(path);
  if (!safe || safe.startsWith('/login') || safe.startsWith('/register')) return;
  setCookie(c, cookieName(c, RETURN_TO_COOKIE), safe, {
    path: '/',
    httpOnly: true,
    sameSite: 'Lax',
    secure: c.get('secureCookies'),
    maxAge: RETURN_TO_MAX_AGE_S,
  });
}

/** Takes the remembered page (once) and clears it. */
export function takeReturnTo(c: Context): string | null {
  const value = safeRedirectPath(getCookie(c, cookieName(c, RETURN_TO_COOKIE)));
  deleteCookie(c, cookieName(c, RETURN_TO_COOKIE), { path: '/', secure: c.get('secureCookies') });
  return value;
}

/**
 * Signed-out visitors go to exactly /login; the page they wanted (a GET's own URL, or a form's
 * same-site redirectTo) is remembered for after sign-in.
 */
export function redirectToLogin(c: Context, returnTo?: string | null): Response {
  const url = new URL(c.req.url);
  rememberReturnTo(c, returnTo ?? (c.req.method === 'GET' ? url.pathname + url.search : null));
  return c.redirect('/login', 303);
}

export function requireUser(): MiddlewareHandler {
  return async function requireUser(c, next) {
    if (c.get('user')) return next();
    if (c.req.method === 'GET') return redirectToLogin(c);
    // a signed-out form post (favorite, follow...) returns to the page the form came from
    const body = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
    const redirectTo = body['redirectTo'];
    return redirectToLogin(c, typeof redirectTo === 'string' ? redirectTo : null);
  };
}

/** For handlers after requireUser(): the signed-in user, typed as present. */
export function currentUser(c: Context): SessionUser {
  const user = c.get('user');
  if (!user) throw new Error('currentUser() used on a route without requireUser()');
  return user;
}
