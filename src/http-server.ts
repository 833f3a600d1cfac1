import { createServer, type Server } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import type { CachedPageListener } from './cache/cached-page-listener';

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

type FetchApp = {
  fetch: (request: Request, env?: unknown) => Response | Promise<Response>;
  /** answers what it can before the app sees the request (cached pages for anonymous readers) */
  answerFromCache?: CachedPageListener;
};

/** Serves the app over HTTP with timeouts that cut off slow or never-ending requests. */
export function listen(
  app: FetchApp,
  options: { port: number; hostname: string; timeouts?: ServerTimeouts },
): Promise<Server> {
  const timeouts = options.timeouts ?? SERVER_TIMEOUTS;
  const toApp = getRequestListener(app.fetch, { hostname: options.hostname });
  const answerFromCache = app.answerFromCache;
  const server = createServer(
    {
      headersTimeout: timeouts.headersMs,
      requestTimeout: timeouts.requestMs,
      keepAliveTimeout: timeouts.keepAliveMs,
      connectionsCheckingInterval: timeouts.checkIntervalMs,
    },
    answerFromCache
      ? (req, res) => {
          const answered = answerFromCache(req, res);
          if (answered === false) void toApp(req, res);
          else if (answered !== true) {
            // a failure to answer from the cache (the database could not say what is current) is
            // the app's to answer, as any other request it is handed
            answered.then(
              (done) => {
                if (!done) void toApp(req, res);
              },
              () => void toApp(req, res),
            );
          }
        }
      : toApp,
  );
  return new Promise((resolve) => server.listen(options.port, options.hostname, () => resolve(server)));
}
