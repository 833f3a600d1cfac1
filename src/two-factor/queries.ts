/**
 * A second factor's rows: the key on users (totp_key, totp_enrolled_at), the recovery codes, and
 * the key being set up, which waits in account_tokens (purpose 'two-factor-setup', at most
 * SETUP_LIFETIME_MS, one per account) and reaches users only once a code from it was typed.
 */
import { createHash } from 'node:crypto';
import { and, count, desc, eq, gt, isNull } from 'drizzle-orm';
import type { Db } from '../db/client';
import { tablesOf } from '../db/engine';
import { idle } from '../db/transaction';

export const SETUP_PURPOSE = 'two-factor-setup';
/** How long a key shown for setup may still be confirmed. */
export const SETUP_LIFETIME_MS = 15 * 60 * 1000;

export async function findTotpKey(db: Db, userId: number): Promise<{ key: Buffer | null; enrolledAt: Date | null } | null> {
  await idle(db);
  const { users } = tablesOf(db);
  const [row] = await db.select({ key: users.totpKey, enrolledAt: users.totpEnrolledAt }).from(users).where(eq(users.id, userId)).limit(1);
  return row ?? null;
}

export async function setTotpKey(db: Db, userId: number, key: Buffer | null, now: number): Promise<void> {
  await idle(db);
  const { users } = tablesOf(db);
  await db
    .update(users)
    .set({ totpKey: key, totpEnrolledAt: key ? new Date(now) : null, updatedAt: new Date(now) })
    .where(eq(users.id, userId));
}

/** The key waiting for its first code: the account's newest one still in time, sealed (src/two-factor/totp.ts). */
export async function findPendingSetup(db: Db, userId: number, now: number): Promise<{ id: Buffer; sealed: Buffer } | null> {
  await idle(db);
  const { accountTokens } = tablesOf(db);
  const [row] = await db
    .select({ id: accountTokens.tokenHash, data: accountTokens.data })
    .from(accountTokens)
    .where(and(eq(accountTokens.userId, userId), eq(accountTokens.purpose, SETUP_PURPOSE), gt(accountTokens.expiresAt, new Date(now))))
    .orderBy(desc(accountTokens.createdAt))
    .limit(1);
  return row?.data ? { id: Buffer.from(row.id), sealed: Buffer.from(row.data, 'base64') } : null;
}

/** Keeps a new key for setup, in place of any earlier one of the account. */
export async function savePendingSetup(db: Db, userId: number, sealed: Buffer, now: number): Promise<void> {
  await idle(db);
  const { accountTokens } = tablesOf(db);
  await db.delete(accountTokens).where(and(eq(accountTokens.userId, userId), eq(accountTokens.purpose, SETUP_PURPOSE)));
  // the row's key is random: nothing looks it up but this account's id
  const id = Buffer.from(crypto.getRandomValues(new Uint8Array(32)));
  await db.insert(accountTokens).values({
    tokenHash: id,
    purpose: SETUP_PURPOSE,
    userId,
    data: sealed.toString('base64'),
    createdAt: new Date(now),
    expiresAt: new Date(now + SETUP_LIFETIME_MS),
  });
}

/** Takes the setup row (once): false when another request took it first. */
export async function takePendingSetup(db: Db, id: Buffer): Promise<boolean> {
  await idle(db);
  const { accountTokens } = tablesOf(db);
  const taken = await db
    .delete(accountTokens)
    .where(and(eq(accountTokens.tokenHash, id), eq(accountTokens.purpose, SETUP_PURPOSE)))
    .returning({ id: accountTokens.tokenHash });
  return taken.length === 1;
}

export async function deletePendingSetups(db: Db, userId: number): Promise<void> {
  await idle(db);
  const { accountTokens } = tablesOf(db);
  await db.delete(accountTokens).where(and(eq(accountTokens.userId, userId), eq(accountTokens.purpose, SETUP_PURPOSE)));
}

/** The account's recovery codes become these (hashes), the old ones gone. */
export async function replaceRecoveryCodes(db: Db, userId: number, hashes: Buffer[], now: number): Promise<void> {
  await idle(db);
  const { recoveryCodes } = tablesOf(db);
  await db.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId));
  if (hashes.length > 0) {
    await db.insert(recoveryCodes).values(hashes.map((codeHash) => ({ userId, codeHash, createdAt: new Date(now) })));
  }
}

/**
 * Marks an unused code used: true for the one request that does. The condition `used_at is null`
 * decides a race between two uses of one code (one row changes, the other finds none).
 */
export async function useRecoveryCode(db: Db, userId: number, hash: Buffer, now: number): Promise<boolean> {
  await idle(db);
  const { recoveryCodes } = tablesOf(db);
  const used = await db
    .update(recoveryCodes)
    .set({ usedAt: new Date(now) })
    .where(and(eq(recoveryCodes.userId, userId), eq(recoveryCodes.codeHash, hash), isNull(recoveryCodes.usedAt)))
    .returning({ id: recoveryCodes.id });
  return used.length > 0;
}

export async function countRecoveryCodesLeft(db: Db, userId: number): Promise<number> {
  await idle(db);
  const { recoveryCodes } = tablesOf(db);
  const [row] = await db
    .select({ n: count() })
    .from(recoveryCodes)
    .where(and(eq(recoveryCodes.userId, userId), isNull(recoveryCodes.usedAt)));
  return Number(row?.n ?? 0);
}

const USED_PERIOD_PURPOSE = 'totp-used';

/**
 * Records that the account's code of TOTP period `counter` was used; false when it already was.
 * A row of account_tokens keyed by a hash of the account and the period, kept until the period is
 * out of the grace window (the clean-ups delete it then): two sign-ins racing with one code, one wins.
 */
export async function spendTotpPeriod(db: Db, userId: number, counter: number, now: number, keepMs: number): Promise<boolean> {
  await idle(db);
  const { accountTokens } = tablesOf(db);
  const spent = await db
    .insert(accountTokens)
    .values({
      tokenHash: createHash('sha256').update(`totp-used:${userId}:${counter}`).digest(),
      purpose: USED_PERIOD_PURPOSE,
      userId,
      createdAt: new Date(now),
      expiresAt: new Date(now + keepMs),
    })
    .onConflictDoNothing()
    .returning({ userId: accountTokens.userId });
  return spent.length === 1;
}
