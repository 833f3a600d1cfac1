import { describe, expect, it } from 'vitest';
import { recordAudit } from '../audit/log';
import { CLI_CALLER } from '../core';
import { Browser, createTestApp, dom, signedInBrowser } from '../test-support';

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
    expect(page.querySelectorAll('.admin-nav a').map((a) => a.text.trim())).toEqual(['Overview', 'Content', 'Reports']);
    expect((await moderator.get('/admin/audit')).status).toBe(403);

    const { browser: owner } = await signedInBrowser(t, 'olga', { role: 'owner' });
    const full = dom(await owner.html('/admin'));
    expect(full.querySelectorAll('.admin-nav a').map((a) => a.text.trim())).toEqual([
      'Overview',
      'Users',
      'Content',
      'Reports',
      'Site settings',
      'Pages',
      'Invitations',
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
