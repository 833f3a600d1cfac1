import { z } from 'zod';
import { BLANK, tooLong } from '../lib/messages';

export const REASON_MAX_LENGTH = 500;

/** Why a moderator hides something, or why a reader reports it: 1 to 500 characters. */
export const ReasonSchema = z
  .string()
  .trim()
  .min(1, BLANK)
  .max(REASON_MAX_LENGTH, tooLong(REASON_MAX_LENGTH));

/** A note that may be left out (a dismissed report's). */
export const NoteSchema = z.string().trim().max(REASON_MAX_LENGTH, tooLong(REASON_MAX_LENGTH));

export const REPORT_KINDS = ['article', 'comment', 'user'] as const;
export const ReportKindSchema = z.enum(REPORT_KINDS, { message: 'must be article, comment or user' });

export const RESOLUTIONS = ['dismiss', 'hide', 'delete'] as const;
export type Resolution = (typeof RESOLUTIONS)[number];
export const ResolutionSchema = z.enum(RESOLUTIONS, { message: 'must be dismiss, hide or delete' });

/** What a report's row records for each resolution. */
export const RESOLVED_AS: Record<Resolution, string> = { dismiss: 'dismissed', hide: 'hidden', delete: 'deleted' };
