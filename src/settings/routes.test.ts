import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { sessions, users } from '../db/schema';
import { Browser, createTestApp, insertUser, ORIGIN, PASSWORD, signedInBrowser, type TestApp } from '../test-support';
import { dom } from '../test-support';
import { lastMailTo, linkIn } from '../account-links/test-helpers';

const decode = (s: string) =>
  s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');

/** What a form field shows: an input's value ("" when it has none) or a textarea's text. */
function fieldValue(html: string, name: string): string | undefined {
  const input = html.match(new RegExp(`<input[^>]*\\sname="${name}"[^>]*>`))?.[0];
  if (input) return decode(input.match(/\svalue="([^"]*)"/)?.[1] ?? '');
  const textarea = html.match(new RegExp(`<textarea[^>]*\\sname="${name}"[^>]*>([\\s\\S]*?)</textarea>`));
  return textarea ? decode(textarea[1]!) : undefined;
}

type Fields = { image: string; username: string; bio: string; email: string; password: string; currentPassword: string };

/** The settings form as the page fills it in, with some fields changed. */
const settingsForm = (user: { username: string; email: string }, changes: Partial<Fields> = {}): Fields => ({
  image: '',
  username: user.username,
  bio: '',
  email: user.email,
  password: '',
  currentPassword: '',
  ...changes,
});

const userRow = async (t: TestApp, id: number) => (await t.db.select().from(users).where(eq(users.id, id)).limit(1))[0]!;

async function expect422(res: Response, message: string, field: string): Promise<string> {
  expect(res.status).toBe(422);
  const html = await res.text();
  expect(html).toMatch(new RegExp(`<ul class="error-messages"[^>]*><li>${message}`));
  expect(html).toContain(`<p class="field-error" id="${field}-error">${message}`);
  return html;
}

describe('GET /settings', () => {
  it('sends a signed-out visitor to exactly /login', async () => {
    const t = await createTestApp();
    for (const method of ['GET', 'POST']) {
      const res = await t.app.request(`${ORIGIN}/settings`, { method, headers: { origin: ORIGIN } });
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe('/login');
    }
  });

  it('shows the form filled in, an empty password field and the logout button', async () => {
    const t = await createTestApp();
    const { browser } = await signedInBrowser(t, 'alice');
    const res = await browser.get('/settings');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(fieldValue(html, 'image')).toBe('');
    expect(fieldValue(html, 'username')).toBe('alice');
    expect(fieldValue(html, 'bio')).toBe('');
    expect(fieldValue(html, 'email')).toBe('alice@example.com');
    expect(dom(html).querySelector('input[name=password]')?.getAttribute('type')).toBe('password');
    expect(fieldValue(html, 'password')).toBe('');
    expect(html).not.toContain('class="error-messages"');
    const settingsForm = html.indexOf('action="/settings"');
    const logout = html.search(/<form method="post" action="\/logout"><button[^>]*btn-outline-danger[^>]*>Or click here to logout/);
    expect(settingsForm).toBeGreaterThan(0);
    expect(logout).toBeGreaterThan(settingsForm);
  });

  it('shows the stored image URL and bio', async () => {
    const t = await createTestApp();
    const { browser, user } = await signedInBrowser(t, 'alice');
    await t.db.update(users).set({ image: 'https://img.example/a.png?s=1&t=2', bio: 'I <3 "quotes"' }).where(eq(users.id, user.id));
    const html = await browser.html('/settings');
    expect(fieldValue(html, 'image')).toBe('https://img.example/a.png?s=1&t=2');
    expect(fieldValue(html, 'bio')).toBe('I <3 "quotes"');
  });
});

describe('POST /settings', () => {
  it('saves the changes and goes to the new profile address', async () => {
    const t = await createTestApp();
    const { browser, user } = await signedInBrowser(t, 'alice');
    const image = 'https://img.example/Alicia.png?v=2';
    const res = await browser.post('/settings', settingsForm(user, { username: 'alicia', bio: 'Hello there', image }));
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/profile/alicia');
    expect(await userRow(t, user.id)).toMatchObject({ username: 'alicia', bio: 'Hello there', image, email: user.email });
    const profile = await browser.html('/profile/alicia');
    expect(profile).toContain('Settings saved.');
    expect(profile).toContain('<h4>alicia</h4>');
    expect((await browser.get('/profile/alice')).status).toBe(404);
  });

  it('clears the image and the bio when they are emptied', async () => {
    const t = await createTestApp();
    const { browser, user } = await signedInBrowser(t, 'alice');
    await t.db.update(users).set({ image: 'https://img.example/a.png', bio: 'Old bio' }).where(eq(users.id, user.id));
    const res = await browser.post('/settings', settingsForm(user, { image: '', bio: '' }));
    expect(res.status).toBe(303);
    expect(await userRow(t, user.id)).toMatchObject({ image: null, bio: null });
    expect(await browser.html('/profile/alice')).toContain('<img src="/default-avatar.svg" class="user-img"');
  });

  it.each(['javascript:alert(1)', 'data:image/svg+xml;base64,PHN2Zz4=', 'not a url'])(
    'refuses the image URL %s and keeps what was typed',
    async (image) => {
      const t = await createTestApp();
      const { browser, user } = await signedInBrowser(t, 'alice');
      const res = await browser.post('/settings', settingsForm(user, { image, username: 'typedname', bio: 'Typed bio' }));
      const html = await expect422(res, 'Image URL must be an http:// or https:// URL', 'image');
      expect(fieldValue(html, 'image')).toBe(image);
      expect(fieldValue(html, 'username')).toBe('typedname');
      expect(fieldValue(html, 'bio')).toBe('Typed bio');
      expect(await userRow(t, user.id)).toMatchObject({ username: 'alice', image: null, bio: null });
    },
  );

  it("refuses someone else's username or email, whatever their case", async () => {
    const t = await createTestApp();
    const { browser, user } = await signedInBrowser(t, 'alice');
    await insertUser(t.db, 'bob');
    const taken = await browser.post('/settings', settingsForm(user, { username: 'BoB' }));
    expect(fieldValue(await expect422(taken, 'Username has already been taken', 'username'), 'username')).toBe('BoB');
    const email = await browser.post('/settings', settingsForm(user, { email: 'BOB@example.com', currentPassword: PASSWORD }));
    await expect422(email, 'Email has already been taken', 'email');
    expect(await userRow(t, user.id)).toMatchObject({ username: 'alice', email: 'alice@example.com' });
  });

  it('asks for the current password to change the email', async () => {
    const t = await createTestApp();
    const { browser, user } = await signedInBrowser(t, 'alice');
    const email = 'new@example.com';
    const missing = await browser.post('/settings', settingsForm(user, { email }));
    const html = await expect422(missing, 'Current password is needed to change your email or password', 'currentPassword');
    expect(fieldValue(html, 'email')).toBe(email);
    const wrong = await browser.post('/settings', settingsForm(user, { email, currentPassword: 'not my password' }));
    expect(await expect422(wrong, 'Current password is not correct', 'currentPassword')).not.toContain('not my password');
    expect((await userRow(t, user.id)).email).toBe('alice@example.com');

    const right = await browser.post('/settings', settingsForm(user, { email, currentPassword: PASSWORD }));
    expect(right.status).toBe(303);
    // the change waits for the new address to be confirmed (src/account-links/)
    expect((await userRow(t, user.id)).email).toBe('alice@example.com');
    const link = linkIn(await lastMailTo(t.db, email, 'email-confirm'), '/confirm-email/');
    expect((await browser.post(link)).status).toBe(303);
    expect((await userRow(t, user.id)).email).toBe(email);
  });

  it('asks for the current password to change the password, and never shows either back', async () => {
    const t = await createTestApp();
    const { browser, user } = await signedInBrowser(t, 'alice');
    const password = 'a brand new secret';
    const before = (await userRow(t, user.id)).passwordHash;
    const missing = await browser.post('/settings', settingsForm(user, { password }));
    expect(await expect422(missing, 'Current password is needed', 'currentPassword')).not.toContain(password);
    const wrong = await browser.post('/settings', settingsForm(user, { password, currentPassword: 'wrong guess 123' }));
    const html = await expect422(wrong, 'Current password is not correct', 'currentPassword');
    expect(html).not.toContain(password);
    expect(html).not.toContain('wrong guess 123');
    expect(fieldValue(html, 'password')).toBe('');
    expect((await userRow(t, user.id)).passwordHash).toBe(before);

    const right = await browser.post('/settings', settingsForm(user, { password, currentPassword: PASSWORD }));
    expect(right.status).toBe(303);
    expect(right.headers.get('location')).toBe('/profile/alice');
    expect((await userRow(t, user.id)).passwordHash).not.toBe(before);
  });

  it("ends the user's other sessions when the password changes, and keeps this one", async () => {
    const t = await createTestApp();
    const { browser: here, user } = await signedInBrowser(t, 'alice');
    const elsewhere = new Browser(t.app);
    expect((await elsewhere.post('/login', { email: user.email, password: PASSWORD })).status).toBe(303);
    const bob = await signedInBrowser(t, 'bob');

    const res = await here.post('/settings', settingsForm(user, { password: 'a brand new secret', currentPassword: PASSWORD }));
    expect(res.status).toBe(303);
    expect((await here.get('/settings')).status).toBe(200);
    const signedOut = await elsewhere.get('/settings');
    expect(signedOut.status).toBe(303);
    expect(signedOut.headers.get('location')).toBe('/login');
    expect(await t.db.select().from(sessions).where(eq(sessions.userId, user.id))).toHaveLength(1);
    // someone else's session is not touched
    expect((await bob.browser.get('/settings')).status).toBe(200);
  });

  it('spends a password check on a new password: past the limit the form comes back with 429, as typed', async () => {
    const t = await createTestApp({ env: { RATE_LIMIT_PASSWORD_STRENGTH: '1/h' } });
    const { browser, user } = await signedInBrowser(t, 'alice');
    const before = (await userRow(t, user.id)).passwordHash;
    await expect422(await browser.post('/settings', settingsForm(user, { password: 'password1', currentPassword: PASSWORD })), 'Password is too easy to guess', 'password');

    const res = await browser.post('/settings', settingsForm(user, { bio: 'Still here', password: 'a brand new secret', currentPassword: PASSWORD }));

    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    const html = await res.text();
    expect(html).toMatch(/<ul class="error-messages"[^>]*><li>Too many requests\. Try again in \d+ (second|minute)s?\./);
    expect(fieldValue(html, 'bio')).toBe('Still here');
    expect(fieldValue(html, 'password')).toBe('');
    expect((await userRow(t, user.id)).passwordHash).toBe(before);
    // a change without a new password measures nothing and is not limited
    expect((await browser.post('/settings', settingsForm(user, { bio: 'Still here' }))).status).toBe(303);
  });

  it('lets the new password sign in, and not the old one', async () => {
    const t = await createTestApp();
    const { browser, user } = await signedInBrowser(t, 'alice');
    const password = 'a brand new secret';
    await browser.post('/settings', settingsForm(user, { password, currentPassword: PASSWORD }));
    expect((await new Browser(t.app).post('/login', { email: user.email, password: PASSWORD })).status).toBe(422);
    const res = await new Browser(t.app).post('/login', { email: user.email, password });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/');
  });

  it('refuses a bio over 1000 characters and accepts one of exactly 1000', async () => {
    const t = await createTestApp();
    const { browser, user } = await signedInBrowser(t, 'alice');
    const tooLong = await browser.post('/settings', settingsForm(user, { bio: 'b'.repeat(1001) }));
    expect(fieldValue(await expect422(tooLong, 'Bio is too long', 'bio'), 'bio')).toBe('b'.repeat(1001));
    expect((await userRow(t, user.id)).bio).toBeNull();
    expect((await browser.post('/settings', settingsForm(user, { bio: 'b'.repeat(1000) }))).status).toBe(303);
    expect((await userRow(t, user.id)).bio).toBe('b'.repeat(1000));
  });

  it.each([
    ['with a space', 'alice smith', 'Username can only contain'],
    ['over 40 characters', 'a'.repeat(41), 'Username is too long'],
    ['empty', '', 'Username can&#39;t be blank'],
  ])('refuses a username %s', async (_case, username, message) => {
    const t = await createTestApp();
    const { browser, user } = await signedInBrowser(t, 'alice');
    await expect422(await browser.post('/settings', settingsForm(user, { username })), message, 'username');
    expect((await userRow(t, user.id)).username).toBe('alice');
  });

  it('refuses a new password that is too short', async () => {
    const t = await createTestApp();
    const { browser, user } = await signedInBrowser(t, 'alice');
    const res = await browser.post('/settings', settingsForm(user, { password: 'short', currentPassword: PASSWORD }));
    await expect422(res, 'Password is too short', 'password');
  });
});
