/**
 * Baseline (a): plain node:http answering every request with the exact bytes and headers Quire
 * sent for its anonymous home page (less Date, which Node adds). Nothing can serve that page
 * for less: the anonymous pages are measured against it.
 *
 * Env: PORT, BASELINE_BODY_FILE (the body), BASELINE_HEADERS_FILE (JSON [name, value] pairs).
 */
import fs from 'node:fs';
import http from 'node:http';

const port = Number(process.env.PORT);
const body = fs.readFileSync(process.env.BASELINE_BODY_FILE ?? '');
const pairs = JSON.parse(fs.readFileSync(process.env.BASELINE_HEADERS_FILE ?? '', 'utf8')) as Array<[string, string]>;
// a header sent twice (set-cookie) stays two headers
const headers = new Map<string, string[]>();
for (const [name, value] of pairs) headers.set(name, [...(headers.get(name) ?? []), value]);

const server = http.createServer((_req, res) => {
  for (const [name, values] of headers) res.setHeader(name, values.length === 1 ? values[0]! : values);
  res.end(body);
});
server.keepAliveTimeout = 5_000;
server.listen(port, '127.0.0.1');
process.once('SIGTERM', () => server.close(() => process.exit(0)));
process.once('SIGINT', () => server.close(() => process.exit(0)));
