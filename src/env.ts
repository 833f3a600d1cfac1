import { z } from 'zod';

/** Empty strings count as unset, so `PORT=` in an env file falls back to the default. */
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === '' ? undefined : value), schema);

const EnvSchema = z.object({
  PORT: optional(z.coerce.number().int().min(1).max(65535).default(3000)),
  HOST: optional(z.string().min(1).default('127.0.0.1')),
  DATABASE_PATH: optional(z.string().min(1).default('./data/quire.db')),
  PUBLIC_URL: optional(
    z
      .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
      .transform((url) => url.replace(/\/+$/, ''))
      .optional(),
  ),
  NODE_ENV: optional(z.enum(['development', 'production', 'test']).default('development')),
  SITE_TITLE: optional(z.string().trim().min(1).max(100).default('Quire')),
  CORS_ORIGINS: optional(
    z
      .string()
      .transform((value) => value.split(',').map((origin) => origin.trim()).filter(Boolean))
      .pipe(z.array(z.string().refine(isOrigin, 'must be a comma-separated list of origins like https://app.example')))
      .default([]),
  ),
});

function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value;
  } catch {
    return false;
  }
}

export type Env = {
  PORT: number;
  HOST: string;
  DATABASE_PATH: string;
  /** The site's public origin plus any path prefix, without a trailing slash. */
  PUBLIC_URL: string;
  NODE_ENV: 'development' | 'production' | 'test';
  /** The blog's name, in the navbar, the page titles and /about. */
  SITE_TITLE: string;
  /** Origins allowed to call /api from a browser (CORS); empty means CORS is off. */
  CORS_ORIGINS: string[];
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
  return { ...env, PUBLIC_URL: env.PUBLIC_URL ?? `http://localhost:${env.PORT}` };
}

/** Cookies get `Secure` when, and only when, the public URL is https (never decided by NODE_ENV). */
export function isHttps(env: Pick<Env, 'PUBLIC_URL'>): boolean {
  return env.PUBLIC_URL.startsWith('https://');
}
