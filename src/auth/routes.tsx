import { Hono, type Context } from 'hono';
import { LoginPage, RegisterPage, type RegisterRefusal } from '../../views/pages/auth-pages';
import { checkInvitationToken, INVITATION_REFUSALS } from '../invitations/use-cases';
import { ROLE_LABELS } from '../roles/permissions';
import { HONEYPOT_FIELD } from '../site/spam';
import type { AppDeps } from '../app-types';
import { callerOf } from '../lib/caller';
import { setFlash } from '../lib/flash';
import { errorsFromFields, errorsFromZod, field, formError, readForm, refusalFormErrors, type FormErrors } from '../lib/form';
import { safeRedirectPath } from '../lib/redirect';
import { TooManyRequests, tryAgainIn } from '../security/limits';
import { LoginFormSchema, RegisterFormSchema, USER_FIELD_LABELS } from '../users/schemas';
import { TWO_FACTOR_LOGIN_PATH } from '../two-factor/paths';
import { deleteSessionCookie, rememberReturnTo, setSessionCookie, takeReturnTo } from './middleware';
import { PASSWORD_MAX_LENGTH } from './password';
import { measurePasswordStrength, registrationRefusal, REGISTRATION_REFUSALS, RegistrationClosed, signIn, signOut, signUp } from './use-cases';

/** The sign-up form's labels, and the invitation's: "Invitation has already been used..." */
const REGISTER_LABELS: Record<string, string> = { ...USER_FIELD_LABELS, invitation: 'This invitation link' };

/**
 * The use case's answer, or the refusal a throttle or limit threw, so the form can come back with
 * the wait beside it instead of a bare 429 page.
 */
async function unlessThrottled<T>(run: () => Promise<T>): Promise<T | TooManyRequests> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof TooManyRequests) return err;
    throw err;
  }
}

/** A throttled form's status and Retry-After; the page is the form again. */
function refuseForNow(c: Context, refusal: TooManyRequests): void {
  c.status(429);
  c.header('Retry-After', String(refusal.retryAfterSeconds));
}

/** After signing in: the page that asked for it, else exactly "/". */
function afterSignIn(c: Context, redirectTo: string): string {
  return safeRedirectPath(redirectTo) ?? takeReturnTo(c) ?? '/';
}

export function authRoutes(deps: AppDeps) {
  const app = new Hono();

  const renderLogin = (c: Context, values: { email?: string; redirectTo?: string }, errors?: FormErrors) =>
    c.render(<LoginPage values={values} errors={errors} redirectTo={values.redirectTo} />, { title: 'Sign in' });

  const renderRegister = (
    c: Context,
    values: { username?: string; email?: string; redirectTo?: string },
    errors?: FormErrors,
    more: { invitation?: string; invitedAs?: string; refusal?: RegisterRefusal } = {},
  ) =>
    c.render(<RegisterPage values={values} errors={errors} redirectTo={values.redirectTo} {...more} />, { title: 'Sign up' });

  /** What /register says instead of a form when a sign-up without an invitation would be refused. */
  const closedPage = (c: Context, mode: 'invite' | 'closed', values: { redirectTo?: string }) =>
    renderRegister(c, values, undefined, {
      refusal: { heading: mode === 'closed' ? 'Sign-ups are closed' : 'Sign-ups are by invitation', message: REGISTRATION_REFUSALS[mode] },
    });

  app.get('/login', (c) =>
    renderLogin(c, { redirectTo: safeRedirectPath(c.req.query('redirectTo')) ?? undefined }),
  );

  app.post('/login', async (c) => {
    const form = await readForm(c);
    const values = { email: field(form, 'email'), redirectTo: safeRedirectPath(field(form, 'redirectTo')) ?? undefined };
    const parsed = LoginFormSchema.safeParse({ email: values.email, password: field(form, 'password') });
    if (!parsed.success) {
      c.status(422);
      return renderLogin(c, values, errorsFromZod(parsed.error, USER_FIELD_LABELS));
    }
    // an account with a second factor gets a pending session, and the code on the next page
    const result = await unlessThrottled(() => signIn(deps, callerOf(c, 'web'), { ...parsed.data, codeLater: true }));
    if (result instanceof TooManyRequests) {
      refuseForNow(c, result);
      return renderLogin(c, values, formError('password', `Too many failed sign-ins. ${tryAgainIn(result.retryAfterSeconds)}`));
    }
    if (!result.ok) {
      c.status(422);
      return renderLogin(c, values, errorsFromFields(result.errors, USER_FIELD_LABELS));
    }
    const { user, session, twoFactorPending } = result.value;
    setSessionCookie(c, session.token, session.expiresAt);
    if (twoFactorPending) {
      // the page asked for is remembered for after the code (src/two-factor/routes.tsx)
      rememberReturnTo(c, safeRedirectPath(field(form, 'redirectTo')));
      return c.redirect(TWO_FACTOR_LOGIN_PATH, 303);
    }
    setFlash(c, `Welcome back, ${user.username}.`);
    return c.redirect(afterSignIn(c, field(form, 'redirectTo')), 303);
  });

  app.get('/register', async (c) => {
    const values = { redirectTo: safeRedirectPath(c.req.query('redirectTo')) ?? undefined };
    const invitation = c.req.query('invite');
    if (invitation !== undefined) {
      // the link holds a secret: no shared cache keeps this page
      c.header('cache-control', 'no-store');
      const { state, role } = await checkInvitationToken(deps.db, invitation, deps.clock());
      if (state !== 'open') {
        c.status(state === 'unknown' ? 404 : 410);
        return renderRegister(c, values, undefined, {
          refusal: { heading: 'This invitation cannot be used', message: `This invitation link ${INVITATION_REFUSALS[state]}.` },
        });
      }
      return renderRegister(c, values, undefined, { invitation, invitedAs: ROLE_LABELS[role!].toLowerCase() });
    }
    const refusal = await registrationRefusal(deps);
    return refusal ? closedPage(c, refusal, values) : renderRegister(c, values);
  });

  app.post('/register', async (c) => {
    const form = await readForm(c);
    const values = {
      username: field(form, 'username'),
      email: field(form, 'email'),
      redirectTo: safeRedirectPath(field(form, 'redirectTo')) ?? undefined,
    };
    const invitation = field(form, 'invite') || undefined;
    if (invitation) c.header('cache-control', 'no-store');
    const again = (errors: FormErrors) => renderRegister(c, values, errors, { invitation });
    const parsed = RegisterFormSchema.safeParse({ ...values, password: field(form, 'password') });
    if (!parsed.success) {
      c.status(422);
      return again(errorsFromZod(parsed.error, USER_FIELD_LABELS));
    }
    let result: Awaited<ReturnType<typeof signUp>> | TooManyRequests;
    try {
      result = await unlessThrottled(() =>
        signUp(deps, callerOf(c, 'web'), { ...parsed.data, invitation, honeypot: field(form, HONEYPOT_FIELD) }),
      );
    } catch (error) {
      if (error instanceof RegistrationClosed) {
        c.status(403);
        return closedPage(c, error.mode, values);
      }
      // a password check that ran too long
      return again(refusalFormErrors(c, error));
    }
    if (result instanceof TooManyRequests) {
      refuseForNow(c, result);
      return again(formError(null, `Too many sign-up attempts from your address. ${tryAgainIn(result.retryAfterSeconds)}`));
    }
    if (!result.ok) {
      c.status(422);
      return again(errorsFromFields(result.errors, REGISTER_LABELS));
    }
    const { user, session } = result.value;
    if (session) setSessionCookie(c, session.token, session.expiresAt);
    setFlash(c, `Welcome to ${(await deps.reads.site()).settings.title}, ${user.username}!`);
    return c.redirect(afterSignIn(c, field(form, 'redirectTo')), 303);
  });

  /** The live strength hint under password fields (static/password-strength.js). */
  app.post('/password-strength', async (c) => {
    const form = await readForm(c);
    const password = field(form, 'password').slice(0, PASSWORD_MAX_LENGTH);
    const context = [field(form, 'username'), field(form, 'email')];
    try {
      const { score, label, warning } = await measurePasswordStrength(deps, callerOf(c, 'web'), { password, context });
      return c.json({ score, label, warning }, 200, { 'cache-control': 'no-store' });
    } catch (error) {
      if (!(error instanceof TooManyRequests)) throw error;
      const headers = { 'cache-control': 'no-store', 'retry-after': String(error.retryAfterSeconds) };
      return c.json({ error: error.message }, 429, headers);
    }
  });

  app.post('/logout', async (c) => {
    // a session waiting for its second factor can be ended too (the two-factor page's "Cancel")
    await signOut(deps, callerOf(c, 'web'), { sessionId: c.get('session')?.id ?? c.get('pendingSession')?.session.id ?? null });
    deleteSessionCookie(c);
    setFlash(c, 'Signed out.');
    return c.redirect('/', 303);
  });

  return app;
}
