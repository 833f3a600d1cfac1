/**
 * The proof through a real SMTP server: a reset asked for while the server is down is
 * kept in the outbox, arrives once it is back, and its link (read from the received mail, as the
 * person would) sets the new password.
 */
import { describe, expect, it } from 'vitest';
import { deliverDueMail } from '../mail/sender';
import { Browser, createTestApp, insertUser } from '../test-support';
import { useTestSmtp } from '../test-support/smtp-hooks';

const smtp = useTestSmtp();

describe('a password reset through an SMTP outage', () => {
  it('the mail arrives once the server is back, and its link sets the new password', async () => {
    const t = await createTestApp();
    const user = await insertUser(t.db, 'bea');
    const from = 'Quire <noreply@quire.test>';
    await smtp.server.stop();
    try {
      expect((await new Browser(t.app).post('/forgot-password', { email: user.email })).status).toBe(303);
      expect(await deliverDueMail(t.db, smtp.transport, { from, now: t.clock() })).toEqual({ sent: 0, retrying: 1, gaveUp: 0 });
    } finally {
      await smtp.server.start();
    }
    t.clock.advance(60_000);
    expect(await deliverDueMail(t.db, smtp.transport, { from, now: t.clock() })).toEqual({ sent: 1, retrying: 0, gaveUp: 0 });
    const mail = await smtp.server.waitForMessage((m) => m.to === user.email);
    expect(mail.subject).toBe('Reset your password on Quire');
    expect(mail.html).toContain('Choose a new password');
    const link = new URL(/http:\/\/localhost\/reset-password\/[a-z2-7]+/.exec(mail.text)![0]).pathname;
    // within the link's 30 minutes
    expect((await new Browser(t.app).post(link, { password: 'lantern orchard velvet' })).status).toBe(303);
    expect((await new Browser(t.app).post('/login', { email: user.email, password: 'lantern orchard velvet' })).status).toBe(303);

    // and the notice of the reset, both parts drawn by views/mail/
    expect(await deliverDueMail(t.db, smtp.transport, { from, now: t.clock() })).toEqual({ sent: 1, retrying: 0, gaveUp: 0 });
    const notice = await smtp.server.waitForMessage((m) => m.to === user.email && m.subject === 'Your password was reset');
    expect(notice.text).toContain('If this was not you');
    expect(notice.html).toContain('<a href="http://localhost/forgot-password"');
    expect(notice.html).not.toContain('<script');
  });
});
