import type { Context } from 'hono';
import type { Log } from '../lib/logger';

export type SecurityEvent =
  | 'signin.success'
  | 'signin.failure'
  | 'signup'
  | 'signout'
  | 'password.changed'
  | 'session.revoked'
  | 'forbidden';

/**
 * One structured JSON line per security event, with the request id and client address. Callers
 * pass identifiers only: never a password, token or cookie.
 */
export function logSecurityEvent(
  c: Context,
  log: Log,
  event: SecurityEvent,
  fields: Record<string, string | number | boolean | null> = {},
): void {
  log({
    level: event === 'signin.failure' || event === 'forbidden' ? 'warn' : 'info',
    msg: `security.${event}`,
    event,
    requestId: c.var.requestId,
    ip: c.var.clientIp ?? null,
    userId: c.var.user?.id ?? null,
    ...fields,
  });
}
