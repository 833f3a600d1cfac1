import { parse } from 'node-html-parser';
import { describe, expect, it } from 'vitest';
import { emailConfirmMail, passwordResetMail } from './account-mails';
import { MailText, renderMail } from './mail-layout';
import { SECURITY_NOTICE_SUBJECTS, securityNoticeMail, type SecurityNoticeKind } from './security-notice-mail';

const site = { title: 'Field <Notes> & Co', url: 'https://notes.example' };

/** What mail clients drop or refuse: none of it may be in a message. */
function expectMailSafe(html: string): void {
  expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
  const doc = parse(html);
  expect(doc.querySelectorAll('script, style, link, form, iframe, img, object')).toHaveLength(0);
  expect(html).not.toMatch(/\son[a-z]+=/i);
  expect(html).not.toContain('javascript:');
  // every link is absolute, on the site
  for (const a of doc.querySelectorAll('a')) expect(a.getAttribute('href')).toMatch(/^https:\/\/notes\.example(\/|$)/);
}

describe('the mail layout', () => {
  it('escapes what it is given, inlines its styles, and gives both parts the site’s footer', async () => {
    const mail = await renderMail({
      site,
      subject: 'Hello <b>there</b>',
      body: <MailText>{'<script>alert(1)</script>'}</MailText>,
      text: 'Plain words.',
    });
    expectMailSafe(mail.html);
    expect(mail.subject).toBe('Hello <b>there</b>');
    expect(mail.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(mail.html).toContain('<title>Hello &lt;b&gt;there&lt;/b&gt;</title>');
    expect(mail.html).toContain('Field &lt;Notes&gt; &amp; Co');
    expect(mail.html).toContain('<a href="https://notes.example"');
    expect(parse(mail.html).querySelector('p')!.getAttribute('style')).toContain('font-family');
    expect(mail.text).toBe('Plain words.\n\n-- \nField <Notes> & Co\nhttps://notes.example\n');
  });
});

describe('security notices', () => {
  it.each(Object.keys(SECURITY_NOTICE_SUBJECTS) as SecurityNoticeKind[])('%s says what, when, from where, and what to do if it was not you', async (kind) => {
    const mail = await securityNoticeMail({ site, kind, username: 'alice', when: '2026-12-02 06:30 UTC', from: 'the website, from 192.0.2.1 (Firefox 120 on Linux)', newAddress: 'a•••@new.example' });
    expectMailSafe(mail.html);
    expect(mail.subject).toBe(SECURITY_NOTICE_SUBJECTS[kind]);
    for (const part of [mail.text, parse(mail.html).textContent]) {
      expect(part).toContain('alice');
      expect(part).toContain('When: 2026-12-02 06:30 UTC.');
      expect(part).toContain('From: the website, from 192.0.2.1 (Firefox 120 on Linux).');
      expect(part).toContain('If this was not you');
    }
    expect(mail.text).toContain('https://notes.example/forgot-password');
    expect(parse(mail.html).querySelector('a[href="https://notes.example/forgot-password"]')).not.toBeNull();
  });

  it('leaves out the door when it is not known, and names the new address of an e-mail change', async () => {
    const mail = await securityNoticeMail({ site, kind: 'email-changed', username: 'alice', when: '2026-12-02 06:30 UTC', from: null, newAddress: 'a•••@new.example' });
    expect(mail.text).not.toContain('From:');
    expect(mail.text).toContain('changed to a•••@new.example');
    expect(mail.text).toContain('tell the people who run Field <Notes> & Co');
  });
});

describe('link mails', () => {
  it('a reset link: the link, how long it works, what to do if you did not ask', async () => {
    const link = 'https://notes.example/reset-password/abcdefghijklmnopqrstuvwxyz234567';
    const mail = await passwordResetMail({ site, username: 'alice', link, minutes: 30 });
    expectMailSafe(mail.html);
    expect(mail.text).toContain(link);
    expect(mail.text).toContain('for 30 minutes');
    expect(parse(mail.html).querySelectorAll(`a[href="${link}"]`)).toHaveLength(2);
  });

  it('a confirmation link: for a new account, or for an address to replace the current one', async () => {
    const link = 'https://notes.example/confirm-email/abcdefghijklmnopqrstuvwxyz234567';
    const welcome = await emailConfirmMail({ site, username: 'alice', address: 'alice@example.com', link, hours: 48, change: false });
    const change = await emailConfirmMail({ site, username: 'alice', address: 'alice@new.example', link, hours: 48, change: true });
    for (const mail of [welcome, change]) {
      expectMailSafe(mail.html);
      expect(mail.text).toContain(link);
    }
    expect(welcome.text).toContain('Welcome to Field <Notes> & Co');
    expect(change.text).toContain('The address changes once you confirm it.');
  });
});
