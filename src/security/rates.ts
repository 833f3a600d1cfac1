/*
 * The limiters' names and the parsers of their settings, apart from both the environment and the
 * limiters: env.ts reads the settings, limits.ts builds the limiters from the parsed Env, and
 * neither has to import the other to do it.
 */
import type { BucketPolicy } from './rate-limit';

export type LimitName =
  | 'global'
  | 'signup'
  | 'passwordStrength'
  | 'articles'
  | 'articleUpdates'
  | 'comments'
  | 'favorites'
  | 'follows'
  | 'exports'
  | 'passwordReset'
  | 'emailConfirm'
  | 'uploads';

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "120/h" -> up to 120 at once, refilled over an hour. */
export function parseRate(value: string): BucketPolicy | null {
  const match = /^\s*(\d{1,7})\s*\/\s*(\d{0,4})\s*([smhd])\s*$/.exec(value);
  if (!match) return null;
  const capacity = Number(match[1]);
  const periods = match[2] ? Number(match[2]) : 1;
  if (capacity < 1 || periods < 1) return null;
  return { capacity, refillMs: periods * UNITS[match[3]!]! };
}

/** "1,2,4" (seconds) -> [1000, 2000, 4000] */
export function parseBackoff(value: string): number[] | null {
  const parts = value.split(',').map((part) => part.trim());
  if (parts.some((part) => !/^\d{1,6}$/.test(part))) return null;
  return parts.map((part) => Number(part) * 1000);
}
