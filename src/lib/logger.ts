import type { Context } from 'hono';

export type LogLine = { level: 'info' | 'warn' | 'error'; msg: string; [key: string]: unknown };
export type Log = (line: LogLine) => void;

let pending = '';
let flushScheduled = false;

/** Writes the lines waiting for the end of this event-loop turn now (exit, tests). */
export function flushLog(): void {
  flushScheduled = false;
  if (pending === '') return;
  const text = pending;
  pending = '';
  process.stdout.write(text);
}

process.on('exit', flushLog);

let isoMs = 0;
let iso = '';

/** The time as an ISO string, made once per millisecond (a busy server logs many lines in one). */
function isoNow(): string {
  const now = Date.now();
  if (now !== isoMs) {
    isoMs = now;
    iso = new Date(now).toISOString();
  }
  return iso;
}

/**
 * One JSON object per line: machine-readable, and user input cannot forge extra lines. Lines are
 * written once per turn of the event loop rather than one system call each (and at exit). The
 * time goes first, then the line's own fields: what `{ time, ...line }` would give, without
 * copying the line (half the cost of a request's log line).
 */
export const jsonLog: Log = (line) => {
  pending += `{"time":"${isoNow()}",${JSON.stringify(line).slice(1)}\n`;
  if (pending.length > 64 * 1024) flushLog();
  else if (!flushScheduled) {
    flushScheduled = true;
    setImmediate(flushLog);
  }
};

export const silentLog: Log = () => {};

/** For people at a terminal (LOG_FORMAT=pretty): "12:03:04 INFO  GET /about 200 3.1ms". */
function prettyText({ level, msg, ...fields }: LogLine): string {
  const time = new Date().toISOString().slice(11, 19);
  const head = `${time} ${level.toUpperCase().padEnd(5)}`;
  if (msg === 'request') {
    const { method, path, status, durationMs, userId } = fields;
    const user = userId ? ` user=${String(userId)}` : '';
    return `${head} ${String(method)} ${JSON.stringify(path)} ${String(status)} ${String(durationMs)}ms${user}\n`;
  }
  const rest = Object.entries(fields)
    .filter(([key]) => key !== 'error')
    .map(([key, value]) => `${key}=${JSON.stringify(value)}`)
    .join(' ');
  const error = typeof fields.error === 'string' ? `${fields.error}\n` : '';
  return `${head} ${msg}${rest ? ` ${rest}` : ''}\n${error}`;
}

export const prettyLog: Log = (line) => {
  process.stdout.write(prettyText(line));
};

export function createLog(format: 'json' | 'pretty'): Log {
  return format === 'pretty' ? prettyLog : jsonLog;
}

/**
 * For the CLI, whose standard output is the command's answer: each line written to standard error
 * at once (the process exits right after).
 */
export function createStderrLog(format: 'json' | 'pretty'): Log {
  return (line) => {
    process.stderr.write(format === 'pretty' ? prettyText(line) : `{"time":"${new Date().toISOString()}",${JSON.stringify(line).slice(1)}\n`);
  };
}

/** How deep errorText follows `cause`: far enough for a driver's error inside an ORM's inside ours. */
const CAUSES_SHOWN = 4;

/**
 * An error as the log shows it: its stack, then each error it wraps (`cause`), so the driver's own
 * words stay in the log when a library wraps them (Drizzle's "Failed query: ..." holds
 * node-postgres' error as its cause).
 */
export function errorText(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  let text = err.stack ?? err.message;
  let cause: unknown = err.cause;
  for (let depth = 0; cause !== undefined && depth < CAUSES_SHOWN; depth++) {
    text += `\nCaused by: ${cause instanceof Error ? (cause.stack ?? cause.message) : String(cause)}`;
    cause = cause instanceof Error ? cause.cause : undefined;
  }
  return text;
}

/** The log line of an unexpected error: the stack goes here, never into the response. */
export function logUnhandledError(log: Log, c: Context, err: unknown): void {
  log({
    level: 'error',
    msg: 'unhandled error',
    requestId: c.get('requestId'),
    method: c.req.method,
    path: c.req.path,
    error: errorText(err),
  });
}

/** What a request's log line holds, whichever path answered it (src/lib/front-door.ts). */
export type RequestFields = {
  requestId: string;
  method: string;
  path: string;
  status: number;
  /** performance.now() when the request arrived */
  start: number;
  userId: number | null;
};

/** The one line every request ends with. */
export function logRequest(log: Log, fields: RequestFields): void {
  log({
    level: fields.status >= 500 ? 'error' : 'info',
    msg: 'request',
    requestId: fields.requestId,
    method: fields.method,
    path: fields.path,
    status: fields.status,
    durationMs: Math.round((performance.now() - fields.start) * 100) / 100,
    userId: fields.userId,
  });
}
