import type { Server } from 'node:http';
import { serve } from '@hono/node-server';

export type ServerTimeouts = {
  /** the whole request head must arrive within this (slowloris) */
  headersMs: number;
  /** the whole request, body included, must arrive within this */
  requestMs: number;
  /** an idle keep-alive connection is closed after this */
  keepAliveMs: number;
  /** how often Node looks for connections past those limits */
  checkIntervalMs: number;
};

export const SERVER_TIMEOUTS: ServerTimeouts = {
  headersMs: 10_000,
  requestMs: 30_000,
  keepAliveMs: 5_000,
  checkIntervalMs: 1_000,
};

type FetchApp = { fetch: (request: Request, env?: unknown) => Response | Promise<Response> };

/** Serves the app over HTTP with timeouts that cut off slow or never-ending requests. */
export function listen(
  app: FetchApp,
  options: { port: number; hostname: string; timeouts?: ServerTimeouts },
): Promise<Server> {
  const timeouts = options.timeouts ?? SERVER_TIMEOUTS;
  return new Promise((resolve) => {
    const server = serve(
      {
        fetch: app.fetch,
        port: options.port,
        hostname: options.hostname,
        serverOptions: {
          headersTimeout: timeouts.headersMs,
          requestTimeout: timeouts.requestMs,
          keepAliveTimeout: timeouts.keepAliveMs,
          connectionsCheckingInterval: timeouts.checkIntervalMs,
        },
      },
      () => resolve(server as Server),
    );
  });
}
