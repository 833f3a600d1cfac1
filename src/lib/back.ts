import { field, type FormValues } from './form';
import { safeRedirectPath } from './redirect';

/** Where a form post returns to: its same-site redirectTo field, else the given page. */
export function backTo(form: FormValues, fallback: string): string {
  return safeRedirectPath(field(form, 'redirectTo')) ?? fallback;
}
