/**
 * The pages of the links Quire mails: "Forgot password?" (/forgot-password), choosing a new
 * password (/reset-password/TOKEN), confirming an address (/confirm-email/TOKEN), and what an
 * unconfirmed account is told when the site wants its address confirmed first.
 */
import type { Child } from 'hono/jsx';
import { ErrorList } from '../components/errors';
import { Field } from '../components/field';
import type { FormErrors } from '../view-types';
import { PasswordHint } from './auth-pages';

function LinkPage(props: { heading: string; errors?: FormErrors; children: Child }) {
  return (
    <div class="auth-page">
      <div class="container page">
        <div class="row">
          <div class="col-md-6 offset-md-3 col-xs-12">
            <h1 class="text-xs-center">{props.heading}</h1>
            <ErrorList errors={props.errors} />
            {props.children}
          </div>
        </div>
      </div>
    </div>
  );
}

export function ForgotPasswordPage(props: { values: { email?: string }; errors?: FormErrors }) {
  return (
    <LinkPage heading="Forgot your password?" errors={props.errors}>
      <p class="text-xs-center">Type the e-mail address of your account: we will send it a link to choose a new password.</p>
      <form method="post" action="/forgot-password" novalidate>
        <Field name="email" label="Email" type="email" placeholder="Email" value={props.values.email} errors={props.errors}
          attributes={{ autocomplete: 'email', required: true, maxlength: 254 }} />
        <button type="submit" class="btn btn-lg btn-primary pull-xs-right">
          Send me a link
        </button>
      </form>
      <p>
        <a href="/login">Back to sign in</a>
      </p>
    </LinkPage>
  );
}

export function ResetPasswordPage(props: { token: string; username: string; errors?: FormErrors }) {
  return (
    <LinkPage heading="Choose a new password" errors={props.errors}>
      <p class="text-xs-center">
        For the account <strong>{props.username}</strong>. Every session of the account will be signed out; then sign in with the new
        password.
      </p>
      <form method="post" action={`/reset-password/${props.token}`} novalidate>
        {/* the username lets password managers file the new password under the right account */}
        <input type="hidden" name="username" value={props.username} autocomplete="username" />
        <Field name="password" label="New password" type="password" placeholder="New password" errors={props.errors}
          attributes={{ autocomplete: 'new-password', required: true, minlength: 8, 'data-strength': 'password-strength' }}
          hint={<PasswordHint text="At least 8 characters, and not a common one. A few unrelated words make a strong password." />} />
        <button type="submit" class="btn btn-lg btn-primary pull-xs-right">
          Set new password
        </button>
      </form>
    </LinkPage>
  );
}

/** A link that cannot be used (unknown, used, expired): why, and where to get a new one. */
export function LinkRefusedPage(props: { heading: string; message: string; next: { href: string; text: string } }) {
  return (
    <LinkPage heading={props.heading}>
      <p class="text-xs-center link-refusal">{props.message}</p>
      <p class="text-xs-center">
        <a href={props.next.href}>{props.next.text}</a>
      </p>
    </LinkPage>
  );
}

/**
 * The page a confirmation link opens: the address is confirmed by the button (a POST), never by
 * opening the link, which mail scanners do.
 */
export function ConfirmEmailPage(props: { token: string; username: string; address: string; change: boolean }) {
  return (
    <LinkPage heading="Confirm your e-mail address">
      <p class="text-xs-center">
        {props.change ? 'Use ' : 'Confirm '}
        <strong>{props.address}</strong> as the address of the account <strong>{props.username}</strong>?
        {props.change && ' It replaces the current address, which will be told of the change.'}
      </p>
      <form method="post" action={`/confirm-email/${props.token}`} class="text-xs-center">
        <button type="submit" class="btn btn-lg btn-primary">
          Confirm {props.address}
        </button>
      </form>
    </LinkPage>
  );
}

/** What an unconfirmed account is told when the site asks for a confirmed address first (403). */
export function ConfirmFirstPage(props: { message: string; signedIn: boolean }) {
  return (
    <LinkPage heading="Please confirm your e-mail address">
      <p class="text-xs-center confirm-first">{props.message}</p>
      {props.signedIn && (
        <form method="post" action="/settings/email/resend" class="text-xs-center">
          <button type="submit" class="btn btn-primary">
            Send the confirmation link again
          </button>
        </form>
      )}
    </LinkPage>
  );
}

/** Settings: the account's address, whether it is confirmed, and an address waiting to replace it. */
export function EmailStateBox(props: { state: { email: string; confirmed: boolean; pending: string | null } }) {
  const { state } = props;
  const resend = (
    <form method="post" action="/settings/email/resend" class="email-resend-form">
      <button type="submit" class="btn btn-sm btn-outline-secondary">
        Send the confirmation link again
      </button>
    </form>
  );
  return (
    <section class="email-state" aria-label="Your e-mail address">
      <p>
        Your e-mail address <strong>{state.email}</strong> is {state.confirmed ? 'confirmed.' : 'not confirmed yet: follow the link we sent to it.'}
      </p>
      {state.pending && (
        <p>
          A change to <strong>{state.pending}</strong> is waiting: it applies once you follow the link sent there.
        </p>
      )}
      {(state.pending || !state.confirmed) && resend}
    </section>
  );
}
