import type { Context, MiddlewareHandler } from 'hono';

export type LogLine = { level: 'info' | 'warn' | 'error'; msg: string; [key: string]: unknown };
export type Log = (line: LogLine) => void;

/** One JSON object per line: machine-readable, and user input cannot forge extra lines. */
export const jsonLog: Log = (line) => {
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), ...line })}\n`);
};

export const silentLog: Log = () => {};

/** The log line of an unexpected error: the stack goes here, never into the response. */
export function logUnhandledError(log: Log, c: Context, err: unknown): void {
  log({
    level: 'error',
    msg: 'unhandled error',
    requestId: c.var.requestId,
    method: c.req.method,
    path: c.req.path,
    error: err instanceof Error ? (err.stack ?? err.message) : String(err),
  });
}

export function requestLogger(log: Log): MiddlewareHandler {
  return async function requestLogger(c, next) {
    const start = performance.now();
    await next();
    log({
      level: c.res.status >= 500 ? 'error' : 'info',
      msg: 'request',
      requestId: c.var.requestId,
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      durationMs: Math.round((performance.now() - start) * 100) / 100,
      userId: c.var.user?.id ?? null,
    });
  };
}
