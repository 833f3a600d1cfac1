import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { z } from 'zod';

export const PAGE_SIZE = 10;
const PAGE_MAX = 1_000_000;

const PageSchema = z
  .string()
  .regex(/^[1-9][0-9]{0,6}$/, 'The page number must be a whole number, 1 or more.')
  .transform(Number)
  .refine((page) => page <= PAGE_MAX, 'That page number is too large.')
  .optional();

/** The ?page= of a list: absent means 1; anything but a positive whole number is a 400. */
export function parsePage(c: Context): number {
  const result = PageSchema.safeParse(c.req.query('page'));
  if (!result.success) throw new HTTPException(400, { message: result.error.issues[0]!.message });
  return result.data ?? 1;
}

export function pageCount(total: number): number {
  return Math.max(1, Math.ceil(total / PAGE_SIZE));
}

/** A page past the last one does not exist (page 1 of an empty list does). */
export function assertPageExists(page: number, total: number): void {
  if (page > pageCount(total)) throw new HTTPException(404, { message: 'That page does not exist.' });
}
