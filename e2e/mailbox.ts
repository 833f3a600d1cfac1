import { expect, type APIRequestContext } from '@playwright/test';

/** A message as the e2e mailbox received it (src/test-support/mailbox-server.ts). */
export type Mail = { to: string; from: string; subject: string; text: string; html: string; headers: Record<string, string> };

/** The mailbox's HTTP address, set by playwright.config.ts for the runner and every worker. */
function mailboxUrl(): string {
  const url = process.env.QUIRE_E2E_MAILBOX;
  if (!url) throw new Error('QUIRE_E2E_MAILBOX is not set: run the stories through playwright.config.ts');
  return url;
}

/** Every message sent to `to` so far, oldest first. */
export async function mailTo(request: APIRequestContext, to: string): Promise<Mail[]> {
  const response = await request.get(`${mailboxUrl()}/messages?${new URLSearchParams({ to })}`);
  expect(response.ok()).toBe(true);
  return (await response.json()) as Mail[];
}

/**
 * The newest message to `to` whose subject matches, waiting for it to arrive: Quire's sender
 * delivers the outbox about once a second.
 */
export async function waitForMail(request: APIRequestContext, filter: { to: string; subject?: RegExp }): Promise<Mail> {
  let found: Mail | undefined;
  await expect
    .poll(
      async () => {
        const mails = (await mailTo(request, filter.to)).filter((mail) => !filter.subject || filter.subject.test(mail.subject));
        found = mails.at(-1);
        return found !== undefined;
      },
      { message: `a mail to ${filter.to}${filter.subject ? ` whose subject matches ${filter.subject}` : ''}`, timeout: 20_000 },
    )
    .toBe(true);
  return found!;
}

/** The path (and query) of the first link in the mail's text part whose path starts with `pathPrefix`. */
export function linkIn(mail: Mail, pathPrefix: string): string {
  for (const match of mail.text.matchAll(/https?:\/\/[^\s<>"')\]]+/g)) {
    const url = new URL(match[0]);
    if (url.pathname.startsWith(pathPrefix)) return url.pathname + url.search;
  }
  throw new Error(`no link to ${pathPrefix} in the mail "${mail.subject}":\n${mail.text}`);
}
