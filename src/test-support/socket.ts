import { afterEach } from 'vitest';
import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { listen } from '../http-server';
import type { TestApp } from './index';

export type RawResponse = { status: number; headers: Record<string, string>; body: Buffer };

/** One request over a real socket, headers and bytes exactly as sent (no decompression). */
export function rawRequest(port: number, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const flat: Record<string, string> = {};
        for (let i = 0; i < res.rawHeaders.length; i += 2) flat[res.rawHeaders[i]!.toLowerCase()] = res.rawHeaders[i + 1]!;
        resolve({ status: res.statusCode!, headers: flat, body: Buffer.concat(chunks) });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * The app on 127.0.0.1 through the real server; `answered` records, request by request, whether
 * the cached-page listener answered it before Hono (true) or handed it to the app (false).
 */
export async function listenRecordingEarlyAnswers(t: TestApp): Promise<{ server: Server; port: number; answered: boolean[] }> {
  const answered: boolean[] = [];
  const listener = t.app.answerFromCache;
  t.app.answerFromCache = (req, res) => {
    const index = answered.push(false) - 1;
    const done = listener(req, res);
    if (typeof done === 'boolean') answered[index] = done;
    else void done.then((value) => (answered[index] = value), () => {});
    return done;
  };
  const server = await listen(t.app, { port: 0, hostname: '127.0.0.1' });
  return { server, port: (server.address() as AddressInfo).port, answered };
}

/**
 * For a describe block whose tests each listen: `const start = serverPerTest();` then
 * `await start(t)` in a test. The server is closed after each test.
 */
export function serverPerTest() {
  let server: Server | null = null;
  afterEach(() => {
    server?.close();
    server = null;
  });
  return async function start(t: TestApp) {
    const started = await listenRecordingEarlyAnswers(t);
    server = started.server;
    return started;
  };
}
