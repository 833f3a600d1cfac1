import type { Context } from 'hono';
import type { Caller } from '../core';
import { callerOf } from '../lib/caller';
import type { Log } from '../lib/logger';

export type SecurityEvent =
  | 'signin.success'
  | 'signin.failure'
  | 'signin.suspended'
  | 'signup'
  | 'signout'
  | 'password.changed'
  | 'password.reset-requested'
  | 'password.reset'
  | 'email.change-requested'
  | 'email.confirmed'
  | 'session.revoked'
  | 'forbidden'
  | 'two-factor.enabled'
  | 'two-factor.disabled'
  | 'two-factor.failure'
  | 'two-factor.success'
  | 'recovery-codes.regenerated'
  | 'account.deleted'
  | 'account.exported';

/**
 * What a failed sign-in logs of the typed email: the address, or nothing when it does not look
 * like one (someone may have typed their password into the email field).
 */
export function loggableEmail(typed: string): string | null {
  const email = typed.trim().toLowerCase();
  return /^[^\s@]{1,64}@[^\s@]{1,255}$/.test(email) ? email : null;
}

/**
 * One structured JSON line per security event, with the caller's request id, address and door, so
 * a use case logs the same line whichever door it was called through (the CLI's has no request id
 * or address). Callers pass identifiers only: never a password, token or cookie.
 */
export function recordSecurityEvent(
  log: Log,
  caller: Caller,
  event: SecurityEvent,
  fields: Record<string, string | number | boolean | null> = {},
): void {
  log({
    level: event === 'signin.failure' || event === 'two-factor.failure' || event === 'forbidden' ? 'warn' : 'info',
    msg: event === 'forbidden' ? 'forbidden' : `security.${event}`,
    event,
    requestId: caller.requestId,
    ip: caller.ip,
    userId: caller.userId,
    door: caller.door,
    ...fields,
  });
}

/** For the error handlers, which have a request but no use case: the same line as above. */
export function logSecurityEvent(
  c: Context,
  log: Log,
  event: SecurityEvent,
  fields: Record<string, string | number | boolean | null> = {},
): void {
  const door = c.req.path === '/api' || c.req.path.startsWith('/api/') ? 'api' : 'web';
  recordSecurityEvent(log, callerOf(c, door), event, fields);
}
