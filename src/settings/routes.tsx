import { Hono, type Context } from 'hono';
import { profilePath } from '../paths';
import { SettingsPage, type SettingsValues } from '../../views/pages/settings-page';
import type { AppDeps } from '../app-types';
import { currentUser, requireUser } from '../auth/middleware';
import { callerOf } from '../lib/caller';
import { setFlash } from '../lib/flash';
import { errorsFromFields, errorsFromZod, field, readForm, refusalFormErrors, type FormErrors } from '../lib/form';
import { SettingsFormSchema, USER_FIELD_LABELS } from '../users/schemas';
import { changeSettings } from '../users/use-cases';
import { findUserById } from '../users/queries';
import { readEmailState } from '../account-links/email-confirmation';
import { uploadedFile } from '../media/routes';
import { uploadImage } from '../media/use-cases';

export function settingsRoutes(deps: AppDeps) {
  const app = new Hono();

  const render = async (c: Context, values: SettingsValues, errors?: FormErrors) => {
    const user = await findUserById(deps.db, currentUser(c).id);
    const emailState = user ? await readEmailState(deps, user) : undefined;
    return c.render(<SettingsPage values={values} errors={errors} emailState={emailState} />, { title: 'Settings' });
  };

  app.get('/settings', requireUser(), (c) => {
    const user = currentUser(c);
    return render(c, { image: user.image ?? '', username: user.username, bio: user.bio ?? '', email: user.email });
  });

  app.post('/settings', requireUser(), async (c) => {
    const form = await readForm(c);
    const values: SettingsValues = {
      image: field(form, 'image'),
      username: field(form, 'username'),
      bio: field(form, 'bio'),
      email: field(form, 'email'),
    };
    // a new picture uploaded with the form: cropped square (512x512) on the server, and the
    // profile's image becomes its address, absolute like any image URL given here (feeds, the API
    // and link previews take it as it is)
    const avatar = await uploadedFile(await c.req.parseBody(), 'avatar');
    if (avatar) {
      let upload: Awaited<ReturnType<typeof uploadImage>>;
      try {
        upload = await uploadImage(deps, callerOf(c, 'web'), { bytes: avatar, purpose: 'avatar' });
      } catch (error) {
        return render(c, values, refusalFormErrors(c, error));
      }
      if (!upload.ok) {
        c.status(upload.status);
        return render(c, values, errorsFromFields({ avatar: upload.errors.file ?? [] }, { avatar: 'Picture' }));
      }
      values.image = `${deps.env.PUBLIC_URL}${upload.value.url}`;
    }
    const parsed = SettingsFormSchema.safeParse({
      ...values,
      password: field(form, 'password'),
      currentPassword: field(form, 'currentPassword'),
    });
    if (!parsed.success) {
      c.status(422);
      return render(c, values, errorsFromZod(parsed.error, USER_FIELD_LABELS));
    }
    const { password, currentPassword, ...profile } = parsed.data;
    let result: Awaited<ReturnType<typeof changeSettings>>;
    try {
      result = await changeSettings(deps, callerOf(c, 'web'), {
        // an empty password field keeps the current password
        changes: password === '' ? profile : { ...profile, password },
        requireCurrentPassword: true,
        currentPassword,
        currentSessionId: c.get('session')?.id ?? null,
      });
    } catch (error) {
      return render(c, values, refusalFormErrors(c, error));
    }
    if (!result.ok) {
      c.status(422);
      return render(c, values, errorsFromFields(result.errors, USER_FIELD_LABELS));
    }
    const { user, passwordChanged, emailPending } = result.value;
    const said = ['Settings saved.'];
    if (passwordChanged) said.push('Your other sessions were signed out.');
    if (emailPending) said.push(`Your e-mail address changes to ${emailPending} once you follow the link we sent there.`);
    setFlash(c, said.join(' '));
    return c.redirect(profilePath(user.username), 303);
  });

  return app;
}
