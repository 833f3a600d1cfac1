import type { AccountRow } from '../../../src/accounts/queries';
import { DateTime } from '../../components/date';
import { ErrorList } from '../../components/errors';
import type { FormErrors } from '../../view-types';
import { AdminLayout, AdminPager, type AdminSection } from './admin-layout';

/** One row of the list, with what the viewer may do to it (the route asks src/accounts/use-cases.ts). */
export type AccountListItem = AccountRow & { roleLabel: string; manageable: boolean; canHandOver: boolean };

/** A role the viewer may give, as the select offers it. */
export type RoleChoice = { value: string; label: string };

/** A row's form that failed: which one, what was typed, and the errors beside its fields. */
export type FailedRowForm = { username: string; form: 'role' | 'suspend' | 'unsuspend'; values: Record<string, string>; errors: FormErrors };

function AccountState(props: { account: AccountRow }) {
  const { account } = props;
  if (account.suspendedAt === null) return <span class="account-active">Active</span>;
  return (
    <span class="account-suspended">
      Suspended {account.suspendedUntil ? <>until <DateTime date={account.suspendedUntil} /></> : 'for good'}
      {account.suspensionReason ? `: ${account.suspensionReason}` : ''}
    </span>
  );
}

function RowError(props: { failed?: FailedRowForm; account: AccountRow; name: string }) {
  const message = props.failed?.username === props.account.username ? props.failed.errors.fields[props.name] : undefined;
  if (!message) return null;
  return (
    <p class="field-error" id={`${props.name}-${props.account.id}-error`}>
      {message}
    </p>
  );
}

function fieldAria(props: { failed?: FailedRowForm; account: AccountRow; name: string }) {
  const failed = props.failed?.username === props.account.username && props.failed.errors.fields[props.name];
  return failed ? { 'aria-invalid': 'true' as const, 'aria-describedby': `${props.name}-${props.account.id}-error` } : {};
}

function AccountActions(props: { account: AccountListItem; assignable: readonly RoleChoice[]; back: string; failed?: FailedRowForm }) {
  const { account, failed } = props;
  const base = `/admin/users/${encodeURIComponent(account.username)}`;
  const typed = failed?.username === account.username ? failed.values : {};
  return (
    <div class="account-actions">
      {account.manageable && (
        <>
          <form method="post" action={`${base}/role`} class="account-role-form">
            <input type="hidden" name="redirectTo" value={props.back} />
            <label for={`role-${account.id}`}>Role for {account.username}</label>{' '}
            <select id={`role-${account.id}`} name="role" {...fieldAria({ failed, account, name: 'role' })}>
              {props.assignable.map((role) => (
                <option value={role.value} selected={role.value === account.role}>
                  {role.label}
                </option>
              ))}
            </select>{' '}
            <button type="submit" class="btn btn-sm btn-outline-secondary">
              Change role
            </button>
            <RowError failed={failed} account={account} name="role" />
          </form>
          {account.suspendedAt === null ? (
            <form method="post" action={`${base}/suspend`} class="account-suspend-form">
              <input type="hidden" name="redirectTo" value={props.back} />
              <label for={`until-${account.id}`}>Suspend {account.username} until (optional, e.g. 2027-01-31; empty: for good)</label>{' '}
              <input type="text" id={`until-${account.id}`} name="until" value={typed['until'] ?? ''} {...fieldAria({ failed, account, name: 'until' })} />
              <RowError failed={failed} account={account} name="until" />{' '}
              <label for={`reason-${account.id}`}>Reason for suspending {account.username}</label>{' '}
              <input type="text" id={`reason-${account.id}`} name="reason" maxlength={500} value={typed['reason'] ?? ''} {...fieldAria({ failed, account, name: 'reason' })} />
              <RowError failed={failed} account={account} name="reason" />{' '}
              <button type="submit" class="btn btn-sm btn-outline-danger">
                Suspend
              </button>
            </form>
          ) : (
            <form method="post" action={`${base}/unsuspend`} class="account-unsuspend-form">
              <input type="hidden" name="redirectTo" value={props.back} />
              <button type="submit" class="btn btn-sm btn-outline-secondary">
                Unsuspend {account.username}
              </button>
            </form>
          )}
          {account.suspendedAt === null && (
            <form method="post" action={`${base}/reset-link`} class="account-reset-link-form">
              <button type="submit" class="btn btn-sm btn-outline-secondary">
                Make a password-reset link for {account.username}
              </button>
            </form>
          )}
          <a href={`${base}/delete`} class="account-delete-link">
            Delete {account.username}…
          </a>
          <form method="post" action={`${base}/export`} class="account-export-form">
            <button type="submit" class="btn btn-sm btn-outline-secondary">
              Export the data of {account.username}
            </button>
          </form>
        </>
      )}
      {account.canHandOver && (
        <form method="get" action={`${base}/ownership`} class="account-ownership-form">
          <button type="submit" class="btn btn-sm btn-outline-warning">
            Hand over ownership to {account.username}…
          </button>
        </form>
      )}
    </div>
  );
}

export function AdminUsersPage(props: {
  allowed: readonly AdminSection[];
  accounts: AccountListItem[];
  total: number;
  page: number;
  pages: number;
  search: string;
  assignable: readonly RoleChoice[];
  /** this page's address, where the rows' forms come back to */
  back: string;
  failed?: FailedRowForm;
}) {
  const query = (page: number) => `/admin/users?${new URLSearchParams({ ...(props.search && { q: props.search }), page: String(page) })}`;
  return (
    <AdminLayout current="/admin/users" heading="Users" allowed={props.allowed}>
      <ErrorList errors={props.failed?.errors} />
      <form method="get" action="/admin/users" class="admin-filter" role="search">
        <label for="users-search">Name or email</label>{' '}
        <input id="users-search" name="q" type="search" value={props.search} maxlength={254} />{' '}
        <button type="submit" class="btn btn-sm btn-outline-secondary">
          Search
        </button>
      </form>
      <p>
        {props.total} {props.total === 1 ? 'account' : 'accounts'}
        {props.search ? ` matching “${props.search}”` : ''}, newest first.
      </p>
      {props.accounts.length > 0 && (
        <table class="admin-table admin-users">
          <thead>
            <tr>
              <th scope="col">Account</th>
              <th scope="col">Role</th>
              <th scope="col">State</th>
              <th scope="col">Joined</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {props.accounts.map((account) => (
              <tr>
                <th scope="row">
                  <a href={`/profile/${encodeURIComponent(account.username)}`}>{account.username}</a>
                  <div class="admin-details">{account.email}</div>
                </th>
                <td>{account.roleLabel}</td>
                <td>
                  <AccountState account={account} />
                </td>
                <td>
                  <DateTime date={account.createdAt} />
                </td>
                <td>
                  <AccountActions account={account} assignable={props.assignable} back={props.back} failed={props.failed} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <AdminPager page={props.page} pages={props.pages} href={query} />
    </AdminLayout>
  );
}

/** Deleting an account asks first, saying what goes, with the choice to keep what it wrote. */
export function AdminDeleteUserPage(props: {
  allowed: readonly AdminSection[];
  username: string;
  articles: number;
  comments: number;
  placeholder: string;
  errors?: FormErrors;
}) {
  const action = `/admin/users/${encodeURIComponent(props.username)}/delete`;
  return (
    <AdminLayout current="/admin/users" heading={`Delete ${props.username}?`} allowed={props.allowed}>
      <ErrorList errors={props.errors} />
      <p>
        The account <strong>{props.username}</strong> will be deleted for good, with its sessions, API tokens, favorites and follows. It
        has written {props.articles} {props.articles === 1 ? 'article' : 'articles'} and {props.comments}{' '}
        {props.comments === 1 ? 'comment' : 'comments'}.
      </p>
      <form method="post" action={action}>
        <fieldset class="form-group">
          <legend>What it wrote</legend>
          <p>
            <input type="radio" id="keep-no" name="keepContent" value="no" checked />{' '}
            <label for="keep-no">Delete its articles and comments too</label>
          </p>
          <p>
            <input type="radio" id="keep-yes" name="keepContent" value="yes" />{' '}
            <label for="keep-yes">Keep its articles and comments, under “{props.placeholder}”</label>
          </p>
        </fieldset>
        <button type="submit" class="btn btn-danger">
          Delete {props.username}
        </button>{' '}
        <a href="/admin/users">Cancel</a>
      </form>
    </AdminLayout>
  );
}

/** Handing the site over asks first: the new owner takes the role, the old one becomes an admin. */
export function AdminHandOverPage(props: { allowed: readonly AdminSection[]; username: string }) {
  return (
    <AdminLayout current="/admin/users" heading={`Hand the site over to ${props.username}?`} allowed={props.allowed}>
      <p>
        <strong>{props.username}</strong> will become the site’s owner, and you will become an admin: only the new owner can hand it back.
      </p>
      <form method="post" action={`/admin/users/${encodeURIComponent(props.username)}/ownership`}>
        <button type="submit" class="btn btn-warning">
          Hand over ownership to {props.username}
        </button>{' '}
        <a href="/admin/users">Cancel</a>
      </form>
    </AdminLayout>
  );
}
