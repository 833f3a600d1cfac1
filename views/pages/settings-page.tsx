import { ErrorList, FieldError, fieldAria } from '../components/errors';
import type { FormErrors } from '../view-types';

export type SettingsValues = { image: string; username: string; bio: string; email: string };

export function SettingsPage(props: { values: SettingsValues; errors?: FormErrors }) {
  const { values, errors } = props;
  return (
    <div class="settings-page">
      <div class="container page">
        <div class="row">
          <div class="col-md-6 offset-md-3 col-xs-12">
            <h1 class="text-xs-center">Your Settings</h1>
            <ErrorList errors={errors} />
            <form method="post" action="/settings" novalidate>
              <fieldset>
                <fieldset class="form-group">
                  <label for="image">Profile picture URL</label>
                  <input
                    id="image"
                    class="form-control"
                    type="url"
                    name="image"
                    placeholder="URL of profile picture"
                    value={values.image}
                    {...fieldAria(errors, 'image')}
                  />
                  <FieldError errors={errors} name="image" />
                </fieldset>
                <fieldset class="form-group">
                  <label for="username">Username</label>
                  <input
                    id="username"
                    class="form-control form-control-lg"
                    type="text"
                    name="username"
                    placeholder="Your Name"
                    autocomplete="username"
                    maxlength={40}
                    value={values.username}
                    {...fieldAria(errors, 'username')}
                  />
                  <FieldError errors={errors} name="username" />
                </fieldset>
                <fieldset class="form-group">
                  <label for="bio">Bio</label>
                  <textarea
                    id="bio"
                    class="form-control form-control-lg"
                    rows={8}
                    name="bio"
                    placeholder="Short bio about you"
                    {...fieldAria(errors, 'bio')}
                  >
                    {values.bio}
                  </textarea>
                  <FieldError errors={errors} name="bio" />
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
                    value={values.email}
                    {...fieldAria(errors, 'email')}
                  />
                  <FieldError errors={errors} name="email" />
                </fieldset>
                <fieldset class="form-group">
                  <label for="password">New password</label>
                  <input
                    id="password"
                    class="form-control form-control-lg"
                    type="password"
                    name="password"
                    placeholder="New Password"
                    autocomplete="new-password"
                    data-strength="password-strength"
                    {...fieldAria(errors, 'password')}
                  />
                  <FieldError errors={errors} name="password" />
                  <p class="form-hint">
                    Leave empty to keep your password. A new one needs 8 characters or more and must not be a common one.
                  </p>
                  <p class="form-hint password-strength" id="password-strength" aria-live="polite"></p>
                </fieldset>
                <fieldset class="form-group">
                  <label for="currentPassword">Current password</label>
                  <input
                    id="currentPassword"
                    class="form-control"
                    type="password"
                    name="currentPassword"
                    placeholder="Current password"
                    autocomplete="current-password"
                    {...fieldAria(errors, 'currentPassword')}
                  />
                  <FieldError errors={errors} name="currentPassword" />
                  <p class="form-hint">Needed only to change your email or password.</p>
                </fieldset>
                <button type="submit" class="btn btn-lg btn-primary pull-xs-right">
                  Update Settings
                </button>
              </fieldset>
            </form>
            <hr />
            <form method="post" action="/logout">
              <button type="submit" class="btn btn-outline-danger">
                Or click here to logout.
              </button>
            </form>
            <p class="sessions-link">
              <a href="/settings/sessions">See where you are signed in</a>
            </p>
          </div>
        </div>
      </div>
    </div>
  );
}
