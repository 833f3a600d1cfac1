/**
 * Accounts as /admin/users, `quire user` and /api/admin/users read and change them: the list, a
 * role, a suspension, the placeholder that keeps a deleted author's content. Use cases
 * (./use-cases.ts) check who may, and write the audit entry in the same transaction.
 */
import { and, asc, count, desc, eq, isNotNull, lte, sql, type SQL } from 'drizzle-orm';
import { deleteArticle } from '../articles/queries';
import type { Db } from '../db/client';
import { tablesOf } from '../db/engine';
import type { User } from '../db/schema';
import { idle } from '../db/transaction';

/**
 * The one account that stands for every author who deleted their account but left their writing:
 * `deleted.author`, a name the username rules refuse (a dot), so no person can ever hold it; an
 * email the email rules refuse too (no dot in its domain, which is `invalid`, RFC 2606's), so no
 * one can take it first and nothing is ever sent there; and a password hash no password matches,
 * so nobody can sign in as it.
 */
export const PLACEHOLDER_USERNAME = 'deleted.author';
const PLACEHOLDER_EMAIL = 'deleted.author@invalid';
/** not an Argon2 hash: verifyPassword() answers false for every password */
const UNUSABLE_PASSWORD_HASH = '!unusable';
export const PLACEHOLDER_BIO = 'Written by people who have since deleted their accounts.';

export const isPlaceholder = (user: Pick<User, 'username'>) => user.username === PLACEHOLDER_USERNAME;

export type AccountRow = Pick<User, 'id' | 'username' | 'email' | 'role' | 'createdAt' | 'suspendedAt' | 'suspendedUntil' | 'suspensionReason'>;

export const ACCOUNTS_PAGE_SIZE = 25;

const accountColumns = (t: ReturnType<typeof tablesOf>) => ({
  id: t.users.id,
  username: t.users.username,
  email: t.users.email,
  role: t.users.role,
  createdAt: t.users.createdAt,
  suspendedAt: t.users.suspendedAt,
  suspendedUntil: t.users.suspendedUntil,
  suspensionReason: t.users.suspensionReason,
});

/** `%` and `_` typed by a person are letters, not wildcards. */
const likePattern = (text: string) => `%${text.toLowerCase().replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;

/**
 * A page of accounts, newest first, with how many match: all, or those whose name or email holds
 * `search` (whatever its case), or of one role.
 */
export async function listAccounts(
  db: Db,
  options: { page: number; search?: string; role?: string; pageSize?: number },
): Promise<{ accounts: AccountRow[]; total: number }> {
  await idle(db);
  const t = tablesOf(db);
  const size = options.pageSize ?? ACCOUNTS_PAGE_SIZE;
  const conditions: SQL[] = [];
  if (options.search) {
    const pattern = likePattern(options.search);
    conditions.push(sql`(lower(${t.users.username}) like ${pattern} escape '\\' or lower(${t.users.email}) like ${pattern} escape '\\')`);
  }
  if (options.role) conditions.push(eq(t.users.role, options.role));
  const where = conditions.length > 0 ? and(...conditions) : undefined;
  const [accounts, [total]] = await Promise.all([
    db
      .select(accountColumns(t))
      .from(t.users)
      .where(where)
      .orderBy(desc(t.users.createdAt), desc(t.users.id))
      .limit(size)
      .offset((options.page - 1) * size),
    db.select({ n: count() }).from(t.users).where(where),
  ]);
  return { accounts, total: Number(total?.n ?? 0) };
}

export async function setRole(db: Db, userId: number, role: string, now: number): Promise<void> {
  await idle(db);
  const { users } = tablesOf(db);
  await db.update(users).set({ role, updatedAt: new Date(now) }).where(eq(users.id, userId));
}

export type Suspension = { at: Date; until: Date | null; reason: string };

export async function setSuspension(db: Db, userId: number, suspension: Suspension | null, now: number): Promise<void> {
  await idle(db);
  const { users } = tablesOf(db);
  await db
    .update(users)
    .set({
      suspendedAt: suspension?.at ?? null,
      suspendedUntil: suspension?.until ?? null,
      suspensionReason: suspension?.reason ?? null,
      updatedAt: new Date(now),
    })
    .where(eq(users.id, userId));
}

/** Suspensions whose end has come at `now`, oldest end first, a few at a time. */
export async function findEndedSuspensions(db: Db, now: number, limit: number): Promise<Array<Pick<User, 'id' | 'username'>>> {
  await idle(db);
  const { users } = tablesOf(db);
  return db
    .select({ id: users.id, username: users.username })
    .from(users)
    .where(and(isNotNull(users.suspendedAt), isNotNull(users.suspendedUntil), lte(users.suspendedUntil, new Date(now))))
    .orderBy(asc(users.suspendedUntil), asc(users.id))
    .limit(limit);
}

/** The placeholder account (see PLACEHOLDER_USERNAME), made the first time it is needed. */
export async function placeholderAccount(db: Db, now: number): Promise<User> {
  await idle(db);
  const { users } = tablesOf(db);
  const find = async () => (await db.select().from(users).where(eq(users.username, PLACEHOLDER_USERNAME)).limit(1))[0];
  const found = await find();
  if (found) return found;
  await db
    .insert(users)
    .values({
      username: PLACEHOLDER_USERNAME,
      email: PLACEHOLDER_EMAIL,
      passwordHash: UNUSABLE_PASSWORD_HASH,
      bio: PLACEHOLDER_BIO,
      role: 'author',
      createdAt: new Date(now),
      updatedAt: new Date(now),
    })
    .onConflictDoNothing();
  return (await find())!;
}

/**
 * Deletes an account. With `keepContentAs`, its articles and comments first move to that account
 * (the placeholder); without, each article goes the way deleteArticle takes it (out of the search
 * index too), and the foreign keys take the rest: comments, favorites, follows, sessions.
 */
export async function deleteAccount(
  db: Db,
  userId: number,
  keepContentAs: number | null,
  now: number,
): Promise<{ articles: number; comments: number }> {
  await idle(db);
  const { users, articles, comments } = tablesOf(db);
  const owned = await db.select({ id: articles.id }).from(articles).where(eq(articles.authorId, userId));
  const [written] = await db.select({ n: count() }).from(comments).where(eq(comments.authorId, userId));
  if (keepContentAs !== null) {
    await db.update(articles).set({ authorId: keepContentAs }).where(eq(articles.authorId, userId));
    await db.update(comments).set({ authorId: keepContentAs }).where(eq(comments.authorId, userId));
  } else {
    for (const { id } of owned) await deleteArticle(db, id, now);
  }
  await db.delete(users).where(eq(users.id, userId));
  return { articles: owned.length, comments: Number(written?.n ?? 0) };
}

/** How much an account has written: what its deletion's confirmation page says will go. */
export async function countContentOf(db: Db, userId: number): Promise<{ articles: number; comments: number }> {
  await idle(db);
  const { articles, comments } = tablesOf(db);
  const [[a], [c]] = await Promise.all([
    db.select({ n: count() }).from(articles).where(eq(articles.authorId, userId)),
    db.select({ n: count() }).from(comments).where(eq(comments.authorId, userId)),
  ]);
  return { articles: Number(a?.n ?? 0), comments: Number(c?.n ?? 0) };
}
