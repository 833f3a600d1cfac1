import { z } from 'zod';
import { parseTrustProxy, type ProxyTrust } from './security/client-ip';
import { parseBackoff, parseRate, type LimitName } from './security/rates';
import type { BucketPolicy } from './security/rate-limit';
import type { S3StoreOptions } from './media/s3-store';

/** Empty strings count as unset, so `PORT=` in an env file falls back to the default. */
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === '' ? undefined : value), schema);

const flag = (fallback: boolean) =>
  optional(
    z
      .enum(['true', 'false', 'on', 'off', '1', '0', 'yes', 'no'], { error: 'must be true or false (on/off)' })
      .transform((value) => ['true', 'on', '1', 'yes'].includes(value))
      .optional(),
  ).transform((value) => value ?? fallback);

/**
 * A string variable turned into a value by `parse`; null from the parser becomes an error naming
 * the variable, with `message` saying what it should look like.
 */
const parsed = <T>(fallback: string, parse: (value: string) => T | null, message: string) =>
  optional(z.string().default(fallback)).transform((value, ctx) => {
    const result = parse(value);
    if (result === null) {
      ctx.addIssue({ code: 'custom', message });
      return z.NEVER;
    }
    return result;
  });

const rate = (fallback: string) =>
  parsed(fallback, parseRate, 'must look like 120/h (a count per s, m, h or d, e.g. 30/10m)');

/** A node-postgres connection URL: postgres:// or postgresql:// (host, port, user, password, database, options). */
function isPostgresUrl(value: string): boolean {
  try {
    const { protocol } = new URL(value);
    return protocol === 'postgres:' || protocol === 'postgresql:';
  } catch {
    return false;
  }
}

/** nodemailer's connection URL: smtp:// (STARTTLS when offered) or smtps:// (TLS from the start). */
function isSmtpUrl(value: string): boolean {
  try {
    const { protocol, hostname } = new URL(value);
    return (protocol === 'smtp:' || protocol === 'smtps:') && hostname !== '';
  } catch {
    return false;
  }
}

/** `blog@example.com` or `Quire <blog@example.com>`: one address, no line breaks (a header's value). */
function isMailbox(value: string): boolean {
  return /^(?:[^<>\r\n"]{1,100} <[^\s<>@]+@[^\s<>@]+\.[^\s<>@]+>|[^\s<>@]+@[^\s<>@]+\.[^\s<>@]+)$/.test(value);
}

function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value;
  } catch {
    return false;
  }
}

/** Defaults let a person write and comment freely; each is a token bucket per IP or per user. */
export const RATE_LIMIT_DEFAULTS: Record<LimitName, string> = {
  global: '600/m',
  signup: '10/h',
  // the live hint: each check is up to 0.4 s of the worker thread's CPU
  passwordStrength: '30/m',
  articles: '30/h',
  // each save renders the body: up to 1.2 s of the worker thread's CPU at the 100 KB limit
  articleUpdates: '120/h',
  comments: '120/h',
  favorites: '600/h',
  follows: '300/h',
  // "Export my data": each reads and zips everything an account wrote, per account
  exports: '10/h',
  // reset mails asked for, per address and per e-mail: each is a message sent to someone's inbox
  passwordReset: '5/h',
  // confirmation mails sent again, per address and per account
  emailConfirm: '5/h',
  // images uploaded, per account: each is up to a second of sharp's threads (src/media/)
  uploads: '60/h',
};

const EnvSchema = z.object({
  // 0 asks the system for any free port (tests, measurements)
  PORT: optional(z.coerce.number().int().min(0).max(65535).default(3000)),
  HOST: optional(z.string().min(1).default('127.0.0.1')),
  DATABASE_PATH: optional(z.string().min(1).default('./data/quire.db')),
  DATABASE_URL: optional(z.string().refine(isPostgresUrl, 'must be a postgres:// or postgresql:// URL').optional()),
  PUBLIC_URL: optional(
    z
      .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
      .transform((url) => url.replace(/\/+$/, ''))
      .optional(),
  ),
  NODE_ENV: optional(z.enum(['development', 'production', 'test']).default('development')),
  SITE_TITLE: optional(z.string().trim().min(1).max(100).default('Quire')),
  SITE_DESCRIPTION: optional(z.string().trim().min(1).max(300).default('A place to share your knowledge.')),
  REGISTRATION: optional(z.enum(['open', 'invite', 'closed'], { error: 'must be open, invite or closed' }).default('open')),
  NEW_ACCOUNT_ARTICLES_PER_DAY: optional(z.coerce.number({ error: 'must be a whole number from 0 to 1000' }).int().min(0).max(1000).default(3)),
  NEW_ACCOUNT_COMMENTS_PER_DAY: optional(z.coerce.number({ error: 'must be a whole number from 0 to 1000' }).int().min(0).max(1000).default(10)),
  CORS_ORIGINS: optional(
    z
      .string()
      .transform((value) => value.split(',').map((origin) => origin.trim()).filter(Boolean))
      .pipe(z.array(z.string().refine(isOrigin, 'must be a comma-separated list of origins like https://app.example')))
      .default([]),
  ),
  TRUST_PROXY: parsed('off', parseTrustProxy, 'must be off, loopback, or a comma-separated list of proxy IP addresses'),
  RATE_LIMITS: flag(true),
  CACHE: flag(true),
  RATE_LIMIT_GLOBAL: rate(RATE_LIMIT_DEFAULTS.global),
  RATE_LIMIT_SIGNUP: rate(RATE_LIMIT_DEFAULTS.signup),
  RATE_LIMIT_PASSWORD_STRENGTH: rate(RATE_LIMIT_DEFAULTS.passwordStrength),
  RATE_LIMIT_ARTICLES: rate(RATE_LIMIT_DEFAULTS.articles),
  RATE_LIMIT_ARTICLE_UPDATES: rate(RATE_LIMIT_DEFAULTS.articleUpdates),
  RATE_LIMIT_COMMENTS: rate(RATE_LIMIT_DEFAULTS.comments),
  RATE_LIMIT_FAVORITES: rate(RATE_LIMIT_DEFAULTS.favorites),
  RATE_LIMIT_FOLLOWS: rate(RATE_LIMIT_DEFAULTS.follows),
  RATE_LIMIT_EXPORTS: rate(RATE_LIMIT_DEFAULTS.exports),
  RATE_LIMIT_PASSWORD_RESET: rate(RATE_LIMIT_DEFAULTS.passwordReset),
  RATE_LIMIT_EMAIL_CONFIRM: rate(RATE_LIMIT_DEFAULTS.emailConfirm),
  RATE_LIMIT_UPLOADS: rate(RATE_LIMIT_DEFAULTS.uploads),
  SIGNIN_BACKOFF: parsed('0,1,2,4,8,16,30,60,180,300', parseBackoff, 'must be a comma-separated list of seconds, e.g. 1,2,4,8'),
  BLOCK_COMMON_PASSWORDS: flag(true),
  BACKUP_DIR: optional(z.string().min(1).optional()),
  BACKUP_INTERVAL: parsed(
    '1d',
    (value) => {
      const ms = parseDuration(value);
      return ms !== null && ms >= 60_000 ? ms : null;
    },
    'must be a duration of at least a minute, like 30m, 6h or 1d',
  ),
  BACKUP_KEEP: optional(z.coerce.number().int().min(1).max(10_000).default(14)),
  POSTGRES_BIN_DIR: optional(z.string().min(1).optional()),
  LOG_FORMAT: optional(z.enum(['json', 'pretty']).default('json')),
  SMTP_URL: optional(z.string().refine(isSmtpUrl, 'must be an smtp:// or smtps:// URL, like smtps://user:password@mail.example:465').optional()),
  MAIL_FROM: optional(z.string().trim().max(200).refine(isMailbox, 'must be an address, or a name and an address: Quire <blog@example.com>').optional()),
  QUIRE_CACHE_DIR: optional(z.string().min(1).optional()),
  MEDIA_DIR: optional(z.string().min(1).optional()),
  MEDIA_STORE: optional(z.enum(['files', 's3'], { error: 'must be files or s3' }).default('files')),
  S3_ENDPOINT: optional(z.string().refine(isHttpUrl, 'must be an http:// or https:// URL, like https://s3.example.com').optional()),
  S3_BUCKET: optional(z.string().trim().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be a bucket name: 3 to 63 lowercase letters, digits, dots and hyphens').optional()),
  S3_REGION: optional(z.string().trim().min(1).max(64).default('us-east-1')),
  // folders of letters, digits, - _ . (none of them . or ..), ending with one /: `quire` is `quire/`
  S3_PREFIX: optional(
    z
      .string()
      .max(200)
      .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*(?:\/[A-Za-z0-9][A-Za-z0-9_.-]*)*\/?$/, 'must be folder names of letters, digits, - _ and . joined by /, like quire/ or blogs/quire/')
      .transform((prefix) => (prefix.endsWith('/') ? prefix : `${prefix}/`))
      .optional(),
  ),
  S3_ACCESS_KEY_ID: optional(z.string().trim().min(1).optional()),
  S3_SECRET_ACCESS_KEY: optional(z.string().min(1).optional()),
  S3_FORCE_PATH_STYLE: optional(
    z
      .enum(['true', 'false', 'on', 'off', '1', '0', 'yes', 'no'], { error: 'must be true or false (on/off)' })
      .transform((value) => ['true', 'on', '1', 'yes'].includes(value))
      .optional(),
  ),
  MEDIA_MAX_BYTES: parsed('10MB', (value) => parseSize(value, 100 * 1024 * 1024), 'must be a size up to 100MB, like 10MB or 800KB'),
  MEDIA_MAX_PIXELS: optional(z.coerce.number({ error: 'must be a whole number of pixels from 1 000 000 to 268 000 000' }).int().min(1_000_000).max(268_000_000).default(50_000_000)),
  MEDIA_QUOTA: parsed('500MB', (value) => parseSize(value, 1024 * 1024 * 1024 * 1024), 'must be a size, like 500MB or 2GB'),
  MEDIA_UNUSED_GRACE: parsed('1d', parseDuration, 'must be a duration, like 6h or 1d'),
  TOTP_ENCRYPTION_KEY: parsed('', parseEncryptionKey, 'must be 32 bytes as 64 hex digits or base64 (e.g. openssl rand -base64 32)'),
}).superRefine((env, ctx) => {
  // an S3 media store fails at start-up, naming what it lacks, rather than at the first upload
  if (env.MEDIA_STORE !== 's3') return;
  for (const name of ['S3_BUCKET', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'] as const) {
    if (!env[name]) ctx.addIssue({ code: 'custom', path: [name], message: 'must be set when MEDIA_STORE=s3' });
  }
});

function isHttpUrl(value: string): boolean {
  try {
    const { protocol } = new URL(value);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

/** 32 bytes as 64 hex digits or base64; empty: none (src/two-factor/totp.ts then keeps keys unencrypted). */
function parseEncryptionKey(value: string): Buffer | null | undefined {
  const text = value.trim();
  if (text === '') return undefined;
  const bytes = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex') : /^[A-Za-z0-9+/]{43}=?$/.test(text) ? Buffer.from(text, 'base64') : null;
  return bytes && bytes.length === 32 ? bytes : null;
}

/** "800KB", "10MB", "2GB" (powers of 1024) -> bytes, at most `max` */
export function parseSize(value: string, max: number): number | null {
  const match = /^\s*(\d{1,7})\s*(B|KB|MB|GB)\s*$/i.exec(value);
  if (!match) return null;
  const bytes = Number(match[1]) * { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 }[match[2]!.toLowerCase() as 'b']!;
  return bytes >= 1 && bytes <= max ? bytes : null;
}

/** "90s", "30m", "6h", "1d" -> milliseconds */
export function parseDuration(value: string): number | null {
  const match = /^\s*(\d{1,6})\s*(s|m|h|d)\s*$/.exec(value);
  if (!match) return null;
  return Number(match[1]) * { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 's' | 'm' | 'h' | 'd'];
}

export type Env = {
  PORT: number;
  HOST: string;
  /** the SQLite file, used when DATABASE_URL is unset */
  DATABASE_PATH: string;
  /** PostgreSQL's connection URL (postgres://user:password@host:5432/quire): set, Quire runs on PostgreSQL */
  DATABASE_URL: string | undefined;
  /** The site's public origin plus any path prefix, without a trailing slash. */
  PUBLIC_URL: string;
  NODE_ENV: 'development' | 'production' | 'test';
  /** The blog's name, in the navbar, the page titles and /about: the default of a new site (site settings). */
  SITE_TITLE: string;
  /** One sentence about the blog: the home banner, /about, feeds and the default meta description. */
  SITE_DESCRIPTION: string;
  /** Who may join a new site (a default: /admin/settings changes it live): open, invite or closed. */
  REGISTRATION: 'open' | 'invite' | 'closed';
  /** A new account's articles in its first day (a default, changed live in /admin/settings). */
  NEW_ACCOUNT_ARTICLES_PER_DAY: number;
  /** A new account's comments in its first day (a default, changed live in /admin/settings). */
  NEW_ACCOUNT_COMMENTS_PER_DAY: number;
  /** Origins allowed to call /api from a browser (CORS); empty means CORS is off. */
  CORS_ORIGINS: string[];
  /** Which peers are reverse proxies whose X-Forwarded-For is believed. */
  TRUST_PROXY: ProxyTrust;
  /** false only for test rigs: turns off every limiter and the sign-in throttle. */
  RATE_LIMITS: boolean;
  /** false serves every answer fresh: no page, memo or fragment is kept (src/cache/) */
  CACHE: boolean;
  RATE_LIMIT: Record<LimitName, BucketPolicy>;
  /** milliseconds to wait after the 1st, 2nd... consecutive failed sign-in */
  SIGNIN_BACKOFF: number[];
  /** false only for test rigs and RealWorld conformance runs. */
  BLOCK_COMMON_PASSWORDS: boolean;
  /** where the running server writes scheduled backups; unset means none */
  BACKUP_DIR: string | undefined;
  BACKUP_INTERVAL_MS: number;
  BACKUP_KEEP: number;
  /** PostgreSQL: the folder holding pg_dump and pg_restore; unset, the newest /usr/lib/postgresql/N/bin, or PATH */
  POSTGRES_BIN_DIR: string | undefined;
  LOG_FORMAT: 'json' | 'pretty';
  /** where mail goes out (src/mail/sender.ts); unset, Quire sends none and /admin/mail lists what it would have sent */
  SMTP_URL: string | undefined;
  /** the From of every message; default `<site title> <noreply@PUBLIC_URL's host>` */
  MAIL_FROM: string;
  /** where the binary writes its addons and migrations; default .cache/ beside the database */
  QUIRE_CACHE_DIR: string | undefined;
  /** AES-256-GCM key for second factors' TOTP keys at rest (src/two-factor/totp.ts); unset: kept as they are */
  TOTP_ENCRYPTION_KEY: Buffer | undefined;
  /** where uploaded images are kept (src/media/store.ts); default media/ beside the SQLite database */
  MEDIA_DIR: string | undefined;
  /** files (MEDIA_DIR, one machine) or s3 (a bucket every node shares) */
  MEDIA_STORE: 'files' | 's3';
  /** the S3 media store's settings (S3_*), set when MEDIA_STORE=s3 */
  S3: S3StoreOptions | undefined;
  /** the largest upload accepted, in bytes */
  MEDIA_MAX_BYTES: number;
  /** the most pixels an uploaded image may have (width x height, every frame together): larger is refused before it is decoded */
  MEDIA_MAX_PIXELS: number;
  /** what one account's images may take together, in bytes */
  MEDIA_QUOTA: number;
  /** how long an image nothing shows is kept before the clean-ups remove it, in milliseconds */
  MEDIA_UNUSED_GRACE_MS: number;
};

export class EnvError extends Error {
  override name = 'EnvError';
}

/** Reads the environment once; an invalid value throws an EnvError naming every bad variable. */
export function loadEnv(source: Record<string, string | undefined> = process.env): Env {
  const result = EnvSchema.safeParse(source);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new EnvError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const env = result.data;
  return {
    PORT: env.PORT,
    HOST: env.HOST,
    DATABASE_PATH: env.DATABASE_PATH,
    DATABASE_URL: env.DATABASE_URL,
    PUBLIC_URL: env.PUBLIC_URL ?? `http://localhost:${env.PORT}`,
    NODE_ENV: env.NODE_ENV,
    SITE_TITLE: env.SITE_TITLE,
    SITE_DESCRIPTION: env.SITE_DESCRIPTION,
    REGISTRATION: env.REGISTRATION,
    NEW_ACCOUNT_ARTICLES_PER_DAY: env.NEW_ACCOUNT_ARTICLES_PER_DAY,
    NEW_ACCOUNT_COMMENTS_PER_DAY: env.NEW_ACCOUNT_COMMENTS_PER_DAY,
    CORS_ORIGINS: env.CORS_ORIGINS,
    TRUST_PROXY: env.TRUST_PROXY,
    RATE_LIMITS: env.RATE_LIMITS,
    CACHE: env.CACHE,
    RATE_LIMIT: {
      global: env.RATE_LIMIT_GLOBAL,
      signup: env.RATE_LIMIT_SIGNUP,
      passwordStrength: env.RATE_LIMIT_PASSWORD_STRENGTH,
      articles: env.RATE_LIMIT_ARTICLES,
      articleUpdates: env.RATE_LIMIT_ARTICLE_UPDATES,
      comments: env.RATE_LIMIT_COMMENTS,
      favorites: env.RATE_LIMIT_FAVORITES,
      follows: env.RATE_LIMIT_FOLLOWS,
      exports: env.RATE_LIMIT_EXPORTS,
      passwordReset: env.RATE_LIMIT_PASSWORD_RESET,
      emailConfirm: env.RATE_LIMIT_EMAIL_CONFIRM,
      uploads: env.RATE_LIMIT_UPLOADS,
    },
    SIGNIN_BACKOFF: env.SIGNIN_BACKOFF,
    BLOCK_COMMON_PASSWORDS: env.BLOCK_COMMON_PASSWORDS,
    BACKUP_DIR: env.BACKUP_DIR,
    BACKUP_INTERVAL_MS: env.BACKUP_INTERVAL,
    BACKUP_KEEP: env.BACKUP_KEEP,
    POSTGRES_BIN_DIR: env.POSTGRES_BIN_DIR,
    LOG_FORMAT: env.LOG_FORMAT,
    SMTP_URL: env.SMTP_URL,
    MAIL_FROM: env.MAIL_FROM ?? `${env.SITE_TITLE.replace(/[<>"\r\n]/g, '')} <noreply@${new URL(env.PUBLIC_URL ?? 'http://localhost').hostname}>`,
    QUIRE_CACHE_DIR: env.QUIRE_CACHE_DIR,
    TOTP_ENCRYPTION_KEY: env.TOTP_ENCRYPTION_KEY ?? undefined,
    MEDIA_DIR: env.MEDIA_DIR,
    MEDIA_STORE: env.MEDIA_STORE,
    S3:
      env.MEDIA_STORE === 's3'
        ? {
            endpoint: env.S3_ENDPOINT,
            bucket: env.S3_BUCKET!,
            region: env.S3_REGION,
            prefix: env.S3_PREFIX,
            accessKeyId: env.S3_ACCESS_KEY_ID!,
            secretAccessKey: env.S3_SECRET_ACCESS_KEY!,
            // most S3-compatible servers (MinIO, Garage, s3rver) want path-style addresses; AWS, virtual hosts
            forcePathStyle: env.S3_FORCE_PATH_STYLE ?? env.S3_ENDPOINT !== undefined,
          }
        : undefined,
    MEDIA_MAX_BYTES: env.MEDIA_MAX_BYTES,
    MEDIA_MAX_PIXELS: env.MEDIA_MAX_PIXELS,
    MEDIA_QUOTA: env.MEDIA_QUOTA,
    MEDIA_UNUSED_GRACE_MS: env.MEDIA_UNUSED_GRACE,
  };
}

/** Cookies get `Secure` when, and only when, the public URL is https (never decided by NODE_ENV). */
export function isHttps(env: Pick<Env, 'PUBLIC_URL'>): boolean {
  return env.PUBLIC_URL.startsWith('https://');
}
