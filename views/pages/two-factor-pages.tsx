import { raw } from 'hono/html';
import { DateTime } from '../components/date';
import { ErrorList } from '../components/errors';
import { Field } from '../components/field';
import { SettingsColumn } from '../components/settings-column';
import type { FormErrors } from '../view-types';

const CODE_ATTRIBUTES = { autocomplete: 'one-time-code', inputmode: 'numeric', maxlength: 64, autocapitalize: 'off', spellcheck: 'false' };

/** A form that asks for the password or a current code (turning off, new recovery codes). */
function ConfirmForm(props: { action: string; prefix: string; button: string; danger?: boolean; errors?: FormErrors }) {
  return (
    <form method="post" action={props.action} novalidate>
      <p>Confirm with your password, or with a code from your app (or a recovery code).</p>
      <Field name={`${props.prefix}Password`} label="Password" type="password" class="form-control" errors={props.errors}
        attributes={{ autocomplete: 'current-password' }} />
      <Field name={`${props.prefix}Code`} label="Or a code" class="form-control" errors={props.errors} attributes={CODE_ATTRIBUTES} />
      <button type="submit" class={props.danger ? 'btn btn-outline-danger' : 'btn btn-outline-primary'}>
        {props.button}
      </button>
    </form>
  );
}

export type TwoFactorSettingsProps = {
  status: { enabled: boolean; enrolledAt: Date | null; recoveryCodesLeft: number };
  /** the key being set up (when it is off) */
  setup?: { secret: string; qrSvg: string } | null;
  /** the site requires a second factor of staff and this staff member has none */
  staffRequired?: boolean;
  errors?: FormErrors;
};

export function TwoFactorSettingsPage(props: TwoFactorSettingsProps) {
  const { status, setup, errors } = props;
  return (
    <SettingsColumn class="two-factor-page" heading="Two-factor sign-in">
      {props.staffRequired && (
        <p class="notice" role="status">
          This site requires two-factor sign-in of admins and moderators: set it up to get your staff powers back.
        </p>
      )}
      <ErrorList errors={errors} />
      {status.enabled ? (
        <>
          <p>
            Two-factor sign-in is <strong>on</strong>
            {status.enrolledAt && <> since <DateTime date={status.enrolledAt} /></>}: after your password, signing in asks for a
            code from your authenticator app.
          </p>
          <p>
            You have <strong>{status.recoveryCodesLeft}</strong> unused recovery {status.recoveryCodesLeft === 1 ? 'code' : 'codes'} left.
          </p>
          <h2>New recovery codes</h2>
          <p>Ten new codes replace the old ones, which stop working.</p>
          <ConfirmForm action="/settings/two-factor/recovery-codes" prefix="regenerate" button="Make new recovery codes" errors={errors} />
          <h2>Turn two-factor sign-in off</h2>
          <ConfirmForm action="/settings/two-factor/disable" prefix="disable" button="Turn two-factor sign-in off" danger errors={errors} />
        </>
      ) : !setup ? (
        <p>
          <a href="/settings/two-factor">Show a new key to set up two-factor sign-in</a>
        </p>
      ) : (
        setup && (
          <>
            <p>
              Two-factor sign-in is <strong>off</strong>. Turn it on and signing in will ask, after your password, for a code from an
              authenticator app on your phone.
            </p>
            <ol>
              <li>Scan this QR code with your authenticator app, or type the key below into it.</li>
              <li>Type the six-digit code the app then shows.</li>
            </ol>
            <figure class="totp-qr">
              <div class="totp-qr-code" role="img" aria-label="QR code of your two-factor key">
                {raw(setup.qrSvg)}
              </div>
              <figcaption>
                Key: <code class="totp-secret" id="totp-secret">{setup.secret}</code>
              </figcaption>
            </figure>
            <form method="post" action="/settings/two-factor/enable" novalidate>
              <Field name="code" label="Code from your app" class="form-control" errors={errors} attributes={{ ...CODE_ATTRIBUTES, required: true }} />
              <button type="submit" class="btn btn-primary">
                Turn on two-factor sign-in
              </button>
            </form>
          </>
        )
      )}
      <p>
        <a href="/settings">Back to your settings</a>
      </p>
    </SettingsColumn>
  );
}

/** The recovery codes, shown this once. */
export function RecoveryCodesPage(props: { codes: string[]; reason: 'enabled' | 'regenerated' }) {
  return (
    <SettingsColumn class="two-factor-page" heading={props.reason === 'enabled' ? 'Two-factor sign-in is on' : 'New recovery codes'}>
      <p role="status">
        {props.reason === 'enabled' ? 'Two-factor sign-in is on. ' : 'Your old recovery codes no longer work. '}
        Keep these recovery codes somewhere safe: each signs you in once if you lose your phone. They are shown only this once.
      </p>
      <h2>Your recovery codes</h2>
      <ul class="recovery-codes">
        {props.codes.map((code) => (
          <li>
            <code>{code}</code>
          </li>
        ))}
      </ul>
      <p>
        <a href="/settings/two-factor" class="btn btn-primary">
          I have kept them
        </a>
      </p>
    </SettingsColumn>
  );
}

/** After the password: the second factor. */
export function TwoFactorLoginPage(props: { username: string; errors?: FormErrors }) {
  return (
    <div class="auth-page">
      <div class="container page">
        <div class="row">
          <div class="col-md-6 offset-md-3 col-xs-12">
            <h1 class="text-xs-center">Two-factor sign-in</h1>
            <p class="text-xs-center">Signing in as {props.username}.</p>
            <ErrorList errors={props.errors} />
            <form method="post" action="/login/two-factor" novalidate>
              <Field name="code" label="Code from your app, or a recovery code" errors={props.errors}
                attributes={{ ...CODE_ATTRIBUTES, required: true, autofocus: true }} />
              <button type="submit" class="btn btn-lg btn-primary pull-xs-right">
                Sign in
              </button>
            </form>
            <form method="post" action="/logout">
              <button type="submit" class="btn btn-link">
                Cancel and sign out
              </button>
            </form>
          </div>
        </div>
      </div>
    </div>
  );
}
