import { ErrorList } from '../components/errors';
import { Field } from '../components/field';
import { IMAGE_ACCEPT } from './editor-page';
import type { FormErrors } from '../view-types';
import { EmailStateBox } from './account-link-pages';
import { PasswordHint } from './auth-pages';

type EmailState = { email: string; confirmed: boolean; pending: string | null };

export type SettingsValues = { image: string; username: string; bio: string; email: string };

export function SettingsPage(props: { values: SettingsValues; errors?: FormErrors; emailState?: EmailState }) {
  const { values, errors } = props;
  return (
    <div class="settings-page">
      <div class="container page">
        <div class="row">
          <div class="col-md-6 offset-md-3 col-xs-12">
            <h1 class="text-xs-center">Your Settings</h1>
            <ErrorList errors={errors} />
            {props.emailState && <EmailStateBox state={props.emailState} />}
            <form method="post" action="/settings" enctype="multipart/form-data" novalidate>
              <fieldset>
                <Field name="image" label="Profile picture URL" type="url" class="form-control"
                  placeholder="URL of profile picture" value={values.image} errors={errors} />
                <Field name="avatar" label="Or upload a picture" type="file" class="form-control" errors={errors}
                  attributes={{ accept: IMAGE_ACCEPT, 'aria-describedby': errors?.fields.avatar ? 'avatar-error avatar-hint' : 'avatar-hint' }}
                  hint={<p class="form-hint" id="avatar-hint">Cropped square on the server; a URL above is still accepted.</p>} />
                <Field name="username" label="Username" placeholder="Your Name" value={values.username} errors={errors}
                  attributes={{ autocomplete: 'username', maxlength: 40 }} />
                <Field name="bio" label="Bio" multiline rows={8} placeholder="Short bio about you" value={values.bio}
                  errors={errors} />
                <Field name="email" label="Email" type="email" placeholder="Email" value={values.email} errors={errors}
                  attributes={{ autocomplete: 'email' }} />
                <Field name="password" label="New password" type="password" placeholder="New Password" errors={errors}
                  attributes={{ autocomplete: 'new-password', 'data-strength': 'password-strength' }}
                  hint={<PasswordHint text="Leave empty to keep your password. A new one needs 8 characters or more and must not be a common one." />} />
                <Field name="currentPassword" label="Current password" type="password" class="form-control"
                  placeholder="Current password" errors={errors} attributes={{ autocomplete: 'current-password' }}
                  hint={<p class="form-hint">Needed only to change your email or password. A new email applies once you follow the link we send to it.</p>} />
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
            <p class="notification-settings-link">
              <a href="/settings/notifications">Choose which notifications you get, and which by e-mail</a>
            </p>
            <p class="two-factor-link">
              <a href="/settings/two-factor">Two-factor sign-in</a>
            </p>
            <p class="your-data-link">
              <a href="/settings/data">Your data: export it, or delete your account</a>
            </p>
          </div>
        </div>
      </div>
    </div>
  );
}
