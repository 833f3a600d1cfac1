/**
 * The pages of moderation outside /admin: the confirmation before a delete, and the one-field forms
 * to hide something or report it. Each works with JavaScript off: a GET shows it, its form posts.
 */
import type { Child } from 'hono/jsx';
import { RedirectTo } from '../components/article-preview';
import { ErrorList } from '../components/errors';
import { Field } from '../components/field';
import type { FormErrors } from '../view-types';

/** "Delete this comment?": what will go, a Delete button that posts, and a Cancel link back. */
export function ConfirmDeletePage(props: {
  heading: string;
  children: Child;
  action: string;
  button: string;
  cancel: string;
  redirectTo?: string;
}) {
  return (
    <div class="container page confirm-page">
      <h1>{props.heading}</h1>
      <div class="confirm-what">{props.children}</div>
      <p>This cannot be undone.</p>
      <form method="post" action={props.action} class="confirm-actions">
        {props.redirectTo && <RedirectTo here={props.redirectTo} />}
        <button type="submit" class="btn btn-danger">
          {props.button}
        </button>{' '}
        <a href={props.cancel} class="btn btn-outline-secondary">
          Cancel
        </a>
      </form>
    </div>
  );
}

/** A form with one reason: hiding something (a moderator) or reporting it (a reader). */
export function ReasonFormPage(props: {
  heading: string;
  children: Child;
  action: string;
  label: string;
  button: string;
  cancel: string;
  value?: string;
  errors?: FormErrors;
  redirectTo?: string;
}) {
  return (
    <div class="container page reason-page">
      <h1>{props.heading}</h1>
      <div class="confirm-what">{props.children}</div>
      <ErrorList errors={props.errors} />
      <form method="post" action={props.action}>
        {props.redirectTo && <RedirectTo here={props.redirectTo} />}
        <Field
          name="reason"
          label={props.label}
          multiline
          rows={4}
          value={props.value}
          errors={props.errors}
          class="form-control"
          attributes={{ required: true, maxlength: 500 }}
        />
        <button type="submit" class="btn btn-primary">
          {props.button}
        </button>{' '}
        <a href={props.cancel} class="btn btn-outline-secondary">
          Cancel
        </a>
      </form>
    </div>
  );
}
