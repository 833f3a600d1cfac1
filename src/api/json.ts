import type { Context } from 'hono';
import type { z } from 'zod';
import { ApiError, errorsFromZodIssues, unprocessable } from './errors';

/**
 * Reads and validates a JSON body: 415 for a body of another content type, 422 for a body that is
 * not JSON or not of the expected shape. Never a 500.
 */
export async function readJson<T extends z.ZodType>(c: Context, schema: T): Promise<z.infer<T>> {
  const contentType = c.req.header('content-type') ?? '';
  const text = await c.req.text();
  if (text.length > 0 && !/^application\/(.+\+)?json\b/i.test(contentType)) {
    throw new ApiError(415, { body: ['must be JSON (Content-Type: application/json)'] });
  }
  let value: unknown;
  try {
    value = text.length > 0 ? JSON.parse(text) : undefined;
  } catch {
    throw unprocessable({ body: ['is not valid JSON'] });
  }
  const result = schema.safeParse(value);
  if (!result.success) throw unprocessable(errorsFromZodIssues(result.error));
  return result.data;
}
