import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { z } from 'zod';
import type { FieldErrors } from '../core';
import { TooManyRequests } from '../security/limits';
import { JobTooCostly } from './offthread';

export type FormValues = Record<string, string | string[]>;

/** One list for the page (`ul.error-messages`) and one message per field, shown beside it. */
export type FormErrors = { list: string[]; fields: Record<string, string> };

export const noErrors = (): FormErrors => ({ list: [], fields: {} });

export const MALFORMED_FORM =
  'The form could not be read: its body is not well-formed multipart/form-data. Please go back and send it again.';

/**
 * Reads an urlencoded or multipart form; repeated names (tagList) become arrays, files are dropped.
 * A multipart body that does not parse (no boundary, a part cut short) is the client's fault: 400
 * with a message, never a 500.
 */
export async function readForm(c: Context): Promise<FormValues> {
  const contentType = c.req.header('content-type') ?? '';
  if (!/^(application\/x-www-form-urlencoded|multipart\/form-data)/i.test(contentType)) return {};
  let body: Awaited<ReturnType<typeof c.req.parseBody>>;
  try {
    body = await c.req.parseBody({ all: true });
  } catch (error) {
    // undici's formData() rejects a malformed body with a TypeError; anything else is ours
    if (error instanceof TypeError) throw new HTTPException(400, { message: MALFORMED_FORM });
    throw error;
  }
  // no prototype: a field named __proto__ stays a field
  const values: FormValues = Object.create(null) as FormValues;
  for (const [key, value] of Object.entries(body)) {
    if (Array.isArray(value)) {
      const strings = value.filter((v): v is string => typeof v === 'string');
      values[key] = strings.length === 1 ? strings[0]! : strings;
    } else if (typeof value === 'string') {
      values[key] = value;
    }
  }
  return values;
}

/** The value of a single-valued field (the first one if a field was sent twice). */
export function field(values: FormValues, name: string): string {
  const value = values[name];
  return (Array.isArray(value) ? value[0] : value) ?? '';
}

/** The values of a repeatable field. */
export function fieldList(values: FormValues, name: string): string[] {
  const value = values[name];
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** Turns zod issues ("can't be blank") into sentences ("Title can't be blank") per field. */
export function errorsFromZod(error: z.ZodError, labels: Record<string, string>): FormErrors {
  const errors = noErrors();
  for (const issue of error.issues) {
    const name = String(issue.path[0] ?? '');
    const label = labels[name];
    const message = label ? `${label} ${issue.message}` : issue.message;
    if (!errors.list.includes(message)) errors.list.push(message);
    if (name && !errors.fields[name]) errors.fields[name] = message;
  }
  return errors;
}

/**
 * A use case's field errors as the page shows them: "has already been taken" beside the username
 * field becomes "Username has already been taken"; what belongs to no field (`form`) starts with a
 * capital, alone.
 */
export function errorsFromFields(fieldErrors: FieldErrors, labels: Record<string, string>): FormErrors {
  const errors = noErrors();
  for (const [name, messages] of Object.entries(fieldErrors)) {
    const label = labels[name];
    for (const message of messages) {
      const sentence = label ? `${label} ${message}` : message.charAt(0).toUpperCase() + message.slice(1);
      if (!errors.list.includes(sentence)) errors.list.push(sentence);
      if (name !== 'form' && !errors.fields[name]) errors.fields[name] = sentence;
    }
  }
  return errors;
}

export function formError(fieldName: string | null, message: string): FormErrors {
  return { list: [message], fields: fieldName ? { [fieldName]: message } : {} };
}

/**
 * A use case's refusal that the person can wait out or work around, as the form's error, so that
 * the page comes back with what was typed: a rate limit (429 with Retry-After) or input too costly
 * to process (422). Anything else is thrown on, to the app's error handler.
 */
export function refusalFormErrors(c: Context, error: unknown): FormErrors {
  if (error instanceof TooManyRequests) {
    c.status(429);
    c.header('Retry-After', String(error.retryAfterSeconds));
    return formError(null, error.message);
  }
  if (error instanceof JobTooCostly) {
    c.status(422);
    return formError(null, error.message);
  }
  throw error;
}
