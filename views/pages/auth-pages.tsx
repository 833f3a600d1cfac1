import { ErrorList, FieldError, fieldAria } from '../components/errors';
import type { FormErrors } from '../view-types';

function RedirectField(props: { redirectTo?: string }) {
  return props.redirectTo ? <input type="hidden" name="redirectTo" value={props.redirectTo} /> : null;
}

export function LoginPage(props: { values: { email?: string }; errors?: FormErrors; redirectTo?: string }) {
  const { errors } = props;
  return (
    <div class="auth-page">
      <div class="container page">
        <div class="row">
          <div class="col-md-6 offset-md-3 col-xs-12">
            <h1 class="text-xs-center">Sign in</h1>
            <p class="text-xs-center">
              <a href="/register?from=login">Need an account?</a>
            </p>
            <ErrorList errors={errors} />
            <form method="post" action="/login" novalidate>
              <RedirectField redirectTo={props.redirectTo} />
              <fieldset class="form-group">
                <label for="email">Email</label>
                <input
                  id="email"
                  class="form-control form-control-lg"
                  type="email"
                  name="email"
                  placeholder="Email"
                  autocomplete="email"
                  required
                  value={props.values.email ?? ''}
                  {...fieldAria(errors, 'email')}
                />
                <FieldError errors={errors} name="email" />
              </fieldset>
              <fieldset class="form-group">
                <label for="password">Password</label>
                <input
                  id="password"
                  class="form-control form-control-lg"
                  type="password"
                  name="password"
                  placeholder="Password"
                  autocomplete="current-password"
                  required
                  {...fieldAria(errors, 'password')}
                />
                <FieldError errors={errors} name="password" />
              </fieldset>
              <button type="submit" class="btn btn-lg btn-primary pull-xs-right">
                Sign in
              </button>
            </form>
          </div>
        </div>
      </div>
    </div>
  );
}

export function RegisterPage(props: {
  values: { username?: string; email?: string };
  errors?: FormErrors;
  redirectTo?: string;
}) {
  const { errors } = props;
  return (
    <div class="auth-page">
      <div class="container page">
        <div class="row">
          <div class="col-md-6 offset-md-3 col-xs-12">
            <h1 class="text-xs-center">Sign up</h1>
            <p class="text-xs-center">
              <a href="/login?from=register">Have an account?</a>
            </p>
            <ErrorList errors={errors} />
            <form method="post" action="/register" novalidate>
              <RedirectField redirectTo={props.redirectTo} />
              <fieldset class="form-group">
                <label for="username">Username</label>
                <input
                  id="username"
                  class="form-control form-control-lg"
                  type="text"
                  name="username"
                  placeholder="Username"
                  autocomplete="username"
                  required
                  maxlength={40}
                  value={props.values.username ?? ''}
                  {...fieldAria(errors, 'username')}
                />
                <FieldError errors={errors} name="username" />
              </fieldset>
              <fieldset class="form-group">
                <label for="email">Email</label>
                <input
                  id="email"
                  class="form-control form-control-lg"
                  type="email"
                  name="email"
                  placeholder="Email"
                  autocomplete="email"
                  required
                  value={props.values.email ?? ''}
                  {...fieldAria(errors, 'email')}
                />
                <FieldError errors={errors} name="email" />
              </fieldset>
              <fieldset class="form-group">
                <label for="password">Password</label>
                <input
                  id="password"
                  class="form-control form-control-lg"
                  type="password"
                  name="password"
                  placeholder="Password"
                  autocomplete="new-password"
                  required
                  minlength={8}
                  data-strength="password-strength"
                  {...fieldAria(errors, 'password')}
                />
                <FieldError errors={errors} name="password" />
                <p class="form-hint">
                  At least 8 characters, and not a common one. A few unrelated words make a strong password.
                </p>
                <p class="form-hint password-strength" id="password-strength" aria-live="polite"></p>
              </fieldset>
              <button type="submit" class="btn btn-lg btn-primary pull-xs-right">
                Sign up
              </button>
            </form>
          </div>
        </div>
      </div>
    </div>
  );
}
