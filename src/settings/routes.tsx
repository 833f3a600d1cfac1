import { Hono, type Context } from 'hono';
import { profilePath } from '../paths';
import { SettingsPage, type SettingsValues } from '../../views/pages/settings-page';
import type { AppDeps } from '../app-types';
import { currentUser, requireUser } from '../auth/middleware';
import { hashPassword, verifyPassword } from '../auth/password';
import { weakPasswordMessage } from '../auth/password-strength';
import { invalidateUserSessions } from '../auth/session';
import { logSecurityEvent } from '../security/audit';
import { setFlash } from '../lib/flash';
import { errorsFromZod, field, readForm, type FormErrors } from '../lib/form';
import { findUserById, isEmailTaken, isUsernameTaken, updateUser, type UserChanges } from '../users/queries';
import { SettingsFormSchema, USER_FIELD_LABELS } from '../users/schemas';

function addError(errors: FormErrors, name: string, message: string): void {
  errors.fields[name] ??= message;
  errors.list.push(message);
}

export function settingsRoutes(deps: AppDeps) {
  const { db } = deps;
  const app = new Hono();

  const render = (c: Context, values: SettingsValues, errors?: FormErrors) =>
    c.render(<SettingsPage values={values} errors={errors} />, { title: 'Settings' });

  app.get('/settings', requireUser(), (c) => {
    const user = currentUser(c);
    return render(c, { image: user.image ?? '', username: user.username, bio: user.bio ?? '', email: user.email });
  });

  app.post('/settings', requireUser(), async (c) => {
    const sessionUser = currentUser(c);
    const user = findUserById(db, sessionUser.id)!;
    const form = await readForm(c);
    const values: SettingsValues = {
      image: field(form, 'image'),
      username: field(form, 'username'),
      bio: field(form, 'bio'),
      email: field(form, 'email'),
    };
    const parsed = SettingsFormSchema.safeParse({
      ...values,
      password: field(form, 'password'),
      currentPassword: field(form, 'currentPassword'),
    });
    if (!parsed.success) {
      c.status(422);
      return render(c, values, errorsFromZod(parsed.error, USER_FIELD_LABELS));
    }
    const input = parsed.data;
    const errors: FormErrors = { list: [], fields: {} };
    if (isUsernameTaken(db, input.username, user.id)) addError(errors, 'username', 'Username has already been taken');
    if (isEmailTaken(db, input.email, user.id)) addError(errors, 'email', 'Email has already been taken');
    const weak = input.password
      ? await weakPasswordMessage(input.password, [input.username, input.email], deps.env.BLOCK_COMMON_PASSWORDS)
      : null;
    if (weak) addError(errors, 'password', `Password ${weak}`);

    const emailChanged = input.email.toLowerCase() !== user.email.toLowerCase();
    const passwordChanged = input.password !== '';
    // changing how one signs in needs the current password, so a borrowed session cannot take over the account
    if ((emailChanged || passwordChanged) && errors.list.length === 0) {
      if (input.currentPassword === '') {
        addError(errors, 'currentPassword', 'Current password is needed to change your email or password');
      } else if (!(await verifyPassword(user.passwordHash, input.currentPassword))) {
        addError(errors, 'currentPassword', 'Current password is not correct');
      }
    }
    if (errors.list.length > 0) {
      c.status(422);
      return render(c, values, errors);
    }

    const changes: UserChanges = { username: input.username, email: input.email, bio: input.bio, image: input.image };
    if (passwordChanged) changes.passwordHash = await hashPassword(input.password);
    const updated = updateUser(db, user.id, changes, deps.clock());
    if (passwordChanged) {
      invalidateUserSessions(db, user.id, c.get('session')?.id);
      logSecurityEvent(c, deps.log, 'password.changed', { via: 'settings' });
    }
    setFlash(c, passwordChanged ? 'Settings saved. Your other sessions were signed out.' : 'Settings saved.');
    return c.redirect(profilePath(updated.username), 303);
  });

  return app;
}
