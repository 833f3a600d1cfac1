import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { api } from '../api/test-helpers';
import { sessionHandle } from '../auth/session';
import { sessions } from '../db/schema';
import { Browser, createTestApp, dom, insertUser, PASSWORD, signedInBrowser, type TestApp } from '../test-support';

const DAY = 24 * 60 * 60 * 1000;
const FIREFOX_LINUX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
const CHROME_WINDOWS =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

/** A new browser signed in as an existing user, with the given User-Agent. */
async function signIn(t: TestApp, email: string, userAgent?: string): Promise<Browser> {
  const browser = new Browser(t.app);
  const res = await browser.post('/login', { email, password: PASSWORD }, userAgent ? { 'user-agent': userAgent } : {});
  expect(res.status).toBe(303);
  browser.cookies.delete('flash');
  return browser;
}

const handleOf = (browser: Browser) => sessionHandle(browser.cookies.get('session')!.split('.')[0]!);

async function apiToken(t: TestApp, email: string): Promise<string> {
  const res = await api(t).post('/users/login', { user: { email, password: PASSWORD } });
  expect(res.status).toBe(200);
  return res.body.user.token;
}

async function expectSignedOut(browser: Browser): Promise<void> {
  const res = await browser.get('/settings');
  expect(res.status).toBe(303);
  expect(res.headers.get('location')).toBe('/login');
}

async function expectTokenRefused(t: TestApp, token: string): Promise<void> {
  const res = await api(t).get('/user', token);
  expect(res.status).toBe(401);
  expect(res.body).toEqual({ errors: { token: ['is invalid'] } });
}

describe('/settings/sessions', () => {
  it('sends a signed-out visitor to exactly /login', async () => {
    const t = await createTestApp();
    const res = await new Browser(t.app).get('/settings/sessions');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/login');
  });

  it("lists each of the user's sessions with its device and times, marks this one, and no one else's", async () => {
    const t = await createTestApp();
    const user = await insertUser(t.db, 'alice');
    const here = await signIn(t, user.email, FIREFOX_LINUX);
    t.clock.advance(DAY);
    const elsewhere = await signIn(t, user.email, CHROME_WINDOWS);
    const mallory = await signedInBrowser(t, 'mallory');
    t.clock.advance(DAY);

    const res = await here.get('/settings/sessions');
    expect(res.status).toBe(200);
    const root = dom(await res.text());
    const rows = root.querySelectorAll('li.session');
    expect(rows).toHaveLength(2);
    // most recently used first: this page's request just used the Firefox session
    expect(rows.map((row) => row.querySelector('.session-device strong')!.text)).toEqual(['Firefox 128 on Linux', 'Chrome 131 on Windows']);
    const current = root.querySelectorAll('li.session.current');
    expect(current).toHaveLength(1);
    expect(current[0]!.text).toContain('Firefox 128 on Linux');
    expect(current[0]!.text).toContain('(this session)');
    expect(rows[1]!.text).not.toContain('(this session)');
    // last seen, then signed in, as machine-readable times
    const times = (row: (typeof rows)[number]) => row.querySelectorAll('time').map((time) => time.getAttribute('datetime'));
    const start = Date.UTC(2026, 0, 1);
    expect(times(rows[0]!)).toEqual([new Date(start + 2 * DAY).toISOString(), new Date(start).toISOString()]);
    expect(times(rows[1]!)).toEqual([new Date(start + DAY).toISOString(), new Date(start + DAY).toISOString()]);
    // only the other session has a sign-out form, naming it by its handle
    expect(root.querySelectorAll('main form').map((form) => form.getAttribute('action'))).toEqual([
      `/settings/sessions/${handleOf(elsewhere)}/delete`,
      '/settings/sessions/others/delete',
    ]);
    expect(root.toString()).not.toContain(handleOf(mallory.browser));
    expect(root.toString()).not.toContain(mallory.browser.cookies.get('session')!.split('.')[0]!);
  });

  it('"Sign out this session" ends exactly that one; this one and everyone else stay signed in', async () => {
    const t = await createTestApp();
    const user = await insertUser(t.db, 'alice');
    const here = await signIn(t, user.email);
    const target = await signIn(t, user.email);
    const spare = await signIn(t, user.email);
    const mallory = await signedInBrowser(t, 'mallory');

    const handle = handleOf(target);
    const res = await here.post(`/settings/sessions/${handle}/delete`);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/settings/sessions');
    await expectSignedOut(target);
    expect((await here.get('/settings')).status).toBe(200);
    expect((await spare.get('/settings')).status).toBe(200);
    expect((await mallory.browser.get('/settings')).status).toBe(200);
    // the same handle again is simply not found
    expect((await here.post(`/settings/sessions/${handle}/delete`)).status).toBe(404);
  });

  it('"Sign out everywhere else" ends every other session and API token, and keeps this one', async () => {
    const t = await createTestApp();
    const user = await insertUser(t.db, 'alice');
    const here = await signIn(t, user.email);
    const elsewhere = await signIn(t, user.email);
    const token = await apiToken(t, user.email);
    const mallory = await insertUser(t.db, 'mallory');
    const malloryToken = await apiToken(t, mallory.email);

    const res = await here.post('/settings/sessions/others/delete');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/settings/sessions');
    await expectSignedOut(elsewhere);
    await expectTokenRefused(t, token);
    expect((await here.get('/settings')).status).toBe(200);
    expect((await api(t).get('/user', malloryToken)).status).toBe(200);
    expect(await t.db.select().from(sessions).where(eq(sessions.userId, user.id))).toHaveLength(1);
    const page = dom(await here.html('/settings/sessions'));
    expect(page.querySelectorAll('li.session')).toHaveLength(1);
    expect(page.querySelectorAll('form[action="/settings/sessions/others/delete"]')).toHaveLength(0);
  });
});

describe('session lifetime', () => {
  it('refuses a session left unused for 30 days, and keeps one unused for a little less', async () => {
    const t = await createTestApp();
    const { browser: idle } = await signedInBrowser(t, 'alice');
    const { browser: active } = await signedInBrowser(t, 'bob');
    const token = await apiToken(t, 'alice@example.com');
    t.clock.advance(30 * DAY - 60_000);
    expect((await active.get('/settings')).status).toBe(200);
    t.clock.advance(60_000);
    await expectSignedOut(idle);
    await expectTokenRefused(t, token);
    expect((await active.get('/settings')).status).toBe(200);
  });

  it('refuses a session used every day once 90 days have passed since sign-in', async () => {
    const t = await createTestApp();
    const { browser } = await signedInBrowser(t, 'alice');
    const token = await apiToken(t, 'alice@example.com');
    for (let day = 1; day < 90; day++) {
      t.clock.advance(DAY);
      expect((await browser.get('/settings')).status, `day ${day}`).toBe(200);
      expect((await api(t).get('/user', token)).status, `day ${day}`).toBe(200);
    }
    t.clock.advance(DAY);
    await expectSignedOut(browser);
    await expectTokenRefused(t, token);
    // signing in again gives a fresh session
    expect((await (await signIn(t, 'alice@example.com')).get('/settings')).status).toBe(200);
  });
});

describe('password change in settings', () => {
  it("also ends the user's API tokens, but not the session that changed it nor other users' tokens", async () => {
    const t = await createTestApp();
    const { browser, user } = await signedInBrowser(t, 'alice');
    const token = await apiToken(t, user.email);
    const bob = await insertUser(t.db, 'bob');
    const bobToken = await apiToken(t, bob.email);
    const res = await browser.post('/settings', {
      image: '',
      username: 'alice',
      bio: '',
      email: user.email,
      password: 'a brand new secret phrase',
      currentPassword: PASSWORD,
    });
    expect(res.status).toBe(303);
    await expectTokenRefused(t, token);
    expect((await browser.get('/settings')).status).toBe(200);
    expect((await api(t).get('/user', bobToken)).status).toBe(200);
  });
});
