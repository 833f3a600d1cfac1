import { Hono, type Context } from 'hono';
import { LoginPage, RegisterPage } from '../../views/pages/auth-pages';
import type { AppDeps } from '../app-types';
import { setFlash } from '../lib/flash';
import { errorsFromZod, field, formError, readForm, type FormErrors } from '../lib/form';
import { safeRedirectPath } from '../lib/redirect';
import { createUser, findUserByEmail, isEmailTaken, isUsernameTaken } from '../users/queries';
import { LoginFormSchema, RegisterFormSchema, USER_FIELD_LABELS } from '../users/schemas';
import { deleteSessionCookie, setSessionCookie, takeReturnTo } from './middleware';
import { loggableEmail, logSecurityEvent } from '../security/audit';
import { hashPassword, PASSWORD_MAX_LENGTH, verifyPassword, verifyPasswordAgainstNobody } from './password';
import { measurePassword, weakPasswordMessage } from './password-strength';
import { createSession, invalidateSession } from './session';

/** After signing in: the page that asked for it, else exactly "/". */
function afterSignIn(c: Context, redirectTo: string): string {
  return safeRedirectPath(redirectTo) ?? takeReturnTo(c) ?? '/';
}

function startSession(c: Context, deps: AppDeps, userId: number): void {
  const { token, session } = createSession(deps.db, userId, {
    now: deps.clock(),
    userAgent: c.req.header('user-agent'),
  });
  setSessionCookie(c, token, session.expiresAt);
}

export function authRoutes(deps: AppDeps) {
  const { db, clock } = deps;
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
    const { email } = parsed.data;
    // throttled before any password work: growing back-off per address and per email
    deps.limits.checkSignin(c.get('clientIp'), email, clock(), c.get('requestId'));
    const user = findUserByEmail(db, email);
    const valid = user
      ? await verifyPassword(user.passwordHash, parsed.data.password)
      : await verifyPasswordAgainstNobody(parsed.data.password);
    deps.limits.recordSignin(c.get('clientIp'), email, Boolean(user && valid), clock());
    if (!user || !valid) {
      logSecurityEvent(c, deps.log, 'signin.failure', { email: loggableEmail(email), knownEmail: Boolean(user) });
      c.status(422);
      // one message for both cases, so the form does not reveal which emails are registered
      return renderLogin(c, values, formError(null, 'Email or password is invalid'));
    }
    startSession(c, deps, user.id);
    logSecurityEvent(c, deps.log, 'signin.success', { userId: user.id });
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
    const { username, email, password } = parsed.data;
    const errors: FormErrors = { list: [], fields: {} };
    const weak = await weakPasswordMessage(password, [username, email], deps.env.BLOCK_COMMON_PASSWORDS);
    if (weak) {
      errors.fields['password'] = `Password ${weak}`;
      errors.list.push(errors.fields['password']);
    }
    if (isUsernameTaken(db, username)) {
      errors.fields['username'] = 'Username has already been taken';
      errors.list.push(errors.fields['username']);
    }
    if (isEmailTaken(db, email)) {
      errors.fields['email'] = 'Email has already been taken';
      errors.list.push(errors.fields['email']);
    }
    if (errors.list.length > 0) {
      c.status(422);
      return renderRegister(c, values, errors);
    }
    deps.limits.enforce('signup', c.get('clientIp'), clock(), c.get('requestId'));
    const user = createUser(db, { username, email, passwordHash: await hashPassword(password) }, clock());
    startSession(c, deps, user.id);
    logSecurityEvent(c, deps.log, 'signup', { userId: user.id });
    setFlash(c, `Welcome to ${deps.env.SITE_TITLE}, ${user.username}!`);
    return c.redirect(afterSignIn(c, field(form, 'redirectTo')), 303);
  });

  /** The live strength hint under password fields (static/password-strength.js). */
  app.post('/password-strength', async (c) => {
    const form = await readForm(c);
    const password = field(form, 'password').slice(0, PASSWORD_MAX_LENGTH);
    const { score, label, warning } = await measurePassword(password, [field(form, 'username'), field(form, 'email')]);
    return c.json({ score, label, warning }, 200, { 'cache-control': 'no-store' });
  });

  app.post('/logout', (c) => {
    const session = c.get('session');
    if (session) {
      invalidateSession(db, session.id);
      logSecurityEvent(c, deps.log, 'signout');
    }
    deleteSessionCookie(c);
    setFlash(c, 'Signed out.');
    return c.redirect('/', 303);
  });

  return app;
}
