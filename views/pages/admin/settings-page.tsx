import { ErrorList, FieldError, fieldAria } from '../../components/errors';
import { Field } from '../../components/field';
import type { FormErrors } from '../../view-types';
import { AdminLayout, type AdminSection } from './admin-layout';

/** The settings form's values as typed (numbers and links as text, so a failed form comes back as it was). */
export type SettingsFormValues = {
  title: string;
  description: string;
  navLinks: string;
  registration: string;
  comments: string;
  newAccountArticlesPerDay: string;
  newAccountCommentsPerDay: string;
  /** 'on' or 'off' (empty from a form that could not change it) */
  requireStaffTwoFactor: string;
  unconfirmedMayWrite: string;
};

const REGISTRATION_CHOICES = [
  { value: 'open', label: 'Open: anyone may sign up' },
  { value: 'invite', label: 'By invitation: sign-up needs an invitation link' },
  { value: 'closed', label: 'Closed: nobody may sign up (invitation links still work)' },
];

function Select(props: {
  name: string;
  label: string;
  value: string;
  choices: Array<{ value: string; label: string }>;
  errors?: FormErrors;
  disabled?: boolean;
  hint?: string;
}) {
  return (
    <fieldset class="form-group">
      <label for={props.name}>{props.label}</label>
      <select id={props.name} name={props.name} class="form-control" disabled={props.disabled} {...fieldAria(props.errors, props.name)}>
        {props.choices.map((choice) => (
          <option value={choice.value} selected={choice.value === props.value}>
            {choice.label}
          </option>
        ))}
      </select>
      <FieldError errors={props.errors} name={props.name} />
      {props.hint && <p class="form-hint">{props.hint}</p>}
    </fieldset>
  );
}

export function AdminSettingsPage(props: {
  allowed: readonly AdminSection[];
  values: SettingsFormValues;
  errors?: FormErrors;
  /** whether the viewer may change the owner's settings (two-factor sign-in for staff) */
  ownerOnlyEditable?: boolean;
}) {
  const { values, errors } = props;
  return (
    <AdminLayout current="/admin/settings" heading="Site settings" allowed={props.allowed}>
      <ErrorList errors={errors} />
      <form method="post" action="/admin/settings" novalidate>
        <Field name="title" label="Title" value={values.title} errors={errors} attributes={{ required: true, maxlength: 100 }} />
        <Field name="description" label="Description" value={values.description} errors={errors} multiline rows={2}
          attributes={{ required: true, maxlength: 300 }} />
        <Field name="navLinks" label="Navigation links" value={values.navLinks} errors={errors} multiline rows={4}
          hint={<p class="form-hint">One link a line, as "Label | address": a path on this site (/tag/news) or an http(s) URL. At most 10.</p>} />
        <Select name="registration" label="Who may join" value={values.registration} choices={REGISTRATION_CHOICES} errors={errors} />
        <Select name="comments" label="Comments" value={values.comments} errors={errors}
          choices={[{ value: 'on', label: 'On: readers may comment' }, { value: 'off', label: 'Off: no new comments (existing ones stay)' }]} />
        <Field name="newAccountArticlesPerDay" label="Articles a new account may publish on its first day" type="number"
          value={values.newAccountArticlesPerDay} errors={errors} attributes={{ min: 0, max: 1000, required: true }} />
        <Field name="newAccountCommentsPerDay" label="Comments a new account may write on its first day" type="number"
          value={values.newAccountCommentsPerDay} errors={errors} attributes={{ min: 0, max: 1000, required: true }} />
        <Select name="requireStaffTwoFactor" label="Two-factor sign-in for admins and moderators" value={values.requireStaffTwoFactor}
          errors={errors} disabled={!props.ownerOnlyEditable}
          hint={props.ownerOnlyEditable
            ? 'Required: an admin or moderator without two-factor sign-in loses their staff powers until they set it up.'
            : 'Only the owner can change this.'}
          choices={[{ value: 'off', label: 'Optional' }, { value: 'on', label: 'Required' }]} />
        <Select name="unconfirmedMayWrite" label="Accounts with an unconfirmed e-mail address" value={values.unconfirmedMayWrite} errors={errors}
          choices={[
            { value: 'on', label: 'May publish and comment' },
            { value: 'off', label: 'Must confirm their address before they publish or comment' },
          ]} />
        <button type="submit" class="btn btn-primary">
          Save settings
        </button>
      </form>
    </AdminLayout>
  );
}
