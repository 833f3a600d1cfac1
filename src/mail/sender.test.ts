import { eq } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { tablesOf } from '../db/engine';
import { createTestCore, insertUser, runSql } from '../test-support';
import { useTestSmtp } from '../test-support/smtp-hooks';
import { enqueueMail, type OutgoingMail } from './outbox';
import { deliverDueMail, MAX_ATTEMPTS, pruneOldMail, retryDelayMs, type MailTransport } from './sender';

const FROM = 'Quire <noreply@quire.test>';

const smtp = useTestSmtp();
beforeEach(() => {
  smtp.server.refuse.clear();
});

function mail(to: string, subject: string, extra: Partial<OutgoingMail> = {}): OutgoingMail {
  return {
    kind: 'security-notice',
    userId: null,
    to,
    subject,
    text: `Plain words for ${to}`,
    html: `<p>Rich <strong>words</strong> for ${to}</p>`,
    ...extra,
  };
}

async function outboxRow(core: Awaited<ReturnType<typeof createTestCore>>['core'], subject: string) {
  const { mailOutbox } = tablesOf(core.db);
  const [row] = await core.db.select().from(mailOutbox).where(eq(mailOutbox.subject, subject));
  return row!;
}

describe('the mail sender', () => {
  it('delivers a queued message over SMTP with its text and HTML parts and its headers, then erases its bodies', async () => {
    const { core, clock } = await createTestCore();
    const user = await insertUser(core.db, 'ada');
    await enqueueMail(
      core.db,
      mail('ada@example.test', 'Hello Ada', {
        userId: user.id,
        kind: 'notification-digest',
        headers: { 'List-Unsubscribe': '<http://localhost/unsubscribe/abc>', 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
      }),
      clock(),
    );
    const pass = await deliverDueMail(core.db, smtp.transport, { from: FROM, now: clock() });
    expect(pass).toEqual({ sent: 1, retrying: 0, gaveUp: 0 });
    const received = await smtp.server.waitForMessage((m) => m.subject === 'Hello Ada');
    expect(received).toMatchObject({ to: 'ada@example.test', from: '"Quire" <noreply@quire.test>', text: 'Plain words for ada@example.test' });
    expect(received.html).toContain('<strong>words</strong>');
    expect(received.headers['list-unsubscribe']).toBe('<http://localhost/unsubscribe/abc>');
    expect(received.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
    const row = await outboxRow(core, 'Hello Ada');
    expect(row).toMatchObject({ attempts: 1, textBody: '', htmlBody: '', failedAt: null, lastError: null });
    expect(row.sentAt?.getTime()).toBe(clock());
    // a second pass sends nothing again
    expect(await deliverDueMail(core.db, smtp.transport, { from: FROM, now: clock() })).toEqual({ sent: 0, retrying: 0, gaveUp: 0 });
  });

  it('keeps a message through an SMTP outage and delivers it once the server is back', async () => {
    const { core, clock } = await createTestCore();
    await smtp.server.stop();
    try {
      await enqueueMail(core.db, mail('bea@example.test', 'Through the outage'), clock());
      expect(await deliverDueMail(core.db, smtp.transport, { from: FROM, now: clock() })).toEqual({ sent: 0, retrying: 1, gaveUp: 0 });
      const waiting = await outboxRow(core, 'Through the outage');
      expect(waiting).toMatchObject({ attempts: 1, sentAt: null, failedAt: null });
      expect(waiting.lastError).toMatch(/ECONNREFUSED|connect/i);
      expect(waiting.nextAttemptAt.getTime()).toBe(clock() + 60_000);
      expect(waiting.textBody).toBe('Plain words for bea@example.test');
      // not due yet: nothing is tried
      clock.advance(30_000);
      expect(await deliverDueMail(core.db, smtp.transport, { from: FROM, now: clock() })).toEqual({ sent: 0, retrying: 0, gaveUp: 0 });
    } finally {
      await smtp.server.start();
    }
    clock.advance(30_000);
    expect(await deliverDueMail(core.db, smtp.transport, { from: FROM, now: clock() })).toEqual({ sent: 1, retrying: 0, gaveUp: 0 });
    expect((await smtp.server.waitForMessage((m) => m.subject === 'Through the outage')).to).toBe('bea@example.test');
  });

  it('waits 1, 2, 4... minutes between tries, at most two hours', () => {
    expect([1, 2, 3, 4, 7, 8, 9, 10].map((n) => retryDelayMs(n) / 60_000)).toEqual([1, 2, 4, 8, 64, 120, 120, 120]);
  });

  it(`gives up after ${MAX_ATTEMPTS} tries, and at once on a recipient the server refuses for good`, async () => {
    const { core, clock } = await createTestCore();
    smtp.server.refuse.add('nobody@example.test');
    await enqueueMail(core.db, mail('nobody@example.test', 'To nobody'), clock());
    expect(await deliverDueMail(core.db, smtp.transport, { from: FROM, now: clock() })).toEqual({ sent: 0, retrying: 0, gaveUp: 1 });
    const refused = await outboxRow(core, 'To nobody');
    expect(refused).toMatchObject({ attempts: 1, sentAt: null, textBody: '', htmlBody: '' });
    expect(refused.failedAt?.getTime()).toBe(clock());
    expect(refused.lastError).toMatch(/550/);

    const failing: MailTransport = {
      send: () => Promise.reject(Object.assign(new Error('421 try again later'), { responseCode: 421 })),
    };
    await enqueueMail(core.db, mail('cy@example.test', 'Never through'), clock());
    const outcomes: string[] = [];
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const row = await outboxRow(core, 'Never through');
      clock.advance(row.nextAttemptAt.getTime() - clock());
      const pass = await deliverDueMail(core.db, failing, { from: FROM, now: clock() });
      outcomes.push(pass.gaveUp ? 'gave up' : pass.retrying ? 'retry' : 'nothing');
    }
    // 1+2+4+...+120 minutes stay within two days: the tenth try is the last
    expect(outcomes).toEqual([...Array(MAX_ATTEMPTS - 1).fill('retry'), 'gave up']);
    expect(await outboxRow(core, 'Never through')).toMatchObject({ attempts: MAX_ATTEMPTS, textBody: '' });
  });

  it('gives up a message it could not send within two days (a reset link that late is worth nothing)', async () => {
    const { core, clock } = await createTestCore();
    await enqueueMail(core.db, mail('dee@example.test', 'Too late'), clock());
    clock.advance(2 * 24 * 60 * 60 * 1000);
    const failing: MailTransport = { send: () => Promise.reject(new Error('connect ECONNREFUSED')) };
    expect(await deliverDueMail(core.db, failing, { from: FROM, now: clock() })).toEqual({ sent: 0, retrying: 0, gaveUp: 1 });
  });

  it('sends at most a batch a pass, oldest first', async () => {
    const { core, clock } = await createTestCore();
    for (let i = 0; i < 23; i++) await enqueueMail(core.db, mail(`n${i}@example.test`, `Batch ${i}`), clock() + i);
    const seen: string[] = [];
    const recording: MailTransport = {
      send: async (message) => {
        seen.push(message.subject);
      },
    };
    clock.advance(100);
    expect((await deliverDueMail(core.db, recording, { from: FROM, now: clock() })).sent).toBe(20);
    expect((await deliverDueMail(core.db, recording, { from: FROM, now: clock() })).sent).toBe(3);
    expect(seen).toEqual(Array.from({ length: 23 }, (_, i) => `Batch ${i}`));
  });

  it('prunes mail after 30 days, sent or not (a site without SMTP_URL never sends its outbox), and keeps what is newer', async () => {
    const { core, clock } = await createTestCore();
    await enqueueMail(core.db, mail('e@example.test', 'Old sent'), clock());
    await enqueueMail(core.db, mail('f@example.test', 'Old never sent'), clock());
    await runSql(core.db, `update mail_outbox set sent_at = created_at where subject = 'Old sent'`);
    clock.advance(29 * 24 * 60 * 60 * 1000);
    await enqueueMail(core.db, mail('g@example.test', 'Recent'), clock());
    clock.advance(2 * 24 * 60 * 60 * 1000);
    expect(await pruneOldMail(core.db, clock())).toEqual({ deleted: 2, next: null });
    const { mailOutbox } = tablesOf(core.db);
    expect((await core.db.select({ subject: mailOutbox.subject }).from(mailOutbox)).map((row) => row.subject)).toEqual(['Recent']);
  });

});
