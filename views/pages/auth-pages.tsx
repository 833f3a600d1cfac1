import { ErrorList } from '../components/errors';
import { Field } from '../components/field';
import { Honeypot } from '../components/honeypot';
import type { FormErrors } from '../view-types';

function RedirectField(props: { redirectTo?: string }) {
  return props.redirectTo ? <input type="hidden" name="redirectTo" value={props.redirectTo} /> : null;
}

/** The live strength hint (static/password-strength.js) and its no-JavaScript explanation. */
export function PasswordHint(props: { text: string }) {
  return (
    <>
      <p class="form-hint">{props.text}</p>
      <p class="form-hint password-strength" id="password-strength" aria-live="polite"></p>
    </>
  );
}

function AuthPage(props: { heading: string; switchLink: { href: string; text: string }; errors?: FormErrors; children: unknown }) {
  return (
    <div class="auth-page">
      <div class="container page">
        <div class="row">
          <div class="col-md-6 offset-md-3 col-xs-12">
            <h1 class="text-xs-center">{props.heading}</h1>
            <p class="text-xs-center">
              <a href={props.switchLink.href}>{props.switchLink.text}</a>
            </p>
            <ErrorList errors={props.errors} />
            {props.children}
          </div>
        </div>
      </div>
    </div>
  );
}

export function LoginPage(props: { values: { email?: string }; errors?: FormErrors; redirectTo?: string }) {
  const { errors } = props;
  return (
    <AuthPage heading="Sign in" switchLink={{ href: '/register?from=login', text: 'Need an account?' }} errors={errors}>
      <form method="post" action="/login" novalidate>
        <RedirectField redirectTo={props.redirectTo} />
        <Field name="email" label="Email" type="email" placeholder="Email" value={props.values.email} errors={errors}
          attributes={{ autocomplete: 'email', required: true }} />
        <Field name="password" label="Password" type="password" placeholder="Password" errors={errors}
          attributes={{ autocomplete: 'current-password', required: true }} />
        <button type="submit" class="btn btn-lg btn-primary pull-xs-right">
          Sign in
        </button>
      </form>
      <p class="forgot-password">
        <a href="/forgot-password">Forgot password?</a>
      </p>
    </AuthPage>
  );
}

/** Why /register shows no form: sign-ups closed or by invitation, or a link that cannot be used. */
export type RegisterRefusal = { heading: string; message: string };

export function RegisterPage(props: {
  values: { username?: string; email?: string };
  errors?: FormErrors;
  redirectTo?: string;
  /** the invitation link's token, carried by the form */
  invitation?: string;
  /** the role the invitation gives, said above the form */
  invitedAs?: string;
  refusal?: RegisterRefusal;
}) {
  const { errors } = props;
  if (props.refusal) {
    return (
      <AuthPage heading={props.refusal.heading} switchLink={{ href: '/login?from=register', text: 'Have an account? Sign in' }} errors={errors}>
        <p class="text-xs-center register-refusal">{props.refusal.message}</p>
      </AuthPage>
    );
  }
  return (
    <AuthPage heading="Sign up" switchLink={{ href: '/login?from=register', text: 'Have an account?' }} errors={errors}>
      {props.invitedAs && <p class="text-xs-center">You have been invited to join as {props.invitedAs}.</p>}
      <form method="post" action="/register" novalidate>
        <RedirectField redirectTo={props.redirectTo} />
        {props.invitation && <input type="hidden" name="invite" value={props.invitation} />}
        <Honeypot name="website" />
        <Field name="username" label="Username" placeholder="Username" value={props.values.username} errors={errors}
          attributes={{ autocomplete: 'username', required: true, maxlength: 40 }} />
        <Field name="email" label="Email" type="email" placeholder="Email" value={props.values.email} errors={errors}
          attributes={{ autocomplete: 'email', required: true }} />
        <Field name="password" label="Password" type="password" placeholder="Password" errors={errors}
          attributes={{ autocomplete: 'new-password', required: true, minlength: 8, 'data-strength': 'password-strength' }}
          hint={<PasswordHint text="At least 8 characters, and not a common one. A few unrelated words make a strong password." />} />
        <button type="submit" class="btn btn-lg btn-primary pull-xs-right">
          Sign up
        </button>
      </form>
    </AuthPage>
  );
}
