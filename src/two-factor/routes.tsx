/**
 * Two-factor sign-in's pages: /settings/two-factor (set up with a QR code drawn here, see, turn
 * off, new recovery codes) and /login/two-factor (the code after the password, for a session that
 * is pending: src/auth/middleware.ts). Recovery codes are the answer to the POST that made them
 * (200, no-store): they exist nowhere else to redirect to.
 */
import { Hono, type Context } from 'hono';
import { RecoveryCodesPage, TwoFactorLoginPage, TwoFactorSettingsPage } from '../../views/pages/two-factor-pages';
import type { AppDeps } from '../app-types';
import { redirectToLogin, requireUser, takeReturnTo } from '../auth/middleware';
import type { FieldErrors } from '../core';
import { callerOf } from '../lib/caller';
import { setFlash } from '../lib/flash';
import { errorsFromFields, field, formError, readForm, refusalFormErrors, type FormErrors } from '../lib/form';
import { TooManyRequests, tryAgainIn } from '../security/limits';
import { TWO_FACTOR_LOGIN_PATH, TWO_FACTOR_SETTINGS_PATH } from './paths';
import {
  beginTwoFactorSetup,
  disableTwoFactor,
  enableTwoFactor,
  findTwoFactorStatus,
  passSecondFactor,
  regenerateRecoveryCodes,
} from './use-cases';

const LABELS: Record<string, string> = {
  code: 'Code',
  password: 'Password',
};
/** what was typed is a secret: no copy of these pages is kept anywhere */
const NO_STORE = 'no-store';
const CODE_MAX_LENGTH = 64;
const PASSWORD_MAX_LENGTH = 1000;

const bounded = (text: string, max: number) => text.slice(0, max);

export function twoFactorRoutes(deps: AppDeps) {
  const app = new Hono();

  const showSettings = async (c: Context, errors?: FormErrors) => {
    c.header('cache-control', NO_STORE);
    const caller = callerOf(c, 'web');
    const status = await findTwoFactorStatus(deps, caller);
    // a refused form (errors) shows the waiting key again, and makes none
    const setup = status.enabled ? null : await beginTwoFactorSetup(deps, caller, { create: errors === undefined });
    return c.render(
      <TwoFactorSettingsPage
        status={status}
        setup={setup?.ok ? setup.value : null}
        staffRequired={c.get('staffNeedsTwoFactor')}
        errors={errors}
      />,
      { title: 'Two-factor sign-in' },
    );
  };

  /** A form's refusal: the page again (422, or 429 with the wait), fields named by `prefix`. */
  const refuse = async (c: Context, errors: FieldErrors | FormErrors, prefix = '') => {
    if ('list' in errors) return showSettings(c, errors as FormErrors);
    c.status(422);
    const named = Object.fromEntries(
      Object.entries(errors as FieldErrors).map(([key, messages]) => [key === 'form' || !prefix ? key : `${prefix}${key[0]!.toUpperCase()}${key.slice(1)}`, messages]),
    );
    const labels = Object.fromEntries(Object.entries(LABELS).map(([key, label]) => [prefix ? `${prefix}${key[0]!.toUpperCase()}${key.slice(1)}` : key, label]));
    return showSettings(c, errorsFromFields(named, labels));
  };

  app.get(TWO_FACTOR_SETTINGS_PATH, requireUser(), (c) => showSettings(c));

  app.post(`${TWO_FACTOR_SETTINGS_PATH}/enable`, requireUser(), async (c) => {
    const form = await readForm(c);
    let result: Awaited<ReturnType<typeof enableTwoFactor>>;
    try {
      result = await enableTwoFactor(deps, callerOf(c, 'web'), {
        code: bounded(field(form, 'code'), CODE_MAX_LENGTH),
        sessionId: c.get('session')?.id ?? null,
      });
    } catch (error) {
      return refuse(c, refusalFormErrors(c, error));
    }
    if (!result.ok) return refuse(c, result.errors);
    c.header('cache-control', NO_STORE);
    return c.render(<RecoveryCodesPage codes={result.value.recoveryCodes} reason="enabled" />, { title: 'Two-factor sign-in is on' });
  });

  const confirmation = (form: Awaited<ReturnType<typeof readForm>>, prefix: string) => ({
    password: bounded(field(form, `${prefix}Password`), PASSWORD_MAX_LENGTH),
    code: bounded(field(form, `${prefix}Code`), CODE_MAX_LENGTH),
  });

  app.post(`${TWO_FACTOR_SETTINGS_PATH}/disable`, requireUser(), async (c) => {
    const form = await readForm(c);
    let result: Awaited<ReturnType<typeof disableTwoFactor>>;
    try {
      result = await disableTwoFactor(deps, callerOf(c, 'web'), confirmation(form, 'disable'));
    } catch (error) {
      return refuse(c, refusalFormErrors(c, error));
    }
    if (!result.ok) return refuse(c, result.errors, 'disable');
    setFlash(c, 'Two-factor sign-in is off.');
    return c.redirect(TWO_FACTOR_SETTINGS_PATH, 303);
  });

  app.post(`${TWO_FACTOR_SETTINGS_PATH}/recovery-codes`, requireUser(), async (c) => {
    const form = await readForm(c);
    let result: Awaited<ReturnType<typeof regenerateRecoveryCodes>>;
    try {
      result = await regenerateRecoveryCodes(deps, callerOf(c, 'web'), confirmation(form, 'regenerate'));
    } catch (error) {
      return refuse(c, refusalFormErrors(c, error));
    }
    if (!result.ok) return refuse(c, result.errors, 'regenerate');
    c.header('cache-control', NO_STORE);
    return c.render(<RecoveryCodesPage codes={result.value.recoveryCodes} reason="regenerated" />, { title: 'New recovery codes' });
  });

  /** Only a pending session has anything to do here; the others go where they belong. */
  const pendingOrAway = (c: Context) => {
    const pending = c.get('pendingSession');
    if (pending) return { pending, away: null };
    return { pending: null, away: c.get('user') ? c.redirect('/', 303) : redirectToLogin(c, null) };
  };

  const showLogin = (c: Context, username: string, errors?: FormErrors) => {
    c.header('cache-control', NO_STORE);
    return c.render(<TwoFactorLoginPage username={username} errors={errors} />, { title: 'Two-factor sign-in' });
  };

  app.get(TWO_FACTOR_LOGIN_PATH, (c) => {
    const { pending, away } = pendingOrAway(c);
    return pending ? showLogin(c, pending.user.username) : away!;
  });

  app.post(TWO_FACTOR_LOGIN_PATH, async (c) => {
    const { pending, away } = pendingOrAway(c);
    if (!pending) return away!;
    const form = await readForm(c);
    const caller = { ...callerOf(c, 'web'), userId: pending.user.id };
    let result: Awaited<ReturnType<typeof passSecondFactor>>;
    try {
      result = await passSecondFactor(deps, caller, {
        userId: pending.user.id,
        sessionId: pending.session.id,
        code: bounded(field(form, 'code'), CODE_MAX_LENGTH),
      });
    } catch (error) {
      if (!(error instanceof TooManyRequests)) throw error;
      c.status(429);
      c.header('Retry-After', String(error.retryAfterSeconds));
      return showLogin(c, pending.user.username, formError('code', `Too many wrong codes. ${tryAgainIn(error.retryAfterSeconds)}`));
    }
    if (!result.ok) {
      c.status(422);
      return showLogin(c, pending.user.username, errorsFromFields(result.errors, LABELS));
    }
    const left = result.value.recoveryCodesLeft;
    setFlash(
      c,
      left === null
        ? `Welcome back, ${result.value.user.username}.`
        : `Welcome back, ${result.value.user.username}. That recovery code is now used: you have ${left} left${left <= 3 ? '; make new ones in your settings' : ''}.`,
    );
    return c.redirect(takeReturnTo(c) ?? '/', 303);
  });

  return app;
}
