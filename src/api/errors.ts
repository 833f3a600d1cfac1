import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { z } from 'zod';
import { BLANK } from '../lib/messages';

/** RealWorld's error body: `{"errors": {"<field or thing>": ["<message>", ...]}}`. */
export type ApiErrors = Record<string, string[]>;

export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly errors: ApiErrors,
  ) {
    super(Object.entries(errors).map(([key, messages]) => `${key} ${messages.join(', ')}`).join('; '));
  }
}

export const notFound = (thing: string) => new ApiError(404, { [thing]: ['not found'] });
export const forbidden = (thing: string) => new ApiError(403, { [thing]: ['forbidden'] });
export const unprocessable = (errors: ApiErrors) => new ApiError(422, errors);

export function apiErrorResponse(c: Context, status: ContentfulStatusCode, errors: ApiErrors) {
  return c.json({ errors }, status);
}

/**
 * zod issues keyed by the innermost field name: ["article","title"] -> "title". A blank field says
 * only "can't be blank", not also "is too short" or "can only contain letters ...".
 */
export function errorsFromZodIssues(error: z.ZodError): ApiErrors {
  const errors: ApiErrors = {};
  for (const issue of error.issues) {
    const path = issue.path.filter((part) => typeof part === 'string');
    const key = path[path.length - 1] ?? 'body';
    (errors[key] ??= []).includes(issue.message) || errors[key]!.push(issue.message);
  }
  for (const [key, messages] of Object.entries(errors)) {
    if (messages.includes(BLANK)) errors[key] = [BLANK];
  }
  return errors;
}
