import { and, desc, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { api, newToken } from '../api/test-helpers';
import { runAccountCommand } from '../accounts/cli';
import { verifyPassword } from '../auth/password';
import { CLI_CALLER } from '../core';
import { tablesOf } from '../db/engine';
import { accountTokens, auditLog, sessions, users } from '../db/schema';
import { Browser, createTestApp, insertUser, ORIGIN, PASSWORD, rowCount, signedInBrowser, type TestApp } from '../test-support';
import { resetPassword } from '../users/use-cases';
import { coreFor, lastMailTo, linkIn, outbox } from './test-helpers';

const NEW_PASSWORD = 'lantern orchard velvet';
const MINUTE = 60_000;

const userRow = async (t: TestApp, id: number) => (await t.db.select().from(users).where(eq(users.id, id)).limit(1))[0]!;
const sessionsOf = (t: TestApp, userId: number) => rowCount(t.db, sessions, eq(sessions.userId, userId));
const resetTokens = (t: TestApp, userId: number) =>
  rowCount(t.db, accountTokens, and(eq(accountTokens.userId, userId), eq(accountTokens.purpose, 'password-reset')));

/** Asks for a reset link for `email` from a fresh browser, and answers the link's path from the mail. */
async function askForLink(t: TestApp, email: string): Promise<string> {
  const res = await new Browser(t.app).post('/forgot-password', { email });
  expect(res.status).toBe(303);
  return linkIn(await lastMailTo(t.db, email, 'password-reset'), '/reset-password/');
}

describe('Forgot password?', () => {
  it('the sign-in page links to /forgot-password, which asks for an address', async () => {
    const t = await createTestApp();
    const login = await new Browser(t.app).html('/login');
    expect(login).toContain('<a href="/forgot-password">Forgot password?</a>');
    const res = await new Browser(t.app).get('/forgot-password');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<form method="post" action="/forgot-password"');
    expect(html).toContain('name="email"');
  });

  it('answers the same whether or not an account has the address, and mails only an account', async () => {
    const t = await createTestApp();
    const alice = await insertUser(t.db, 'alice');
    const answers = [];
    for (const email of ['alice@example.com', 'nobody@example.com']) {
      const browser = new Browser(t.app);
      const res = await browser.post('/forgot-password', { email });
      const page = await browser.html(res.headers.get('location')!);
      answers.push({ status: res.status, location: res.headers.get('location'), said: /If an account uses that address[^<]*/.exec(page)?.[0] });
    }
    expect(answers[0]).toEqual(answers[1]);
    expect(answers[0]).toMatchObject({ status: 303, location: '/forgot-password', said: expect.stringContaining('30 minutes') });
    const mails = await outbox(t.db);
    expect(mails.map((mail) => [mail.kind, mail.to, mail.userId])).toEqual([['password-reset', 'alice@example.com', alice.id]]);
    expect(mails[0]!.subject).toBe('Reset your password on Quire');
    // only the token's hash is kept: the link's token is in no column
    const token = linkIn(mails[0]!, '/reset-password/').split('/').pop()!;
    const [row] = await t.db.select().from(accountTokens);
    expect(row!.tokenHash).toHaveLength(32);
    expect(JSON.stringify(row)).not.toContain(token);
    expect(row!.expiresAt.getTime() - row!.createdAt.getTime()).toBe(30 * MINUTE);
  });

  it('refuses an address that is not one (422, typed value kept) and sends nothing', async () => {
    const t = await createTestApp();
    const res = await new Browser(t.app).post('/forgot-password', { email: 'not an address' });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain('Email is not a valid email address');
    expect(html).toContain('value="not an address"');
    expect(await outbox(t.db)).toEqual([]);
  });

  it('is limited per client address and per e-mail (RATE_LIMIT_PASSWORD_RESET)', async () => {
    const t = await createTestApp({ env: { RATE_LIMIT_PASSWORD_RESET: '2/h' } });
    await insertUser(t.db, 'alice');
    const from = (ip: string, email: string) => new Browser(t.app, { ip }).post('/forgot-password', { email });
    expect((await from('192.0.2.1', 'a1@example.com')).status).toBe(303);
    expect((await from('192.0.2.1', 'a2@example.com')).status).toBe(303);
    const perAddress = await from('192.0.2.1', 'alice@example.com');
    expect(perAddress.status).toBe(429);
    expect(perAddress.headers.get('retry-after')).toBeTruthy();
    expect(await perAddress.text()).toContain('Too many reset links asked for.');
    // the same e-mail from many addresses
    expect((await from('192.0.2.2', 'alice@example.com')).status).toBe(303);
    expect((await from('192.0.2.3', 'alice@example.com')).status).toBe(303);
    expect((await from('192.0.2.4', 'alice@example.com')).status).toBe(429);
    expect((await outbox(t.db)).filter((mail) => mail.to === 'alice@example.com')).toHaveLength(2);
    t.clock.advance(31 * MINUTE);
    expect((await from('192.0.2.1', 'alice@example.com')).status).toBe(303);
  });
});

describe('the reset link', () => {
  it('sets a new password once, ends every session and API token, sends the notice, and signs nobody in', async () => {
    const t = await createTestApp();
    const { browser: elsewhere, user } = await signedInBrowser(t, 'alice');
    await newToken(t, user.id);
    const link = await askForLink(t, user.email);

    const visitor = new Browser(t.app, { ip: '192.0.2.1' });
    const page = await visitor.get(link);
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
    const form = await page.text();
    expect(form).toContain('For the account <strong>alice</strong>');
    expect(form).toContain(`action="${link}"`);

    const weak = await visitor.post(link, { password: 'short' });
    expect(weak.status).toBe(422);
    expect(await weak.text()).toContain('New password is too short (minimum is 8 characters)');
    const common = await visitor.post(link, { password: 'password123' });
    expect(common.status).toBe(422);

    const done = await visitor.post(link, { password: NEW_PASSWORD });
    expect([done.status, done.headers.get('location')]).toEqual([303, '/login']);
    expect(visitor.cookies.has('session')).toBe(false);
    expect(await verifyPassword((await userRow(t, user.id)).passwordHash, NEW_PASSWORD)).toBe(true);
    expect(await sessionsOf(t, user.id)).toBe(0);
    expect((await elsewhere.get('/settings')).headers.get('location')).toBe('/login');
    expect(await resetTokens(t, user.id)).toBe(0);

    const notice = await lastMailTo(t.db, user.email, 'security-notice');
    expect(notice.subject).toBe('Your password was reset');
    expect(notice.text).toContain('From: the website, from 192.0.2.1');
    expect(notice.text).toContain(`${ORIGIN}/forgot-password`);

    // used: the link is gone, on both methods
    expect((await visitor.get(link)).status).toBe(404);
    expect((await visitor.post(link, { password: 'another fine passphrase' })).status).toBe(404);
    expect((await new Browser(t.app).post('/login', { email: user.email, password: NEW_PASSWORD })).status).toBe(303);
  });

  it('expires after 30 minutes (410)', async () => {
    const t = await createTestApp();
    const user = await insertUser(t.db, 'alice');
    const link = await askForLink(t, user.email);
    t.clock.advance(29 * MINUTE);
    expect((await new Browser(t.app).get(link)).status).toBe(200);
    t.clock.advance(2 * MINUTE);
    const expired = await new Browser(t.app).get(link);
    expect(expired.status).toBe(410);
    expect(await expired.text()).toContain('This reset link has expired');
    expect((await new Browser(t.app).post(link, { password: NEW_PASSWORD })).status).toBe(410);
    expect((await userRow(t, user.id)).passwordHash).toBe(user.passwordHash);
  });

  it('an unknown or malformed token is not found', async () => {
    const t = await createTestApp();
    for (const token of ['a'.repeat(39), 'x', '../../etc']) {
      expect((await new Browser(t.app).get(`/reset-password/${encodeURIComponent(token)}`)).status).toBe(404);
    }
  });

  it('asking again replaces the link before', async () => {
    const t = await createTestApp();
    const user = await insertUser(t.db, 'alice');
    const first = await askForLink(t, user.email);
    const second = await askForLink(t, user.email);
    expect(first).not.toBe(second);
    expect((await new Browser(t.app).get(first)).status).toBe(404);
    expect((await new Browser(t.app).get(second)).status).toBe(200);
  });

  it.each(['settings', 'api', 'cli'] as const)('dies when the password changes by another door (%s), which sends its own notice', async (door) => {
    const t = await createTestApp();
    const { browser, user } = await signedInBrowser(t, 'alice');
    const link = await askForLink(t, user.email);
    if (door === 'settings') {
      const res = await browser.post('/settings', { image: '', username: 'alice', bio: '', email: user.email, password: NEW_PASSWORD, currentPassword: PASSWORD });
      expect(res.status).toBe(303);
    } else if (door === 'api') {
      const res = await api(t).put('/user', { user: { password: NEW_PASSWORD } }, await newToken(t, user.id));
      expect(res.status).toBe(200);
    } else {
      expect((await resetPassword(coreFor(t), CLI_CALLER, { username: 'alice', password: NEW_PASSWORD })).ok).toBe(true);
    }
    expect(await resetTokens(t, user.id)).toBe(0);
    expect((await new Browser(t.app).get(link)).status).toBe(404);
    const notice = await lastMailTo(t.db, user.email, 'security-notice');
    expect(notice.subject).toBe('Your password was changed');
    expect(notice.text).toContain({ settings: 'From: the website', api: 'From: the API', cli: 'From: the server’s command line' }[door]);
  });

  it('is never sent to a suspended account', async () => {
    const t = await createTestApp();
    const user = await insertUser(t.db, 'alice');
    const { users: table } = tablesOf(t.db);
    await t.db.update(table).set({ suspendedAt: new Date(t.clock()), suspensionReason: 'Spam' }).where(eq(table.id, user.id));
    expect((await new Browser(t.app).post('/forgot-password', { email: user.email })).status).toBe(303);
    expect(await outbox(t.db)).toEqual([]);
  });
});

describe('a reset link made by an admin or the operator', () => {
  it('an admin makes one from /admin/users: shown once, audited, working', async () => {
    const t = await createTestApp();
    const { browser } = await signedInBrowser(t, 'ada', { role: 'admin' });
    const bob = await insertUser(t.db, 'bob');
    const list = await browser.html('/admin/users');
    expect(list).toContain('action="/admin/users/bob/reset-link"');
    const res = await browser.post('/admin/users/bob/reset-link');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const html = await res.text();
    const link = new RegExp(`value="${ORIGIN}(/reset-password/[a-z2-7]+)"`).exec(html)![1]!;
    const [entry] = await t.db.select().from(auditLog).orderBy(desc(auditLog.id)).limit(1);
    expect(entry).toMatchObject({ action: 'user.reset-link', targetLabel: 'bob', door: 'web' });
    expect(entry!.details ?? '').not.toContain(link.split('/').pop()!);
    expect(await outbox(t.db)).toEqual([]);
    expect((await new Browser(t.app).post(link, { password: NEW_PASSWORD })).status).toBe(303);
    expect(await verifyPassword((await userRow(t, bob.id)).passwordHash, NEW_PASSWORD)).toBe(true);
  });

  it('an admin cannot make one for the owner or another admin; an author or moderator not at all', async () => {
    const t = await createTestApp();
    const { browser: admin } = await signedInBrowser(t, 'ada', { role: 'admin' });
    await insertUser(t.db, 'olga', { role: 'owner' });
    await insertUser(t.db, 'adam', { role: 'admin' });
    expect((await admin.post('/admin/users/olga/reset-link')).status).toBe(403);
    expect((await admin.post('/admin/users/adam/reset-link')).status).toBe(403);
    const { browser: moderator } = await signedInBrowser(t, 'mo', { role: 'moderator' });
    expect((await moderator.post('/admin/users/adam/reset-link')).status).toBe(403);
    expect(await rowCount(t.db, accountTokens)).toBe(0);
  });

  it('`quire user reset-link NAME` prints one, audited as the operator, for any account (the owner too)', async () => {
    const t = await createTestApp();
    await insertUser(t.db, 'bob', { role: 'owner' });
    const printed = await runAccountCommand((work) => work(coreFor(t)), 'reset-link', { args: ['bob'], flags: {}, usage: (m) => new Error(m), interactive: false });
    const link = new RegExp(`^${ORIGIN}(/reset-password/[a-z2-7]+)\n`).exec(printed)![1]!;
    expect(printed).toContain('valid once until');
    const [entry] = await t.db.select().from(auditLog).orderBy(desc(auditLog.id)).limit(1);
    expect(entry).toMatchObject({ action: 'user.reset-link', targetLabel: 'bob', door: 'cli' });
    expect((await new Browser(t.app).get(link)).status).toBe(200);
  });
});
