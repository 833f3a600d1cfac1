import type { FormErrors } from '../view-types';

/**
 * The page's one error list; absent when there are no errors. The alert role sits on a wrapper:
 * on the <ul> itself it would replace the list role, leaving each <li> outside any list (axe's
 * `listitem`), and HTML does not allow it there (the W3C checker's "Bad value alert").
 */
export function ErrorList(props: { errors?: FormErrors }) {
  const list = props.errors?.list ?? [];
  if (list.length === 0) return null;
  return (
    <div role="alert">
      <ul class="error-messages">
        {list.map((message) => (
          <li>{message}</li>
        ))}
      </ul>
    </div>
  );
}

/** A field's own message, beside it (another class than the list). */
export function FieldError(props: { errors?: FormErrors; name: string }) {
  const message = props.errors?.fields[props.name];
  if (!message) return null;
  return (
    <p class="field-error" id={`${props.name}-error`}>
      {message}
    </p>
  );
}

/** aria attributes linking an input to its message. */
export function fieldAria(errors: FormErrors | undefined, name: string) {
  return errors?.fields[name]
    ? { 'aria-invalid': 'true' as const, 'aria-describedby': `${name}-error` }
    : {};
}
