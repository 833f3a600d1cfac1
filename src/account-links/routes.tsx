/**
 * The doors of src/account-links/: "Forgot password?" and the reset link's page, the confirmation
 * link's page, "send the confirmation again" (settings), and an admin's reset link
 * (/admin/users). Pages holding a token in their address are never cached (no-store); the site's
 * referrer policy (strict-origin-when-cross-origin, src/lib/security-headers.ts) already keeps the
 * path, and so the token, out of every Referer sent to another site.
 */
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import {
  ConfirmEmailPage,
  ForgotPasswordPage,
  LinkRefusedPage,
  ResetPasswordPage,
} from '../../views/pages/account-link-pages';
import { AdminResetLinkPage } from '../../views/pages/admin/reset-link-page';
import { formatUtc } from '../accounts/use-cases';
import { allowedSections, requireAdminPermission } from '../admin/guard';
import type { AppDeps } from '../app-types';
import { requireUser } from '../auth/middleware';
import { callerOf } from '../lib/caller';
import { setFlash } from '../lib/flash';
import { errorsFromFields, errorsFromZod, field, formError, readForm, refusalFormErrors, type FormErrors } from '../lib/form';
import { TooManyRequests, tryAgainIn } from '../security/limits';
import { EmailSchema, PasswordSchema, USER_FIELD_LABELS } from '../users/schemas';
import { checkConfirmationLink, CONFIRM_LINK_REFUSALS, confirmEmail, resendEmailConfirmation } from './email-confirmation';
import {
  checkPasswordResetLink,
  createPasswordResetLink,
  requestPasswordReset,
  RESET_LINK_REFUSALS,
  RESET_REQUESTED,
  resetPasswordWithLink,
} from './password-reset';

const ForgotFormSchema = z.object({ email: EmailSchema });
const ResetFormSchema = z.object({ password: PasswordSchema });

/** A page whose address or body holds a secret: no cache keeps it. */
function keepTokenPrivate(c: Context): void {
  c.header('cache-control', 'no-store');
}

export function accountLinkRoutes(deps: AppDeps) {
  const app = new Hono();

  const renderForgot = (c: Context, values: { email?: string }, errors?: FormErrors) =>
    c.render(<ForgotPasswordPage values={values} errors={errors} />, { title: 'Forgot your password?' });

  const resetRefused = (c: Context, state: 'unknown' | 'expired') => {
    c.status(state === 'unknown' ? 404 : 410);
    return c.render(
      <LinkRefusedPage heading="This link cannot be used" message={RESET_LINK_REFUSALS[state]} next={{ href: '/forgot-password', text: 'Ask for a new link' }} />,
      { title: 'Reset link' },
    );
  };

  const confirmRefused = (c: Context, status: 404 | 409 | 410, message: string) => {
    c.status(status);
    return c.render(
      <LinkRefusedPage heading="This address cannot be confirmed" message={message} next={{ href: '/settings', text: 'Go to your settings' }} />,
      { title: 'Confirm your e-mail address' },
    );
  };

  app.get('/forgot-password', (c) => renderForgot(c, {}));

  app.post('/forgot-password', async (c) => {
    const form = await readForm(c);
    const values = { email: field(form, 'email') };
    const parsed = ForgotFormSchema.safeParse(values);
    if (!parsed.success) {
      c.status(422);
      return renderForgot(c, values, errorsFromZod(parsed.error, USER_FIELD_LABELS));
    }
    try {
      await requestPasswordReset(deps, callerOf(c, 'web'), parsed.data);
    } catch (error) {
      if (!(error instanceof TooManyRequests)) throw error;
      c.status(429);
      c.header('Retry-After', String(error.retryAfterSeconds));
      return renderForgot(c, values, formError('email', `Too many reset links asked for. ${tryAgainIn(error.retryAfterSeconds)}`));
    }
    // the same answer whether or not an account has the address
    setFlash(c, RESET_REQUESTED);
    return c.redirect('/forgot-password', 303);
  });

  app.get('/reset-password/:token', async (c) => {
    keepTokenPrivate(c);
    const token = c.req.param('token');
    const checked = await checkPasswordResetLink(deps, token);
    if (checked.state !== 'open') return resetRefused(c, checked.state);
    return c.render(<ResetPasswordPage token={token} username={checked.user.username} />, { title: 'Choose a new password' });
  });

  app.post('/reset-password/:token', async (c) => {
    keepTokenPrivate(c);
    const token = c.req.param('token');
    const form = await readForm(c);
    const checked = await checkPasswordResetLink(deps, token);
    if (checked.state !== 'open') return resetRefused(c, checked.state);
    const again = (errors: FormErrors) => {
      c.status(422);
      return c.render(<ResetPasswordPage token={token} username={checked.user.username} errors={errors} />, { title: 'Choose a new password' });
    };
    const parsed = ResetFormSchema.safeParse({ password: field(form, 'password') });
    if (!parsed.success) return again(errorsFromZod(parsed.error, { password: 'New password' }));
    let result: Awaited<ReturnType<typeof resetPasswordWithLink>>;
    try {
      result = await resetPasswordWithLink(deps, callerOf(c, 'web'), { token, password: parsed.data.password });
    } catch (error) {
      // a password check refused by its limit, or that ran too long
      const errors = refusalFormErrors(c, error);
      return c.render(<ResetPasswordPage token={token} username={checked.user.username} errors={errors} />, { title: 'Choose a new password' });
    }
    if (!result.ok) {
      if (result.errors['link']) return resetRefused(c, 'unknown');
      return again(errorsFromFields(result.errors, { password: 'New password' }));
    }
    // no session is made here: signing in afresh asks for the second factor, if there is one
    setFlash(c, 'Your password is changed and every session of your account is signed out. Sign in with your new password.');
    return c.redirect('/login', 303);
  });

  app.get('/confirm-email/:token', async (c) => {
    keepTokenPrivate(c);
    const token = c.req.param('token');
    const checked = await checkConfirmationLink(deps, token);
    if (checked.state !== 'open') return confirmRefused(c, checked.state === 'unknown' ? 404 : 410, CONFIRM_LINK_REFUSALS[checked.state]);
    return c.render(<ConfirmEmailPage token={token} username={checked.user.username} address={checked.address} change={checked.change} />, {
      title: 'Confirm your e-mail address',
    });
  });

  app.post('/confirm-email/:token', async (c) => {
    keepTokenPrivate(c);
    const result = await confirmEmail(deps, callerOf(c, 'web'), { token: c.req.param('token') });
    if (!result.ok) {
      if (result.errors['email']) return confirmRefused(c, 409, 'This address is now used by another account: choose another one in your settings.');
      const message = result.errors['link']![0]!;
      return confirmRefused(c, message === CONFIRM_LINK_REFUSALS.expired ? 410 : 404, message);
    }
    const { user, changed } = result.value;
    setFlash(c, changed ? `Your e-mail address is now ${user.email}.` : `Your e-mail address ${user.email} is confirmed. Thank you!`);
    return c.redirect(c.get('user') ? '/settings' : '/login', 303);
  });

  app.post('/settings/email/resend', requireUser(), async (c) => {
    const result = await resendEmailConfirmation(deps, callerOf(c, 'web'));
    if (result.ok) setFlash(c, `A new confirmation link is on its way to ${result.value.address}.`);
    else setFlash(c, 'Your e-mail address is already confirmed.');
    return c.redirect('/settings', 303);
  });

  app.post('/admin/users/:username/reset-link', requireAdminPermission('user:suspend'), async (c) => {
    keepTokenPrivate(c);
    const { user, link, expiresAt } = await createPasswordResetLink(deps, callerOf(c, 'web'), { username: c.req.param('username') });
    return c.render(<AdminResetLinkPage allowed={allowedSections(c)} username={user.username} link={link} expiresAt={formatUtc(expiresAt)} />, {
      title: 'Password-reset link',
    });
  });

  return app;
}
