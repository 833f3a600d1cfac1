/** What the doors of account administration accept: a role, a suspension's end and reason. */
import { z } from 'zod';
import { BLANK, tooLong } from '../lib/messages';
import { TextSchema } from '../lib/text';
import { ROLES, type Role } from '../roles/permissions';

export const SUSPENSION_REASON_MAX_LENGTH = 500;

export const RoleSchema = z.enum(ROLES, { error: `must be one of ${ROLES.join(', ')}` }) as z.ZodType<Role>;

export const ReasonSchema = TextSchema({ error: BLANK })
  .trim()
  .min(1, BLANK)
  .max(SUSPENSION_REASON_MAX_LENGTH, tooLong(SUSPENSION_REASON_MAX_LENGTH));

/**
 * ISO 8601: a date (2027-01-31, the start of that day in UTC), or a date and time (2027-01-31T18:00,
 * 2027-01-31 18:00:30, with Z or an offset; without one it is UTC).
 */
const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?)?$/;

export function parseIsoDate(text: string): Date | null {
  const match = ISO_DATE_TIME.exec(text.trim());
  if (!match) return null;
  const [, year, month, day, hour, , , zone] = match;
  const iso = hour === undefined ? `${year}-${month}-${day}T00:00:00Z` : `${text.trim().replace(' ', 'T')}${zone ? '' : 'Z'}`;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return null;
  // 2027-02-30 would roll over to March: not a date
  const shifted = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  if (shifted.getUTCMonth() !== Number(month) - 1 || shifted.getUTCDate() !== Number(day)) return null;
  return date;
}

export const NOT_A_DATE = 'is not a date: write it as 2027-01-31, or 2027-01-31T18:00 (UTC unless an offset is given)';

/** An optional end: empty (or absent) is for good. */
export const UntilSchema = TextSchema()
  .trim()
  .max(40, NOT_A_DATE)
  .optional()
  .transform((text, ctx) => {
    if (text === undefined || text === '') return null;
    const date = parseIsoDate(text);
    if (!date) {
      ctx.addIssue({ code: 'custom', message: NOT_A_DATE });
      return z.NEVER;
    }
    return date;
  });

export const SuspendSchema = z.object({ until: UntilSchema, reason: ReasonSchema });

/** A role in a sentence: "alice is now a moderator". */
export const ROLE_IN_A_SENTENCE: Record<Role, string> = { owner: 'the owner', admin: 'an admin', moderator: 'a moderator', author: 'an author' };

export const ACCOUNT_FIELD_LABELS: Record<string, string> = {
  role: 'Role',
  until: 'Until',
  reason: 'Reason',
  username: 'Username',
};
