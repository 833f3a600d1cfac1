/**
 * U+0000 (NUL) in what people send. It is never meaningful in text, HTML parsers and CommonMark
 * already replace it, and PostgreSQL's `text` cannot hold it (a query given one fails, where SQLite
 * would store it). So Quire's text never holds one, on either engine:
 *
 * - every field a form or a JSON body hands to a use case that is stored or looked up (titles,
 *   descriptions, bodies, tags, comments, bio, image URL, the sign-in email, the API's list
 *   filters) has its NULs replaced by U+FFFD, as CommonMark does (`TextSchema`); passwords are
 *   hashed, never stored, and stay as typed;
 * - a path holding one names nothing (no slug, username or tag holds one): 404 before routing
 *   (src/app.tsx); a session token holding one signs no one in (src/auth/session.ts).
 */
import { z } from 'zod';

export const NUL = '\u0000';
export const REPLACEMENT_CHARACTER = '\uFFFD';

/** `text` with every NUL replaced by U+FFFD. */
export function withoutNul(text: string): string {
  return text.includes(NUL) ? text.replaceAll(NUL, REPLACEMENT_CHARACTER) : text;
}

/** A string field whose NULs become U+FFFD before any other check (`params` as z.string()'s). */
export function TextSchema(params?: Parameters<typeof z.string>[0]) {
  return z.string(params).overwrite(withoutNul);
}
