import { describe, expect, it } from 'vitest';
import { sessions, users } from '../db/schema';
import { Browser, createTestApp, dom, insertUser, ORIGIN, PASSWORD, signedInBrowser } from '../test-support';

describe('sign up', () => {
  it('creates the account, signs in and lands on exactly / with a welcome flash', async () => {
    const t = await createTestApp();
    const browser = new Browser(t.app);
    const res = await browser.post('/register', { username: 'alice', email: 'alice@example.com', password: PASSWORD });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/');
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('session='))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).not.toMatch(/Secure/i);

    const home = dom(await browser.html('/'));
    expect(home.querySelector('nav.navbar a[href="/profile/alice"]')?.text.trim()).toBe('alice');
    expect(home.querySelector('.flash')?.text).toContain('Welcome');
    const user = (await t.db.select().from(users).limit(1))[0]!;
    expect(user.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });

  it('names the cookie __Host-session and marks it Secure when PUBLIC_URL is https', async () => {
    const t = await createTestApp({ env: { PUBLIC_URL: 'https://blog.example' } });
    const res = await t.app.request('https://blog.example/register', {
      method: 'POST',
      headers: { origin: 'https://blog.example', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: 'bob', email: 'bob@example.com', password: PASSWORD }),
    });
    expect(res.status).toBe(303);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('__Host-session='))!;
    expect(cookie).toMatch(/; Secure/);
    expect(cookie).toMatch(/; Path=\//);
    expect(cookie).not.toMatch(/Domain=/i);
    expect(res.headers.getSetCookie().some((c) => c.startsWith('session='))).toBe(false);
    // and it is what the next request is recognised by
    const token = cookie.split(';')[0]!;
    const settings = await t.app.request('https://blog.example/settings', { headers: { cookie: token } });
    expect(settings.status).toBe(200);
  });

  it.each([
    [{ username: '', email: 'a@example.com', password: PASSWORD }, 'Username can\'t be blank'],
    [{ username: 'has space', email: 'a@example.com', password: PASSWORD }, 'Username can only contain'],
    [{ username: 'x'.repeat(41), email: 'a@example.com', password: PASSWORD }, 'Username is too long'],
    [{ username: 'carol', email: 'not-an-email', password: PASSWORD }, 'Email is not a valid email address'],
    [{ username: 'carol', email: 'a@example.com', password: 'short' }, 'Password is too short (minimum is 8 characters)'],
    [{ username: 'carol', email: 'a@example.com', password: 'p'.repeat(257) }, 'Password is too long'],
  ])('refuses %j with 422, keeping what was typed but the password', async (fields, message) => {
    const t = await createTestApp();
    const res = await new Browser(t.app).post('/register', fields);
    expect(res.status).toBe(422);
    const page = dom(await res.text());
    expect(page.querySelector('ul.error-messages')?.text).toContain(message);
    expect(page.querySelectorAll('.field-error').length).toBeGreaterThan(0);
    expect(page.querySelector('input[name=username]')?.getAttribute('value')).toBe(fields.username);
    expect(page.querySelector('input[name=email]')?.getAttribute('value')).toBe(fields.email);
    expect(page.querySelector('input[name=password]')?.getAttribute('value')).toBeUndefined();
    expect(await t.db.select().from(users)).toHaveLength(0);
  });

  it('refuses a username or email already taken, whatever the case', async () => {
    const t = await createTestApp();
    await insertUser(t.db, 'Dave');
    const res = await new Browser(t.app).post('/register', { username: 'dave', email: 'DAVE@example.com', password: PASSWORD });
    expect(res.status).toBe(422);
    const text = await res.text();
    expect(text).toContain('Username has already been taken');
    expect(text).toContain('Email has already been taken');
  });

  it('treats a JSON body as an empty form: 422, not 500', async () => {
    const t = await createTestApp();
    const res = await t.app.request(`${ORIGIN}/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: ORIGIN },
      body: '{"username":"x"',
    });
    expect(res.status).toBe(422);
  });
});

describe('sign in', () => {
  it('signs in with the right password, case-insensitively by email, to exactly /', async () => {
    const t = await createTestApp();
    await insertUser(t.db, 'erin');
    const browser = new Browser(t.app);
    const res = await browser.post('/login', { email: 'ERIN@example.com', password: PASSWORD });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/');
    expect(await t.db.select().from(sessions)).toHaveLength(1);
  });

  it.each([
    ['a wrong password', 'erin@example.com', 'wrong password!'],
    ['an unknown email', 'nobody@example.com', PASSWORD],
  ])('refuses %s with one message and keeps the email', async (_case, email, password) => {
    const t = await createTestApp();
    await insertUser(t.db, 'erin');
    const res = await new Browser(t.app).post('/login', { email, password });
    expect(res.status).toBe(422);
    const page = dom(await res.text());
    expect(page.querySelector('ul.error-messages li')?.text).toBe('Email or password is invalid');
    expect(page.querySelector('input[name=email]')?.getAttribute('value')).toBe(email);
    expect(page.querySelector('input[name=password]')?.getAttribute('value')).toBeUndefined();
  });

  it('refuses an empty form with field messages', async () => {
    const t = await createTestApp();
    const res = await new Browser(t.app).post('/login', {});
    expect(res.status).toBe(422);
    const page = dom(await res.text());
    expect(page.querySelectorAll('ul.error-messages li').map((li) => li.text)).toEqual([
      "Email can't be blank",
      "Password can't be blank",
    ]);
  });

  it('creates a new session at every sign-in', async () => {
    const t = await createTestApp();
    await insertUser(t.db, 'erin');
    const a = new Browser(t.app);
    await a.post('/login', { email: 'erin@example.com', password: PASSWORD });
    const first = a.cookies.get('session');
    await a.post('/login', { email: 'erin@example.com', password: PASSWORD });
    expect(a.cookies.get('session')).not.toBe(first);
  });

  it('returns to the page that asked for sign-in, remembered in a cookie', async () => {
    const t = await createTestApp();
    await insertUser(t.db, 'erin');
    const browser = new Browser(t.app);
    const ask = await browser.get('/editor');
    expect(ask.status).toBe(303);
    expect(ask.headers.get('location')).toBe('/login');
    const res = await browser.post('/login', { email: 'erin@example.com', password: PASSWORD });
    expect(res.headers.get('location')).toBe('/editor');
    // used once
    const again = await browser.post('/login', { email: 'erin@example.com', password: PASSWORD });
    expect(again.headers.get('location')).toBe('/');
  });

  it('honours a same-site redirectTo and refuses open redirects', async () => {
    const t = await createTestApp();
    await insertUser(t.db, 'erin');
    const login = dom(await new Browser(t.app).html('/login?redirectTo=%2Farticle%2Fx'));
    expect(login.querySelector('input[name=redirectTo]')?.getAttribute('value')).toBe('/article/x');
    for (const [redirectTo, expected] of [
      ['/article/x', '/article/x'],
      ['https://evil.example/', '/'],
      ['//evil.example/', '/'],
      ['/\\evil.example', '/'],
      ['javascript:alert(1)', '/'],
    ]) {
      const res = await new Browser(t.app).post('/login', { email: 'erin@example.com', password: PASSWORD, redirectTo: redirectTo! });
      expect(res.headers.get('location'), redirectTo).toBe(expected);
    }
  });
});

describe('sign out', () => {
  it('deletes the session on the server and redirects to exactly /', async () => {
    const t = await createTestApp();
    const { browser } = await signedInBrowser(t, 'frank');
    const token = browser.cookies.get('session')!;
    const res = await browser.post('/logout');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/');
    expect(await t.db.select().from(sessions)).toHaveLength(0);
    // the old cookie no longer works
    const replay = await t.app.request(`${ORIGIN}/settings`, { headers: { cookie: `session=${token}` } });
    expect(replay.status).toBe(303);
    const home = dom(await browser.html('/'));
    expect(home.querySelector('.flash')?.text).toContain('Signed out');
    expect(home.querySelectorAll('a[href="/login"]')).toHaveLength(1);
  });

  it('is refused from another site (CSRF) with 403 and keeps the session', async () => {
    const t = await createTestApp();
    const { browser } = await signedInBrowser(t, 'frank');
    const res = await browser.post('/logout', {}, { origin: 'https://evil.example' });
    expect(res.status).toBe(403);
    expect(await res.text()).not.toMatch(/at .*\.ts/);
    expect(await t.db.select().from(sessions)).toHaveLength(1);
    const noOrigin = await browser.request('/logout', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(noOrigin.status).toBe(403);
    const sameOriginFetch = await browser.request('/logout', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin' },
    });
    expect(sameOriginFetch.status).toBe(303);
  });
});

describe('session cookie', () => {
  it('is refreshed when the session is renewed, and dropped when it is invalid', async () => {
    const t = await createTestApp();
    const { browser } = await signedInBrowser(t, 'gina');
    t.clock.advance(16 * 24 * 60 * 60 * 1000);
    const res = await browser.get('/');
    expect(res.headers.getSetCookie().some((c) => c.startsWith('session='))).toBe(true);

    const stranger = new Browser(t.app);
    stranger.cookies.set('session', 'forged.token');
    const res2 = await stranger.get('/');
    expect(res2.status).toBe(200);
    expect(stranger.cookies.has('session')).toBe(false);
  });
});

describe('passwords', () => {
  it('refuses a common password on sign-up with advice, unless BLOCK_COMMON_PASSWORDS=false', async () => {
    const t = await createTestApp();
    const res = await new Browser(t.app).post('/register', { username: 'carol', email: 'carol@example.com', password: 'password1' });
    expect(res.status).toBe(422);
    const page = dom(await res.text());
    expect(page.querySelector('.field-error')?.text).toMatch(/^Password is too easy to guess: This is a commonly used password/);
    expect(await t.db.select().from(users)).toHaveLength(0);

    const relaxed = await createTestApp({ env: { BLOCK_COMMON_PASSWORDS: 'false' } });
    const ok = await new Browser(relaxed.app).post('/register', { username: 'carol', email: 'carol@example.com', password: 'password1' });
    expect(ok.status).toBe(303);
    const tooShort = await new Browser(relaxed.app).post('/register', { username: 'dan', email: 'dan@example.com', password: 'short' });
    expect(tooShort.status).toBe(422);
  });

  it('gives a strength hint for the live meter, same-site only', async () => {
    const t = await createTestApp();
    const weak = await new Browser(t.app).post('/password-strength', { password: 'iloveyou' });
    expect(weak.headers.get('cache-control')).toBe('no-store');
    expect(await weak.json()).toMatchObject({ score: 0, label: 'very weak' });
    const strong = await new Browser(t.app).post('/password-strength', { password: 'velvet otter quarry 42' });
    expect(((await strong.json()) as { score: number }).score).toBeGreaterThanOrEqual(3);
    const crossSite = await new Browser(t.app).post('/password-strength', { password: 'x' }, { origin: 'https://evil.example' });
    expect(crossSite.status).toBe(403);
    const page = dom(await new Browser(t.app).html('/register'));
    expect(page.querySelector('input[name=password]')?.getAttribute('data-strength')).toBe('password-strength');
    expect(page.querySelector('#password-strength')?.getAttribute('aria-live')).toBe('polite');
  });
  it('limits password checks per address: the hint answers 429 with Retry-After, sign-up re-shows its form', async () => {
    const t = await createTestApp({ env: { RATE_LIMIT_PASSWORD_STRENGTH: '2/m' } });
    const visitor = new Browser(t.app, { ip: '192.0.2.7' });
    expect((await visitor.post('/password-strength', { password: 'iloveyou' })).status).toBe(200);
    expect((await visitor.post('/password-strength', { password: 'iloveyou' })).status).toBe(200);
    const refused = await visitor.post('/password-strength', { password: 'iloveyou' });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused.json()).toEqual({ error: expect.stringMatching(/^Too many requests/) });

    // sign-up measures the password too, from the same budget: the form comes back as typed
    const signUp = await visitor.post('/register', { username: 'carol', email: 'carol@example.com', password: 'velvet otter quarry 42' });
    expect(signUp.status).toBe(429);
    expect(Number(signUp.headers.get('retry-after'))).toBeGreaterThan(0);
    const page = dom(await signUp.text());
    expect(page.querySelector('.error-messages')?.text).toMatch(/Too many sign-up attempts from your address\. Try again in \d+ (second|minute)s?\./);
    expect(page.querySelector('input[name=username]')?.getAttribute('value')).toBe('carol');
    expect(page.querySelector('input[name=password]')?.getAttribute('value') ?? '').toBe('');
    expect(await t.db.select().from(users)).toHaveLength(0);

    // another address has its own budget; a minute later this one has its own back
    expect((await new Browser(t.app, { ip: '192.0.2.8' }).post('/password-strength', { password: 'x' })).status).toBe(200);
    t.clock.advance(60_000);
    expect((await visitor.post('/password-strength', { password: 'iloveyou' })).status).toBe(200);
  });
});
