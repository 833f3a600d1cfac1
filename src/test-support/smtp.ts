/**
 * A real SMTP server in the test process (smtp-server on 127.0.0.1), whose received messages are
 * parsed by mailparser: tests read what Quire sends as a mail client would. It can be stopped and
 * started again on the same port (an outage), and told to refuse a recipient for good (a 550).
 */
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export type ReceivedMail = {
  to: string;
  from: string;
  subject: string;
  text: string;
  html: string;
  headers: Record<string, string>;
};

function received(parsed: ParsedMail, envelopeTo: string): ReceivedMail {
  const headers: Record<string, string> = {};
  for (const line of parsed.headerLines) {
    headers[line.key] = line.line.slice(line.line.indexOf(':') + 1).trim();
  }
  return {
    to: envelopeTo,
    from: parsed.from?.text ?? '',
    subject: parsed.subject ?? '',
    text: parsed.text ?? '',
    html: typeof parsed.html === 'string' ? parsed.html : '',
    headers,
  };
}

export type TestSmtp = {
  /** smtp://127.0.0.1:PORT, for SMTP_URL or smtpTransport() */
  url: string;
  port: number;
  /** every message received, oldest first */
  messages: ReceivedMail[];
  /** the first message received (now or later) that `predicate` accepts */
  waitForMessage(predicate: (mail: ReceivedMail) => boolean): Promise<ReceivedMail>;
  /** recipients answered "550 no such mailbox" */
  refuse: Set<string>;
  stop(): Promise<void>;
  /** listens again on the same port, after stop() */
  start(): Promise<void>;
};

export async function startTestSmtp(options: { port?: number } = {}): Promise<TestSmtp> {
  const messages: ReceivedMail[] = [];
  const waiters: Array<{ predicate: (mail: ReceivedMail) => boolean; resolve: (mail: ReceivedMail) => void }> = [];
  const refuse = new Set<string>();
  let server: SMTPServer | null = null;
  let port = options.port ?? 0;

  const listen = async () => {
    const instance = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onRcptTo(address, _session, callback) {
        if (refuse.has(address.address.toLowerCase())) {
          const error = Object.assign(new Error('No such mailbox'), { responseCode: 550 });
          return callback(error);
        }
        callback();
      },
      onData(stream, session, callback) {
        simpleParser(stream)
          .then((parsed) => {
            for (const rcpt of session.envelope.rcptTo) {
              const mail = received(parsed, rcpt.address);
              messages.push(mail);
              for (const waiter of [...waiters]) {
                if (waiter.predicate(mail)) {
                  waiters.splice(waiters.indexOf(waiter), 1);
                  waiter.resolve(mail);
                }
              }
            }
            callback();
          })
          .catch((error: Error) => callback(error));
      },
    });
    await new Promise<void>((resolve, reject) => {
      instance.once('error', reject);
      instance.listen(port, '127.0.0.1', () => resolve());
    });
    port = (instance.server.address() as AddressInfo).port;
    server = instance;
  };
  await listen();

  return {
    get url() {
      return `smtp://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    messages,
    refuse,
    waitForMessage(predicate) {
      const found = messages.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise((resolve) => waiters.push({ predicate, resolve }));
    },
    async stop() {
      const instance = server;
      server = null;
      if (instance) await new Promise<void>((resolve) => instance.close(() => resolve()));
    },
    start: listen,
  };
}
