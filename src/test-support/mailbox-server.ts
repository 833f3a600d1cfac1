/**
 * The end-to-end stories' mailbox: a real SMTP server (MAILBOX_SMTP_PORT) that every e2e Quire
 * server sends to, and a small HTTP server (MAILBOX_HTTP_PORT) the stories read it through:
 * GET /messages?to=ADDRESS answers the messages to that address, oldest first, as JSON
 * (e2e/mailbox.ts). Listens on 127.0.0.1 only; Playwright starts and stops it (playwright.config.ts).
 */
import http from 'node:http';
import { startTestSmtp } from './smtp';

const smtpPort = Number(process.env.MAILBOX_SMTP_PORT);
const httpPort = Number(process.env.MAILBOX_HTTP_PORT);
if (!smtpPort || !httpPort) throw new Error('mailbox-server: set MAILBOX_SMTP_PORT and MAILBOX_HTTP_PORT');

const smtp = await startTestSmtp({ port: smtpPort });
const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  if (url.pathname === '/healthz') {
    res.end('ok');
    return;
  }
  if (url.pathname === '/messages' && req.method === 'GET') {
    const to = (url.searchParams.get('to') ?? '').toLowerCase();
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(smtp.messages.filter((mail) => mail.to.toLowerCase() === to)));
    return;
  }
  res.statusCode = 404;
  res.end();
});
server.listen(httpPort, '127.0.0.1');

const stop = () => {
  server.close();
  void smtp.stop().then(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
