import { ErrorList, FieldError, fieldAria } from '../components/errors';
import { Field } from '../components/field';
import { SettingsColumn } from '../components/settings-column';
import { ELLIPSIS, Quoted } from '../components/typography';
import type { FormErrors } from '../view-types';

export function YourDataPage(props: { errors?: FormErrors }) {
  return (
    <SettingsColumn class="your-data-page" heading="Your data">
      <ErrorList errors={props.errors} />
      <h2>Export your data</h2>
      <p>
        A zip file of everything you wrote here: <code>account.json</code> (your account, comments, favorites and follows) and one
        Markdown file per article, drafts included, with its title, description, tags and dates.
      </p>
      <form method="post" action="/settings/data/export">
        <button type="submit" class="btn btn-primary">
          Export my data
        </button>
      </form>
      <h2>Delete your account</h2>
      <p>
        <a href="/settings/delete" class="btn btn-outline-danger">
          Delete my account{ELLIPSIS}
        </a>
      </p>
      <p>
        <a href="/settings">Back to your settings</a>
      </p>
    </SettingsColumn>
  );
}

export type DeleteAccountProps = {
  username: string;
  articles: number;
  comments: number;
  isOwner: boolean;
  twoFactor: boolean;
  placeholder: string;
  keepContent?: string;
  errors?: FormErrors;
};

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function DeleteAccountPage(props: DeleteAccountProps) {
  const { errors } = props;
  return (
    <SettingsColumn class="your-data-page" heading="Delete your account">
      <ErrorList errors={errors} />
      {props.isOwner ? (
        <p role="alert">
          You are this site's owner: the owner's account cannot be deleted. Hand the site over to someone else first (Admin, Users,
          Hand over ownership), then come back here.
        </p>
      ) : (
        <form method="post" action="/settings/delete" novalidate>
          <p>
            Your account <strong>{props.username}</strong> will be deleted for good: you will be signed out everywhere and cannot sign
            in again. Your {plural(props.comments, 'comment')}, favorites and follows go with it.
          </p>
          <fieldset class="form-group" {...fieldAria(errors, 'keepContent')}>
            <legend>Your {plural(props.articles, 'article')}</legend>
            <div>
              <input type="radio" id="keepContent-no" name="keepContent" value="no" checked={props.keepContent === 'no'} />{' '}
              <label for="keepContent-no">Delete my articles too</label>
            </div>
            <div>
              <input type="radio" id="keepContent-yes" name="keepContent" value="yes" checked={props.keepContent === 'yes'} />{' '}
              <label for="keepContent-yes">Keep my articles, under the name <Quoted>{props.placeholder}</Quoted></label>
            </div>
            <FieldError errors={errors} name="keepContent" />
          </fieldset>
          <Field name="password" label="Your password" type="password" class="form-control" errors={errors}
            attributes={{ autocomplete: 'current-password', required: true }} />
          {props.twoFactor && (
            <Field name="code" label="A code from your app (or a recovery code)" class="form-control" errors={errors}
              attributes={{ autocomplete: 'one-time-code', inputmode: 'numeric', maxlength: 64, required: true }} />
          )}
          <button type="submit" class="btn btn-danger">
            Delete my account for good
          </button>
        </form>
      )}
      <p>
        <a href="/settings/data">Back</a>
      </p>
    </SettingsColumn>
  );
}
