/** The test SMTP server as a vitest test file uses it (kept apart: the e2e mailbox runs smtp.ts outside vitest). */
import { afterAll, beforeAll } from 'vitest';
import { smtpTransport, type MailTransport } from '../mail/sender';
import { startTestSmtp, type TestSmtp } from './smtp';

/**
 * One test SMTP server for a test file, and a sender's transport to it: started before the file's
 * tests, stopped after them. Read `smtp.server` and `smtp.transport` inside a test.
 */
export function useTestSmtp(): { readonly server: TestSmtp; readonly transport: MailTransport } {
  let server: TestSmtp | null = null;
  let transport: MailTransport | null = null;
  beforeAll(async () => {
    server = await startTestSmtp();
    transport = smtpTransport(server.url);
  });
  afterAll(async () => {
    transport?.close?.();
    await server?.stop();
  });
  return {
    get server() {
      return server!;
    },
    get transport() {
      return transport!;
    },
  };
}
