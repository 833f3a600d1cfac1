import { Hono, type Context } from 'hono';
import { LoginPage, RegisterPage } from '../../views/pages/auth-pages';
import type { AppDeps } from '../app-types';
import { callerOf } from '../lib/caller';
import { setFlash } from '../lib/flash';
import { errorsFromFields, errorsFromZod, field, formError, readForm, refusalFormErrors, type FormErrors } from '../lib/form';
import { safeRedirectPath } from '../lib/redirect';
import { TooManyRequests, tryAgainIn } from '../security/limits';
import { LoginFormSchema, RegisterFormSchema, USER_FIELD_LABELS } from '../users/schemas';
import { deleteSessionCookie, setSessionCookie, takeReturnTo } from './middleware';
import { PASSWORD_MAX_LENGTH } from './password';
import { measurePasswordStrength, signIn, signOut, signUp } from './use-cases';

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
  ) =>
    c.render(<RegisterPage values={values} errors={errors} redirectTo={values.redirectTo} />, { title: 'Sign up' });

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
    const result = await unlessThrottled(() => signIn(deps, callerOf(c, 'web'), parsed.data));
    if (result instanceof TooManyRequests) {
      refuseForNow(c, result);
      return renderLogin(c, values, formError('password', `Too many failed sign-ins. ${tryAgainIn(result.retryAfterSeconds)}`));
    }
    if (!result.ok) {
      c.status(422);
      return renderLogin(c, values, errorsFromFields(result.errors, USER_FIELD_LABELS));
    }
    const { user, session } = result.value;
    setSessionCookie(c, session.token, session.expiresAt);
    setFlash(c, `Welcome back, ${user.username}.`);
    return c.redirect(afterSignIn(c, field(form, 'redirectTo')), 303);
  });

  app.get('/register', (c) =>
    renderRegister(c, { redirectTo: safeRedirectPath(c.req.query('redirectTo')) ?? undefined }),
  );

  app.post('/register', async (c) => {
    const form = await readForm(c);
    const values = {
      username: field(form, 'username'),
      email: field(form, 'email'),
      redirectTo: safeRedirectPath(field(form, 'redirectTo')) ?? undefined,
    };
    const parsed = RegisterFormSchema.safeParse({ ...values, password: field(form, 'password') });
    if (!parsed.success) {
      c.status(422);
      return renderRegister(c, values, errorsFromZod(parsed.error, USER_FIELD_LABELS));
    }
    let result: Awaited<ReturnType<typeof signUp>> | TooManyRequests;
    try {
      result = await unlessThrottled(() => signUp(deps, callerOf(c, 'web'), parsed.data));
    } catch (error) {
      // a password check that ran too long
      return renderRegister(c, values, refusalFormErrors(c, error));
    }
    if (result instanceof TooManyRequests) {
      refuseForNow(c, result);
      return renderRegister(c, values, formError(null, `Too many sign-up attempts from your address. ${tryAgainIn(result.retryAfterSeconds)}`));
    }
    if (!result.ok) {
      c.status(422);
      return renderRegister(c, values, errorsFromFields(result.errors, USER_FIELD_LABELS));
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
    await signOut(deps, callerOf(c, 'web'), { sessionId: c.get('session')?.id ?? null });
    deleteSessionCookie(c);
    setFlash(c, 'Signed out.');
    return c.redirect('/', 303);
  });

  return app;
}
