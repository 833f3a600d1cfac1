import type { Invitation } from '../../../src/invitations/use-cases';
import { DateTime } from '../../components/date';
import { ErrorList, FieldError, fieldAria } from '../../components/errors';
import { Field } from '../../components/field';
import type { FormErrors } from '../../view-types';
import { AdminLayout, type AdminSection } from './admin-layout';

export type InvitationFormValues = { role: string; days: string; note: string };

const STATE_LABELS: Record<Invitation['state'], string> = { open: 'Open', used: 'Used', expired: 'Expired', revoked: 'Withdrawn' };

export function AdminInvitationsPage(props: {
  allowed: readonly AdminSection[];
  invitations: Invitation[];
  /** the roles the viewer may give */
  roles: Array<{ value: string; label: string }>;
  values: InvitationFormValues;
  errors?: FormErrors;
  /** the link just made: shown once, never again */
  newLink?: string;
}) {
  const { values, errors } = props;
  return (
    <AdminLayout current="/admin/invitations" heading="Invitations" allowed={props.allowed}>
      {props.newLink && (
        <section class="invitation-created" aria-labelledby="new-link-heading">
          <h2 id="new-link-heading">Your invitation link</h2>
          <p>Send this link to the person you invite. It is shown only now: copy it before leaving this page.</p>
          <p>
            <label for="invitation-link">Invitation link</label>
            <input id="invitation-link" type="url" class="form-control invitation-link" readonly value={props.newLink} />
          </p>
        </section>
      )}
      <section aria-labelledby="invite-heading">
        <h2 id="invite-heading">Invite someone</h2>
        <ErrorList errors={errors} />
        <form method="post" action="/admin/invitations" novalidate>
          <fieldset class="form-group">
            <label for="role">Role</label>
            <select id="role" name="role" class="form-control" {...fieldAria(errors, 'role')}>
              {props.roles.map((role) => (
                <option value={role.value} selected={role.value === values.role}>
                  {role.label}
                </option>
              ))}
            </select>
            <FieldError errors={errors} name="role" />
          </fieldset>
          <Field name="days" label="Valid for (days)" type="number" value={values.days} errors={errors} attributes={{ min: 1, max: 30 }} />
          <Field name="note" label="Note (who it is for)" value={values.note} errors={errors} attributes={{ maxlength: 200 }} />
          <button type="submit" class="btn btn-primary">
            Create invitation link
          </button>
        </form>
      </section>
      <section aria-labelledby="invitations-heading">
        <h2 id="invitations-heading">Invitations</h2>
        {props.invitations.length === 0 ? (
          <p>No invitation has been made yet.</p>
        ) : (
          <table class="admin-table">
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">Role</th>
                <th scope="col">Note</th>
                <th scope="col">Made</th>
                <th scope="col">State</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {props.invitations.map((invitation) => (
                <tr>
                  <td>{invitation.id}</td>
                  <td>{invitation.role}</td>
                  <td>{invitation.note ?? ''}</td>
                  <td>
                    <DateTime date={invitation.createdAt} />
                    {invitation.createdBy && ` by ${invitation.createdBy}`}
                  </td>
                  <td>
                    {STATE_LABELS[invitation.state]}
                    {invitation.state === 'used' && invitation.usedBy && (
                      <>
                        {' by '}
                        <a href={`/profile/${encodeURIComponent(invitation.usedBy)}`}>{invitation.usedBy}</a>
                      </>
                    )}
                    {invitation.state === 'open' && (
                      <>
                        {' until '}
                        <DateTime date={invitation.expiresAt} />
                      </>
                    )}
                  </td>
                  <td>
                    {invitation.state === 'open' && (
                      <form method="post" action={`/admin/invitations/${invitation.id}/revoke`}>
                        <button type="submit" class="btn btn-sm btn-outline-danger">
                          Withdraw invitation #{invitation.id}
                        </button>
                      </form>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </AdminLayout>
  );
}
