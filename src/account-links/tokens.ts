/**
 * The links Quire mails to one person: a password reset, an address to confirm (account_tokens).
 * A token is 192 random bits in base32; only its SHA-256 is stored, looked up by that hash, so the
 * table alone opens nothing. Each is used once: deleted in the transaction that uses it.
 */
import { createHash } from 'node:crypto';
import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding';
import { and, desc, eq, gt, inArray, lte } from 'drizzle-orm';
import type { Db } from '../db/client';
import { tablesOf } from '../db/engine';
import { idle } from '../db/transaction';

export type AccountTokenPurpose = 'password-reset' | 'email-confirm';

/** What a link's token looks like: anything else is refused before a lookup. */
export const ACCOUNT_TOKEN = /^[a-z2-7]{20,100}$/;

export const hashAccountToken = (token: string): Buffer => createHash('sha256').update(token, 'utf8').digest();

export function newAccountToken(): string {
  const bytes = new Uint8Array(24);
  crypto.getRandomValues(bytes);
  return encodeBase32LowerCaseNoPadding(bytes);
}

export type AccountTokenRow = { userId: number; data: string | null; createdAt: Date; expiresAt: Date };

/** A link's state: 'open' with its row, or why it cannot be used. */
export type TokenLookup = { state: 'open'; row: AccountTokenRow } | { state: 'unknown' | 'expired' };

export async function storeAccountToken(
  db: Db,
  input: { token: string; purpose: AccountTokenPurpose; userId: number; data?: string | null; now: number; lifetimeMs: number },
): Promise<void> {
  await idle(db);
  await db.insert(tablesOf(db).accountTokens).values({
    tokenHash: hashAccountToken(input.token),
    purpose: input.purpose,
    userId: input.userId,
    data: input.data ?? null,
    createdAt: new Date(input.now),
    expiresAt: new Date(input.now + input.lifetimeMs),
  });
}

/** Looks a link up without using it (the page that shows the form). */
export async function findAccountToken(db: Db, purpose: AccountTokenPurpose, token: string, now: number): Promise<TokenLookup> {
  if (!ACCOUNT_TOKEN.test(token)) return { state: 'unknown' };
  await idle(db);
  const { accountTokens } = tablesOf(db);
  const [row] = await db
    .select({ userId: accountTokens.userId, data: accountTokens.data, createdAt: accountTokens.createdAt, expiresAt: accountTokens.expiresAt })
    .from(accountTokens)
    .where(and(eq(accountTokens.tokenHash, hashAccountToken(token)), eq(accountTokens.purpose, purpose)))
    .limit(1);
  if (!row) return { state: 'unknown' };
  return row.expiresAt.getTime() <= now ? { state: 'expired' } : { state: 'open', row };
}

/**
 * Uses a link: deletes it and answers its row. Call it inside the transaction of the act, so of two
 * requests racing with one link only one gets the row; an expired link is deleted and refused.
 */
export async function takeAccountToken(db: Db, purpose: AccountTokenPurpose, token: string, now: number): Promise<TokenLookup> {
  if (!ACCOUNT_TOKEN.test(token)) return { state: 'unknown' };
  await idle(db);
  const { accountTokens } = tablesOf(db);
  const [row] = await db
    .delete(accountTokens)
    .where(and(eq(accountTokens.tokenHash, hashAccountToken(token)), eq(accountTokens.purpose, purpose)))
    .returning({ userId: accountTokens.userId, data: accountTokens.data, createdAt: accountTokens.createdAt, expiresAt: accountTokens.expiresAt });
  if (!row) return { state: 'unknown' };
  return row.expiresAt.getTime() <= now ? { state: 'expired' } : { state: 'open', row };
}

/** Voids every link of one purpose an account has (a password changed: its reset links die). */
export async function deleteAccountTokens(db: Db, userId: number, purpose: AccountTokenPurpose): Promise<void> {
  await idle(db);
  const { accountTokens } = tablesOf(db);
  await db.delete(accountTokens).where(and(eq(accountTokens.userId, userId), eq(accountTokens.purpose, purpose)));
}

/** The newest unexpired link of a purpose an account has, if any (its data: the address to confirm). */
export async function newestAccountToken(db: Db, userId: number, purpose: AccountTokenPurpose, now: number): Promise<AccountTokenRow | null> {
  await idle(db);
  const { accountTokens } = tablesOf(db);
  const [row] = await db
    .select({ userId: accountTokens.userId, data: accountTokens.data, createdAt: accountTokens.createdAt, expiresAt: accountTokens.expiresAt })
    .from(accountTokens)
    .where(and(eq(accountTokens.userId, userId), eq(accountTokens.purpose, purpose), gt(accountTokens.expiresAt, new Date(now))))
    .orderBy(desc(accountTokens.createdAt))
    .limit(1);
  return row ?? null;
}

const CLEANUP_STEP = 100;

/**
 * Clean-up task (src/ops/cleanups.ts): expired links of every purpose (resets, confirmations,
 * unsubscribes, two-factor set-ups and spent TOTP periods), a hundred a step.
 */
export async function deleteExpiredAccountTokens(db: Db, now: number): Promise<{ deleted: number; next: string | null }> {
  await idle(db);
  const { accountTokens } = tablesOf(db);
  const expired = await db
    .select({ tokenHash: accountTokens.tokenHash })
    .from(accountTokens)
    .where(lte(accountTokens.expiresAt, new Date(now)))
    .limit(CLEANUP_STEP);
  if (expired.length === 0) return { deleted: 0, next: null };
  await db.delete(accountTokens).where(inArray(accountTokens.tokenHash, expired.map((row) => row.tokenHash)));
  // what is deleted is gone: the next step starts from the beginning again
  return { deleted: expired.length, next: expired.length === CLEANUP_STEP ? 'more' : null };
}
