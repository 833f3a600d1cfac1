import { AdminLayout, type AdminSection } from './admin-layout';

/** A password-reset link an admin made: shown this once, never stored in the clear. */
export function AdminResetLinkPage(props: { allowed: readonly AdminSection[]; username: string; link: string; expiresAt: string }) {
  return (
    <AdminLayout current="/admin/users" heading={`A password-reset link for ${props.username}`} allowed={props.allowed}>
      <p>
        Give this link to <strong>{props.username}</strong> privately. It works once, until {props.expiresAt}, and is shown only now;
        a new link replaces it.
      </p>
      <p>
        <label for="reset-link">Reset link</label>
        <input id="reset-link" type="text" class="form-control" readonly value={props.link} />
      </p>
      <p>
        <a href="/admin/users">Back to the users</a>
      </p>
    </AdminLayout>
  );
}
