import type { Context, MiddlewareHandler } from 'hono';
import type { AppDeps } from '../app-types';
import type { SessionUser } from '../auth/session';
import { validateSessionToken } from '../auth/session';
import { applyStaffTwoFactorRule } from '../two-factor/staff';
import { ApiError } from './errors';

export type ApiAuthVariables = { apiToken: string | null };

declare module 'hono' {
  interface ContextVariableMap extends ApiAuthVariables {}
}

const TOKEN_HEADER = /^(?:Token|Bearer) +([A-Za-z0-9.]+)$/;

/**
 * Authenticates by `Authorization: Token <session token>` only; the API never reads the session
 * cookie, so a page on another site cannot use a visitor's session against it.
 * A token that is present but invalid is anonymous on optional routes and a 401 on required ones.
 */
export function loadApiUser({ db, clock, reads }: Pick<AppDeps, 'db' | 'clock' | 'reads'>): MiddlewareHandler {
  return async function loadApiUser(c, next) {
    c.set('user', null);
    c.set('session', null);
    c.set('apiToken', null);
    const header = c.req.header('authorization');
    const token = header ? TOKEN_HEADER.exec(header.trim())?.[1] : undefined;
    if (token) {
      // a session still waiting for its second factor is no credential (null here)
      const result = await validateSessionToken(db, token, clock());
      if (result) {
        c.set('user', (await applyStaffTwoFactorRule(reads, result.user)).user);
        c.set('session', result.session);
        c.set('apiToken', token);
      }
    }
    await next();
  };
}

/** 401 before anything is looked up, even for a slug or user that does not exist. */
export function requireApiUser(): MiddlewareHandler {
  return async function requireApiUser(c, next) {
    if (!c.get('user')) {
      const missing = !c.req.header('authorization');
      throw new ApiError(401, { token: [missing ? 'is missing' : 'is invalid'] });
    }
    await next();
  };
}

export function apiUser(c: Context): SessionUser & { token: string } {
  const user = c.get('user');
  const token = c.get('apiToken');
  if (!user || !token) throw new Error('apiUser() used on a route without requireApiUser()');
  return { ...user, token };
}
