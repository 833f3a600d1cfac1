import { parse as parseHtml } from 'node-html-parser';
import { eq } from 'drizzle-orm';
import { createApp } from '../app';
import { hashPassword } from '../auth/password';
import type { Caller, Core } from '../core';
import type { Db } from '../db/client';
import { users } from '../db/schema';
import { loadEnv, type Env } from '../env';
import { createTestClock } from '../lib/clock';
import type { GlobalStep } from '../lib/front-door';
import { silentLog, type LogLine } from '../lib/logger';
import { loadMarkdown } from '../lib/markdown';
import type { Role } from '../roles/permissions';
import { limitStoresFor, Limits } from '../security/limits';
import { createUser } from '../users/queries';
import { createArticle, renderArticleBody, sharedReads, type ArticleInput } from '../articles/queries';
import { createTestDb, type TestEngine } from './db';
import { memoryMediaStore } from '../media/store';

export * from './db';

export const ORIGIN = 'http://localhost';

export function testEnv(overrides: Record<string, string> = {}): Env {
  // every test's accounts are new (insertUser dates them now, the test clock is in January): the
  // first-day allowances (src/site/spam.ts) are raised here, and tested with their own values
  return loadEnv({ PUBLIC_URL: ORIGIN, NODE_ENV: 'test', NEW_ACCOUNT_ARTICLES_PER_DAY: '1000', NEW_ACCOUNT_COMMENTS_PER_DAY: '1000', ...overrides });
}

export type TestApp = Awaited<ReturnType<typeof createTestApp>>;

/** The real app on a fresh database, with a movable clock and captured log lines. */
export async function createTestApp(
  options: { env?: Record<string, string>; globalSteps?: readonly GlobalStep[]; engine?: TestEngine } = {},
) {
  // the environment first: a refused one makes no database
  const env = testEnv(options.env);
  const db = await createTestDb(options.engine);
  const clock = createTestClock();
  const logs: LogLine[] = [];
  const media = memoryMediaStore();
  const app = createApp({
    db,
    env,
    clock,
    media,
    globalSteps: options.globalSteps,
    log: (line) => {
      logs.push(line);
      silentLog(line);
    },
  });
  // start-up's one-time writes (/about's seeding) are done before a test looks at the database
  await app.ready;
  return { app, db, clock, logs, media };
}

/**
 * What use cases are built from, as createApp() builds it: a fresh database, a movable clock, the
 * app's limits and captured log lines. For calling a use case directly, without a door.
 */
export async function createTestCore(options: { env?: Record<string, string>; engine?: TestEngine } = {}) {
  const env = testEnv(options.env);
  const clock = createTestClock();
  const logs: LogLine[] = [];
  const log = (line: LogLine) => {
    logs.push(line);
  };
  const db = await createTestDb(options.engine);
  const core: Core = { db, env, clock, log, limits: new Limits(env, log, limitStoresFor(db)), reads: sharedReads(db, env), media: memoryMediaStore() };
  return { core, clock, logs };
}

/** A caller at a door, as callerOf() or CLI_CALLER makes one; a web visitor unless told. */
export function testCaller(fields: Partial<Caller> = {}): Caller {
  return { door: 'web', userId: null, requestId: 'test-request', ip: '192.0.2.1', userAgent: 'test-agent', ...fields };
}

/** A cookie jar over app.request(), so tests read like a person using the site. */
export class Browser {
  readonly cookies = new Map<string, string>();
  /** `ip` is the socket address the app sees (as @hono/node-server passes it in c.env). */
  constructor(
    private readonly app: TestApp['app'],
    private readonly options: { ip?: string; origin?: string } = {},
  ) {}

  private cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  private remember(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const index = pair!.indexOf('=');
      const name = pair!.slice(0, index).trim();
      const value = pair!.slice(index + 1).trim();
      const expired = attributes.some((a) => /max-age=0\b/i.test(a.trim()) || /expires=Thu, 01 Jan 1970/i.test(a));
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  async request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0) headers.set('cookie', this.cookieHeader());
    const origin = this.options.origin ?? ORIGIN;
    const bindings = this.options.ip ? { incoming: { socket: { remoteAddress: this.options.ip } } } : undefined;
    const res = await this.app.request(`${origin}${path}`, { ...init, headers }, bindings);
    this.remember(res);
    return res;
  }

  get(path: string): Promise<Response> {
    return this.request(path);
  }

  /** A same-site form post, as a browser sends it (with its Origin header). */
  post(path: string, fields: Record<string, string | string[]> = {}, headers: Record<string, string> = {}) {
    return this.request(path, {
      method: 'POST',
      body: formBody(fields),
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: this.options.origin ?? ORIGIN, ...headers },
    });
  }

  /** Follows the flash cookie: what the next page would show. */
  async html(path: string): Promise<string> {
    const res = await this.get(path);
    return res.text();
  }
}

export function formBody(fields: Record<string, string | string[]>): URLSearchParams {
  const body = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) {
    for (const v of Array.isArray(value) ? value : [value]) body.append(name, v);
  }
  return body;
}

export const PASSWORD = 'correct horse battery';
let passwordHash: Promise<string> | null = null;

/** A user straight in the database (hashing the shared test password once per file); an author unless told. */
export async function insertUser(db: Db, username: string, extra: { bio?: string; image?: string; role?: Role } = {}) {
  passwordHash ??= hashPassword(PASSWORD);
  const user = await createUser(
    db,
    { username, email: `${username}@example.com`, passwordHash: await passwordHash, ...(extra.role && { role: extra.role }) },
    Date.now(),
  );
  if (extra.bio || extra.image) {
    await db.update(users).set({ bio: extra.bio ?? null, image: extra.image ?? null }).where(eq(users.id, user.id));
  }
  return user;
}

/** A browser signed in as a new user (an author unless told). */
export async function signedInBrowser(t: TestApp, username: string, options: { role?: Role } = {}) {
  const user = await insertUser(t.db, username, options);
  const browser = new Browser(t.app);
  const res = await browser.post('/login', { email: user.email, password: PASSWORD });
  if (res.status !== 303) throw new Error(`sign-in failed with ${res.status}`);
  browser.cookies.delete('flash');
  return { browser, user };
}

let articleClock = Date.UTC(2026, 0, 1);

/** The Markdown renderer, for tests that save articles through the query functions. */
export const markdown = await loadMarkdown();

/** createArticle() as the use case calls it: the body rendered first. */
export function saveArticle(db: Db, authorId: number, input: ArticleInput, now: number, options: { publish: boolean } = { publish: true }) {
  return createArticle(db, renderArticleBody(markdown, input.body), authorId, input, now, options);
}

export async function insertArticle(
  db: Db,
  authorId: number,
  input: Partial<{ title: string; description: string; body: string; tagList: string[] }> = {},
) {
  articleClock += 1000;
  const body = input.body ?? 'Some *Markdown* body.';
  return createArticle(
    db,
    renderArticleBody(markdown, body),
    authorId,
    { title: input.title ?? 'An article', description: input.description ?? 'About things', body, tagList: input.tagList ?? [] },
    articleClock,
  );
}

/** Parses a page so tests can query it with CSS selectors. */
export function dom(html: string) {
  return parseHtml(html);
}
