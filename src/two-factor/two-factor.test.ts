import { generateHOTP, generateTOTP } from '@oslojs/otp';
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { api } from '../api/test-helpers';
import { PENDING_SECOND_FACTOR_MS } from '../auth/session';
import { tablesOf } from '../db/engine';
import { Browser, createTestApp, dom, insertUser, PASSWORD, rowCount, signedInBrowser, type TestApp } from '../test-support';
import { openTotpKey, parseTotpSecret, sealTotpKey } from './totp';

const totp = (key: Uint8Array) => generateTOTP(key, 30, 6);
/** A six-digit code that is not the key's now (nor one period either side). */
const wrongCode = (key: Uint8Array) => {
  const counter = BigInt(Math.floor(Date.now() / 30_000));
  // the codes of two periods either side of now, so none is right however the clock moves meanwhile
  const near = new Set([-2n, -1n, 0n, 1n, 2n].map((shift) => generateHOTP(key, counter + shift, 6)));
  return ['000000', '111111', '222222', '333333', '444444', '555555'].find((code) => !near.has(code))!;
};

/** Enrols the browser's account: reads the secret from the page, types a code, keeps the recovery codes. */
async function enrol(browser: Browser) {
  const page = dom(await browser.html('/settings/two-factor'));
  const secret = page.querySelector('#totp-secret')!.text;
  const key = parseTotpSecret(secret)!;
  const res = await browser.post('/settings/two-factor/enable', { code: totp(key) });
  expect(res.status).toBe(200);
  const codes = dom(await res.text()).querySelectorAll('.recovery-codes code').map((code) => code.text);
  return { key, codes, secret };
}

async function signInWithPassword(t: TestApp, email: string) {
  const browser = new Browser(t.app);
  const res = await browser.post('/login', { email, password: PASSWORD });
  return { browser, res };
}

describe('enrolling a second factor', () => {
  it('shows a QR code drawn on the server and the key as text; nothing is stored on the account until a code from it is typed', async () => {
    const t = await createTestApp();
    const { browser, user } = await signedInBrowser(t, 'alice');
    const res = await browser.get('/settings/two-factor');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const page = dom(await res.text());
    expect(page.querySelector('.totp-qr-code svg')).not.toBeNull();
    const secret = page.querySelector('#totp-secret')!.text;
    expect(parseTotpSecret(secret)).toHaveLength(20);
    // a reload shows the same key (the one the app may have scanned)
    expect(dom(await browser.html('/settings/two-factor')).querySelector('#totp-secret')!.text).toBe(secret);
    const { users } = tablesOf(t.db);
    const [row] = await t.db.select({ key: users.totpKey }).from(users).where(eq(users.id, user.id));
    expect(row!.key).toBeNull();

    const wrong = await browser.post('/settings/two-factor/enable', { code: wrongCode(parseTotpSecret(secret)!) });
    expect(wrong.status).toBe(422);
    expect(dom(await wrong.text()).querySelector('#code-error')?.text).toBe('Code is invalid');
    const [still] = await t.db.select({ key: users.totpKey }).from(users).where(eq(users.id, user.id));
    expect(still!.key).toBeNull();
  });

  it('a right code turns it on: ten recovery codes shown once (kept hashed), this session stays signed in, an audit entry and a notice', async () => {
    const t = await createTestApp();
    const { browser, user } = await signedInBrowser(t, 'alice');
    const { codes } = await enrol(browser);
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    const { users, recoveryCodes, auditLog, mailOutbox, accountTokens } = tablesOf(t.db);
    const [row] = await t.db.select({ key: users.totpKey, at: users.totpEnrolledAt }).from(users).where(eq(users.id, user.id));
    expect(row!.key).not.toBeNull();
    expect(row!.at).not.toBeNull();
    const stored = await t.db.select().from(recoveryCodes).where(eq(recoveryCodes.userId, user.id));
    expect(stored).toHaveLength(10);
    // only hashes: no code appears in the table
    expect(stored.every((code) => code.codeHash.length === 32 && !codes.some((c) => code.codeHash.toString().includes(c)))).toBe(true);
    expect(await rowCount(t.db, accountTokens)).toBe(0);
    expect((await browser.get('/settings')).status).toBe(200);
    const audit = await t.db.select().from(auditLog).where(eq(auditLog.action, 'two-factor.add'));
    expect(audit.map((entry) => [entry.actorName, entry.targetLabel])).toEqual([['alice', 'alice']]);
    const mail = await t.db.select().from(mailOutbox).where(eq(mailOutbox.toAddress, 'alice@example.com'));
    expect(mail.map((m) => m.subject)).toEqual(['Two-factor sign-in was turned on']);
    // the page says it is on, with ten codes left
    const settings = dom(await browser.html('/settings/two-factor'));
    expect(settings.querySelector('.two-factor-page')!.text).toContain('You have 10 unused recovery codes left');
  });

  it('keeps the key sealed with AES-GCM when TOTP_ENCRYPTION_KEY is set, bound to its account', async () => {
    const secretKey = Buffer.alloc(32, 7).toString('base64');
    const t = await createTestApp({ env: { TOTP_ENCRYPTION_KEY: secretKey } });
    const { browser, user } = await signedInBrowser(t, 'alice');
    const { key } = await enrol(browser);
    const { users } = tablesOf(t.db);
    const [row] = await t.db.select({ key: users.totpKey }).from(users).where(eq(users.id, user.id));
    const stored = Buffer.from(row!.key!);
    expect(stored[0]).toBe(1);
    expect(stored.includes(Buffer.from(key))).toBe(false);
    const env = { TOTP_ENCRYPTION_KEY: Buffer.from(secretKey, 'base64') };
    expect(openTotpKey(env, user.id, stored)).toEqual(key);
    // another account's id, or another key, does not open it
    expect(openTotpKey(env, user.id + 1, stored)).toBeNull();
    expect(openTotpKey({ TOTP_ENCRYPTION_KEY: Buffer.alloc(32, 8) }, user.id, stored)).toBeNull();
    expect(openTotpKey({ TOTP_ENCRYPTION_KEY: undefined }, user.id, stored)).toBeNull();
    // without a key, kept as it is, and still read once a key is set
    const plain = sealTotpKey({ TOTP_ENCRYPTION_KEY: undefined }, user.id, key);
    expect(openTotpKey(env, user.id, plain)).toEqual(key);
  });
});

describe('signing in with a second factor', () => {
  it('after the password the session is worth nothing until the code: every page is signed out, the API refuses the token', async () => {
    const t = await createTestApp();
    const { browser: first } = await signedInBrowser(t, 'alice');
    const { key } = await enrol(first);
    const { browser, res } = await signInWithPassword(t, 'alice@example.com');
    expect([res.status, res.headers.get('location')]).toEqual([303, '/login/two-factor']);
    const token = browser.cookies.get('session')!;
    expect(token).toBeTruthy();

    for (const path of ['/settings', '/settings/two-factor', '/settings/data', '/editor', '/settings/sessions', '/admin']) {
      const page = await browser.get(path);
      expect([page.status, page.headers.get('location')], path).toEqual([303, '/login']);
    }
    // the home page shows a visitor: no profile link, a sign-in link
    const home = dom(await browser.html('/'));
    expect(home.querySelector('nav.navbar a[href="/profile/alice"]')).toBeNull();
    expect(home.querySelector('nav.navbar a[href="/login"]')).not.toBeNull();
    // a form post is refused as a visitor's (and nothing is written)
    const post = await browser.post('/settings', { image: '', username: 'mallory', bio: '', email: 'alice@example.com', password: '', currentPassword: '' });
    expect([post.status, post.headers.get('location')]).toEqual([303, '/login']);
    // the API: the token is invalid
    const client = api(t);
    expect((await client.get('/user', token)).status).toBe(401);
    expect((await client.post('/articles', { article: { title: 'x', description: 'x', body: 'x' } }, token)).status).toBe(401);

    const page = await browser.get('/login/two-factor');
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(dom(await page.text()).querySelector('.auth-page')!.text).toContain('Signing in as alice');

    const wrong = await browser.post('/login/two-factor', { code: wrongCode(key) });
    expect(wrong.status).toBe(422);
    expect(dom(await wrong.text()).querySelector('#code-error')?.text).toBe('Code is invalid');
    expect((await browser.get('/settings')).status).toBe(303);

    const right = await browser.post('/login/two-factor', { code: totp(key) });
    // to the page that asked for sign-in (the last one tried above)
    expect([right.status, right.headers.get('location')]).toEqual([303, '/settings']);
    expect((await browser.get('/settings')).status).toBe(200);
    expect((await client.get('/user', token)).status).toBe(200);
    const { sessions } = tablesOf(t.db);
    const [session] = await t.db.select().from(sessions).where(eq(sessions.id, token.split('.')[0]!));
    expect(session!.twoFactorVerifiedAt).not.toBeNull();
  });

  it('/login/two-factor sends a visitor to /login, and a signed-in person home; the pending session can sign out', async () => {
    const t = await createTestApp();
    const visitor = await new Browser(t.app).get('/login/two-factor');
    expect([visitor.status, visitor.headers.get('location')]).toEqual([303, '/login']);
    const { browser } = await signedInBrowser(t, 'alice');
    const signedIn = await browser.get('/login/two-factor');
    expect([signedIn.status, signedIn.headers.get('location')]).toEqual([303, '/']);
    await enrol(browser);
    const { browser: pending } = await signInWithPassword(t, 'alice@example.com');
    const { sessions } = tablesOf(t.db);
    const before = await rowCount(t.db, sessions);
    const out = await pending.post('/logout');
    expect(out.status).toBe(303);
    expect(await rowCount(t.db, sessions)).toBe(before - 1);
  });

  it('a sign-in waiting for its code ends after 15 minutes: the code is then refused and the person starts again', async () => {
    const t = await createTestApp();
    const { browser } = await signedInBrowser(t, 'alice');
    const { key } = await enrol(browser);
    const { browser: pending } = await signInWithPassword(t, 'alice@example.com');
    t.clock.advance(PENDING_SECOND_FACTOR_MS + 1000);
    const late = await pending.post('/login/two-factor', { code: totp(key) });
    expect([late.status, late.headers.get('location')]).toEqual([303, '/login']);
    const { sessions } = tablesOf(t.db);
    // the half-finished sign-in's session is gone; the enrolling browser's stays
    expect(await rowCount(t.db, sessions)).toBe(1);
  });

  it('a recovery code signs in once: the flash says how many are left, and the same code then fails', async () => {
    const t = await createTestApp();
    const { browser: first } = await signedInBrowser(t, 'alice');
    const { codes } = await enrol(first);
    const { browser } = await signInWithPassword(t, 'alice@example.com');
    // typed as people type it: capitals, spaces instead of dashes
    const res = await browser.post('/login/two-factor', { code: codes[3]!.toUpperCase().replace(/-/g, ' ') });
    expect([res.status, res.headers.get('location')]).toEqual([303, '/']);
    expect(dom(await browser.html('/')).querySelector('.flash')?.text).toContain('you have 9 left');
    expect(dom(await browser.html('/settings/two-factor')).querySelector('.two-factor-page')!.text).toContain('You have 9 unused recovery codes left');

    const { browser: again } = await signInWithPassword(t, 'alice@example.com');
    const reused = await again.post('/login/two-factor', { code: codes[3]! });
    expect(reused.status).toBe(422);
    expect((await again.get('/settings')).status).toBe(303);
  });

  it('of two uses of one recovery code at once, one signs in and the other is refused', async () => {
    const t = await createTestApp({ env: { RATE_LIMITS: 'off' } });
    const { browser: first, user } = await signedInBrowser(t, 'alice');
    const { codes } = await enrol(first);
    const a = (await signInWithPassword(t, 'alice@example.com')).browser;
    const b = (await signInWithPassword(t, 'alice@example.com')).browser;
    const answers = await Promise.all([a.post('/login/two-factor', { code: codes[0]! }), b.post('/login/two-factor', { code: codes[0]! })]);
    expect(answers.map((res) => res.status).sort()).toEqual([303, 422]);
    const { recoveryCodes } = tablesOf(t.db);
    const used = await t.db.select().from(recoveryCodes).where(and(eq(recoveryCodes.userId, user.id)));
    expect(used.filter((code) => code.usedAt !== null)).toHaveLength(1);
  });

  it('throttles code attempts per account with the sign-in back-off, whatever the address', async () => {
    const t = await createTestApp({ env: { SIGNIN_BACKOFF: '0,60' } });
    const { browser: first } = await signedInBrowser(t, 'alice');
    const { key } = await enrol(first);
    const one = new Browser(t.app, { ip: '192.0.2.10' });
    await one.post('/login', { email: 'alice@example.com', password: PASSWORD });
    const two = new Browser(t.app, { ip: '192.0.2.20' });
    await two.post('/login', { email: 'alice@example.com', password: PASSWORD });
    expect((await one.post('/login/two-factor', { code: wrongCode(key) })).status).toBe(422);
    expect((await two.post('/login/two-factor', { code: wrongCode(key) })).status).toBe(422);
    // now the account waits a minute, from any address, even with the right code
    const refused = await two.post('/login/two-factor', { code: totp(key) });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('60');
    expect(dom(await refused.text()).querySelector('#code-error')?.text).toContain('Too many wrong codes');
    t.clock.advance(60_000);
    expect((await one.post('/login/two-factor', { code: totp(key) })).status).toBe(303);
  });
});

describe('turning it off and new recovery codes', () => {
  it('turning off needs the password or a current code; then the key and codes are gone, with an audit entry and a notice', async () => {
    const t = await createTestApp();
    const { browser, user } = await signedInBrowser(t, 'alice');
    const { key } = await enrol(browser);
    const none = await browser.post('/settings/two-factor/disable', { disablePassword: '', disableCode: '' });
    expect(none.status).toBe(422);
    const wrong = await browser.post('/settings/two-factor/disable', { disablePassword: 'not my password', disableCode: '' });
    expect(wrong.status).toBe(422);
    expect(dom(await wrong.text()).querySelector('#disablePassword-error')?.text).toBe('Password is not correct');
    const badCode = await browser.post('/settings/two-factor/disable', { disablePassword: '', disableCode: wrongCode(key) });
    expect(badCode.status).toBe(422);
    expect(dom(await badCode.text()).querySelector('#disableCode-error')?.text).toBe('Code is invalid');
    // past the back-off those failures earned
    t.clock.advance(60_000);

    const res = await browser.post('/settings/two-factor/disable', { disablePassword: '', disableCode: totp(key) });
    expect([res.status, res.headers.get('location')]).toEqual([303, '/settings/two-factor']);
    const { users, recoveryCodes, auditLog, mailOutbox } = tablesOf(t.db);
    const [row] = await t.db.select({ key: users.totpKey, at: users.totpEnrolledAt }).from(users).where(eq(users.id, user.id));
    expect(row).toEqual({ key: null, at: null });
    expect(await rowCount(t.db, recoveryCodes)).toBe(0);
    expect((await t.db.select().from(auditLog).where(eq(auditLog.action, 'two-factor.remove'))).length).toBe(1);
    const subjects = (await t.db.select().from(mailOutbox)).map((m) => m.subject);
    expect(subjects).toContain('Two-factor sign-in was turned off');
    // signing in needs the password alone again
    const { res: login } = await signInWithPassword(t, 'alice@example.com');
    expect(login.headers.get('location')).toBe('/');
  });

  it('new recovery codes (with the password) replace the old ones, shown once, with a notice', async () => {
    const t = await createTestApp();
    const { browser } = await signedInBrowser(t, 'alice');
    const { codes: old } = await enrol(browser);
    const res = await browser.post('/settings/two-factor/recovery-codes', { regeneratePassword: PASSWORD, regenerateCode: '' });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const fresh = dom(await res.text()).querySelectorAll('.recovery-codes code').map((code) => code.text);
    expect(fresh).toHaveLength(10);
    expect(fresh.some((code) => old.includes(code))).toBe(false);
    const { mailOutbox } = tablesOf(t.db);
    expect((await t.db.select().from(mailOutbox)).map((m) => m.subject)).toContain('New recovery codes were made');
    const { browser: pending } = await signInWithPassword(t, 'alice@example.com');
    expect((await pending.post('/login/two-factor', { code: old[0]! })).status).toBe(422);
    expect((await pending.post('/login/two-factor', { code: fresh[0]! })).status).toBe(303);
  });
});

describe('POST /api/users/login with a second factor', () => {
  it('needs user.code: missing is 401 {"code":["is required"]}, wrong is 401, a TOTP or a recovery code signs in', async () => {
    const t = await createTestApp();
    const { browser } = await signedInBrowser(t, 'alice');
    const { key, codes } = await enrol(browser);
    const client = api(t);
    const missing = await client.post('/users/login', { user: { email: 'alice@example.com', password: PASSWORD } });
    expect([missing.status, missing.text]).toEqual([401, '{"errors":{"code":["is required"]}}']);
    const wrong = await client.post('/users/login', { user: { email: 'alice@example.com', password: PASSWORD, code: wrongCode(key) } });
    expect([wrong.status, wrong.body]).toEqual([401, { errors: { code: ['is invalid'] } }]);
    // a wrong password says nothing of the second factor
    const badPassword = await client.post('/users/login', { user: { email: 'alice@example.com', password: 'wrong password', code: totp(key) } });
    expect([badPassword.status, badPassword.body]).toEqual([401, { errors: { credentials: ['invalid'] } }]);
    t.clock.advance(10 * 60_000);
    const ok = await client.post('/users/login', { user: { email: 'alice@example.com', password: PASSWORD, code: totp(key) } });
    expect(ok.status).toBe(200);
    expect((await client.get('/user', ok.body.user.token)).body.user.username).toBe('alice');
    const recovery = await client.post('/users/login', { user: { email: 'alice@example.com', password: PASSWORD, code: codes[0] } });
    expect(recovery.status).toBe(200);
    const reused = await client.post('/users/login', { user: { email: 'alice@example.com', password: PASSWORD, code: codes[0] } });
    expect(reused.status).toBe(401);
  });

  it('a code counts once: signing in again with the code just used is refused, through the API and the page', async () => {
    const t = await createTestApp();
    const { browser } = await signedInBrowser(t, 'alice');
    const { key } = await enrol(browser);
    const client = api(t);
    const code = totp(key);
    const first = await client.post('/users/login', { user: { email: 'alice@example.com', password: PASSWORD, code } });
    expect(first.status).toBe(200);
    const replayed = await client.post('/users/login', { user: { email: 'alice@example.com', password: PASSWORD, code } });
    expect([replayed.status, replayed.body]).toEqual([401, { errors: { code: ['is invalid'] } }]);
    const { browser: pending } = await signInWithPassword(t, 'alice@example.com');
    expect((await pending.post('/login/two-factor', { code })).status).toBe(422);
  });

  it('an account without one signs in as RealWorld says, code or not', async () => {
    const t = await createTestApp();
    await insertUser(t.db, 'bob');
    const res = await api(t).post('/users/login', { user: { email: 'bob@example.com', password: PASSWORD } });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.user).sort()).toEqual(['bio', 'email', 'image', 'token', 'username']);
  });
});

describe('the owner can require a second factor of admins and moderators', () => {
  it('only the owner may change it; an admin without one loses staff powers on every door until they enrol', async () => {
    const t = await createTestApp();
    const owner = await signedInBrowser(t, 'olga', { role: 'owner' });
    const admin = await signedInBrowser(t, 'ada', { role: 'admin' });
    const settings = (browser: Browser, value: string) =>
      browser.post('/admin/settings', {
        title: 'Quire',
        description: 'A place to share your knowledge.',
        navLinks: '',
        registration: 'open',
        comments: 'on',
        newAccountArticlesPerDay: '1000',
        newAccountCommentsPerDay: '1000',
        requireStaffTwoFactor: value,
      });
    // the admin's form has it disabled; sent anyway, it is refused
    const adminPage = dom(await admin.browser.html('/admin/settings'));
    expect(adminPage.querySelector('select[name=requireStaffTwoFactor]')?.getAttribute('disabled')).toBeDefined();
    const refused = await settings(admin.browser, 'on');
    expect(refused.status).toBe(422);
    expect(dom(await refused.text()).querySelector('ul.error-messages')?.text).toContain('can be changed by the owner only');
    expect((await settings(owner.browser, 'on')).status).toBe(303);

    const { createSession } = await import('../auth/session');
    const { token } = await createSession(t.db, admin.user.id, { now: t.clock() });
    const away = await admin.browser.get('/admin/users');
    expect([away.status, away.headers.get('location')]).toEqual([303, '/settings/two-factor']);
    expect(dom(await admin.browser.html('/settings/two-factor')).querySelector('.notice')?.text).toContain('requires two-factor sign-in');
    expect((await api(t).get('/admin/users', token)).status).toBe(403);
    // the owner is not bound by it
    expect((await owner.browser.get('/admin/users')).status).toBe(200);

    await enrol(admin.browser);
    expect((await admin.browser.get('/admin/users')).status).toBe(200);
  });

  it('the operator may change it too (quire settings set require-staff-two-factor off)', async () => {
    const { createTestCore } = await import('../test-support');
    const { CLI_CALLER } = await import('../core');
    const { changeSiteSettings, parseSettingText, settingKeyNamed } = await import('../site/settings');
    const { core } = await createTestCore();
    const key = settingKeyNamed('require-staff-two-factor')!;
    expect(key).toBe('requireStaffTwoFactor');
    const outcome = await changeSiteSettings(core, CLI_CALLER, { changes: { [key]: parseSettingText(key, 'on') } });
    expect(outcome.ok && outcome.value.settings.requireStaffTwoFactor).toBe(true);
  });
});

describe('the notices arrive by mail', () => {
  it('turning on, new recovery codes and turning off each reach the account\'s address over SMTP', async () => {
    const { startTestSmtp } = await import('../test-support/smtp');
    const { deliverDueMail, smtpTransport } = await import('../mail/sender');
    const smtp = await startTestSmtp();
    const transport = smtpTransport(smtp.url);
    try {
      const t = await createTestApp();
      const { browser } = await signedInBrowser(t, 'alice');
      const { key } = await enrol(browser);
      expect((await browser.post('/settings/two-factor/recovery-codes', { regeneratePassword: PASSWORD })).status).toBe(200);
      expect((await browser.post('/settings/two-factor/disable', { disableCode: totp(key) })).status).toBe(303);
      expect(await deliverDueMail(t.db, transport, { from: 'Quire <noreply@localhost>', now: t.clock() })).toMatchObject({ sent: 3 });
      for (const subject of ['Two-factor sign-in was turned on', 'New recovery codes were made', 'Two-factor sign-in was turned off']) {
        const mail = await smtp.waitForMessage((m) => m.subject === subject);
        expect(mail.to).toBe('alice@example.com');
      }
    } finally {
      transport.close?.();
      await smtp.stop();
    }
  });
});
