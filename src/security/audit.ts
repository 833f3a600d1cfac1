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
/**
 * What a failed sign-in logs of the typed email: the address, or nothing when it does not look
 * like one (someone may have typed their password into the email field).
 */
export function loggableEmail(typed: string): string | null {
  const email = typed.trim().toLowerCase();
  return /^[^\s@]{1,64}@[^\s@]{1,255}$/.test(email) ? email : null;
}

export function logSecurityEvent(
  c: Context,
  log: Log,
  event: SecurityEvent,
  fields: Record<string, string | number | boolean | null> = {},
): void {
  log({
    level: event === 'signin.failure' || event === 'forbidden' ? 'warn' : 'info',
    msg: event === 'forbidden' ? 'forbidden' : `security.${event}`,
    event,
    requestId: c.get('requestId'),
    ip: c.get('clientIp') ?? null,
    userId: c.get('user')?.id ?? null,
    ...fields,
  });
}
