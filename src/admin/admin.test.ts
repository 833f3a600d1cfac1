import { describe, expect, it } from 'vitest';
import { recordAudit } from '../audit/log';
import { CLI_CALLER } from '../core';
import { enqueueMail } from '../mail/outbox';
import { Browser, createTestApp, dom, runSql, signedInBrowser } from '../test-support';

describe('/admin', () => {
  it('sends a visitor to sign in, refuses an author (403), and shows moderators only their sections', async () => {
    const t = await createTestApp();
    const visitor = await new Browser(t.app).get('/admin');
    expect(visitor.status).toBe(303);
    expect(visitor.headers.get('location')).toBe('/login');
    const { browser: author } = await signedInBrowser(t, 'alice');
    expect((await author.get('/admin')).status).toBe(403);
    expect((await author.get('/admin/audit')).status).toBe(403);

    const { browser: moderator } = await signedInBrowser(t, 'mo', { role: 'moderator' });
    const page = dom(await moderator.html('/admin'));
    expect(page.querySelectorAll('.admin-nav a').map((a) => a.text.trim())).toEqual(['Overview', 'Content', 'Reports', 'Images']);
    expect((await moderator.get('/admin/audit')).status).toBe(403);

    const { browser: owner } = await signedInBrowser(t, 'olga', { role: 'owner' });
    const full = dom(await owner.html('/admin'));
    expect(full.querySelectorAll('.admin-nav a').map((a) => a.text.trim())).toEqual([
      'Overview',
      'Users',
      'Content',
      'Reports',
      'Images',
      'Site settings',
      'Pages',
      'Invitations',
      'Mail',
      'Audit log',
    ]);
    expect(full.querySelector('.admin-counts')?.text).toContain('3 (0 suspended)');
    expect(full.querySelectorAll('.admin-list li').map((li) => li.querySelector('a')?.text)).toEqual(['olga', 'mo', 'alice']);
  });

  it('keeps an audit log, newest first, 50 a page, that can be narrowed to one action', async () => {
    const t = await createTestApp();
    const { browser: admin, user } = await signedInBrowser(t, 'ada', { role: 'admin' });
    for (let i = 0; i < 55; i++) {
      await recordAudit(t.db, CLI_CALLER, { action: 'settings.change', details: { n: i } }, t.clock() + i);
    }
    await recordAudit(t.db, { door: 'web', userId: user.id, requestId: null, ip: null }, { action: 'user.suspend', target: { kind: 'user', id: 9, label: 'spammer' }, reason: 'Spam links' }, t.clock() + 100);

    const first = dom(await admin.html('/admin/audit'));
    const rows = first.querySelectorAll('.admin-table tbody tr');
    expect(rows).toHaveLength(50);
    expect(rows[0]!.text).toContain('ada');
    expect(rows[0]!.text).toContain('user.suspend');
    expect(rows[0]!.text).toContain('spammer');
    expect(rows[0]!.text).toContain('Spam links');
    expect(rows[1]!.text).toContain('operator (CLI)');
    expect(first.querySelector('.admin-pager')?.text).toContain('Page 1 of 2');
    const second = dom(await admin.html('/admin/audit?page=2'));
    expect(second.querySelectorAll('.admin-table tbody tr')).toHaveLength(6);
    expect((await admin.get('/admin/audit?page=3')).status).toBe(404);
    expect((await admin.get('/admin/audit?page=zero')).status).toBe(400);

    const narrowed = dom(await admin.html('/admin/audit?action=user.suspend'));
    expect(narrowed.querySelectorAll('.admin-table tbody tr')).toHaveLength(1);
    expect(narrowed.querySelector('input[name=action]')?.getAttribute('value')).toBe('user.suspend');
    const nonsense = dom(await admin.html('/admin/audit?action=%3Cscript%3E'));
    expect(nonsense.text).toContain('Nothing has been recorded yet.');
  });
});

describe('/admin/mail', () => {
  const message = (subject: string) => ({
    kind: 'password-reset' as const,
    userId: null,
    to: 'bea@example.test',
    subject,
    text: 'a link: /reset-password/SECRET-TOKEN',
    html: '<a href="/reset-password/SECRET-TOKEN">reset</a>',
  });

  it('with no SMTP_URL, says mail is off and lists what Quire would have sent, without the messages themselves', async () => {
    const t = await createTestApp();
    const { browser: admin } = await signedInBrowser(t, 'ada', { role: 'admin' });
    await enqueueMail(t.db, message('Reset your password'), t.clock());
    const page = dom(await admin.html('/admin/mail'));
    expect(page.querySelector('.admin-notice')?.text).toContain('Mail is off');
    const cells = page.querySelectorAll('.admin-table tbody tr td').map((td) => td.text.replace(/\s+/g, ' ').trim());
    expect(cells.slice(1)).toEqual(['bea@example.test', 'Reset your password (password-reset)', 'Not sent: mail is off']);
    // the bodies hold links (a reset token): an admin must not be able to read them
    expect(page.toString()).not.toContain('SECRET-TOKEN');
  });

  it('with SMTP_URL set, tells sent, waiting, retrying and given-up messages apart, newest first, 50 a page', async () => {
    const t = await createTestApp({ env: { SMTP_URL: 'smtp://127.0.0.1:2525', MAIL_FROM: 'Blog <blog@example.test>' } });
    const { browser: owner } = await signedInBrowser(t, 'olga', { role: 'owner' });
    for (const subject of ['Given up', 'Retrying', 'Sent', 'Waiting']) {
      await enqueueMail(t.db, message(subject), t.clock());
      t.clock.advance(1000);
    }
    await runSql(t.db, `update mail_outbox set attempts = 10, failed_at = created_at, last_error = '550 No such mailbox' where subject = 'Given up'`);
    await runSql(t.db, `update mail_outbox set attempts = 2, last_error = 'connect ECONNREFUSED' where subject = 'Retrying'`);
    await runSql(t.db, `update mail_outbox set attempts = 1, sent_at = created_at where subject = 'Sent'`);
    const page = dom(await owner.html('/admin/mail'));
    expect(page.querySelector('.admin-body p')?.text).toContain('Blog <blog@example.test>');
    expect(page.querySelector('.admin-body p')?.text).toContain('2 waiting.');
    const rows = page.querySelectorAll('.admin-table tbody tr').map((tr) => tr.querySelectorAll('td').slice(2).map((td) => td.text.replace(/\s+/g, ' ').trim()));
    expect(rows.map(([what]) => what)).toEqual(['Waiting (password-reset)', 'Sent (password-reset)', 'Retrying (password-reset)', 'Given up (password-reset)']);
    expect(rows.map(([, status]) => status)).toEqual([
      'Waiting to be sent',
      'Sent January 1, 2026',
      'Try 2 failed; next January 1, 2026connect ECONNREFUSED',
      'Given up January 1, 2026 after 10 tries550 No such mailbox',
    ]);
    for (let i = 0; i < 50; i++) await enqueueMail(t.db, message(`More ${i}`), t.clock());
    expect(dom(await owner.html('/admin/mail?page=2')).querySelectorAll('.admin-table tbody tr')).toHaveLength(4);
    expect((await owner.get('/admin/mail?page=3')).status).toBe(404);
  });

  it('is for admins and the owner only', async () => {
    const t = await createTestApp();
    const { browser: moderator } = await signedInBrowser(t, 'mo', { role: 'moderator' });
    expect((await moderator.get('/admin/mail')).status).toBe(403);
    expect((await new Browser(t.app).get('/admin/mail')).headers.get('location')).toBe('/login');
  });
});
