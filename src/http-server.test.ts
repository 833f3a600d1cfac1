import net from 'node:net';
import type { Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { listen } from './http-server';
import { createTestApp } from './test-support';

const FAST = { headersMs: 300, requestMs: 600, keepAliveMs: 200, checkIntervalMs: 50 };

/** Sends raw bytes and resolves with everything the server said once it closes the connection. */
function rawExchange(port: number, chunks: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (data) => (received += data));
    socket.on('close', () => resolve(received));
    socket.on('error', reject);
    socket.on('connect', () => chunks.forEach((chunk) => socket.write(chunk)));
  });
}

describe('the HTTP server', () => {
  let server: Server | null = null;
  afterEach(async () => {
    server?.close();
    server = null;
  });

  async function start() {
    const t = await createTestApp();
    server = await listen(t.app, { port: 0, hostname: '127.0.0.1', timeouts: FAST });
    return (server.address() as net.AddressInfo).port;
  }

  it('serves requests on 127.0.0.1', async () => {
    const port = await start();
    const res = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('cuts off a request whose headers never finish (slowloris) with 408', async () => {
    const port = await start();
    const answer = await rawExchange(port, ['GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ']);
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
  });

  it('cuts off a request whose body never finishes with 408', async () => {
    const port = await start();
    const answer = await rawExchange(port, [
      'POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: http://localhost\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\nemail=a',
    ]);
    expect(answer).toMatch(/HTTP\/1\.1 408/);
  });
});
