import { and, eq, ne, sql, type SQLWrapper } from 'drizzle-orm';
import type { Db } from '../db/client';
import { preparedQuery, tablesOf } from '../db/engine';
import { idle } from '../db/transaction';
import type { User } from '../db/schema';

const lowerEquals = (column: SQLWrapper, value: string) => sql`lower(${column}) = lower(${value})`;

export async function findUserByEmail(db: Db, email: string): Promise<User | null> {
  await idle(db);
  const { users } = tablesOf(db);
  const [user] = await db.select().from(users).where(lowerEquals(users.email, email)).limit(1);
  return user ?? null;
}

export async function findUserByUsername(db: Db, username: string): Promise<User | null> {
  await idle(db);
  const { users } = tablesOf(db);
  const [user] = await db.select().from(users).where(lowerEquals(users.username, username)).limit(1);
  return user ?? null;
}

/** Prepared once per database: every write a person makes reads its author (a suspension, a first day). */
export async function findUserById(db: Db, id: number): Promise<User | null> {
  const query = preparedQuery(db, 'user-by-id', ({ users }) => db.select().from(users).where(eq(users.id, sql.placeholder('id'))));
  return (await query.row({ id })) ?? null;
}

/** Usernames and emails are unique whatever their case; `exceptId` is the user being edited. */
export async function isUsernameTaken(db: Db, username: string, exceptId?: number): Promise<boolean> {
  await idle(db);
  const { users } = tablesOf(db);
  const where = exceptId === undefined
    ? lowerEquals(users.username, username)
    : and(lowerEquals(users.username, username), ne(users.id, exceptId));
  return (await db.select({ id: users.id }).from(users).where(where).limit(1)).length > 0;
}

export async function isEmailTaken(db: Db, email: string, exceptId?: number): Promise<boolean> {
  await idle(db);
  const { users } = tablesOf(db);
  const where = exceptId === undefined
    ? lowerEquals(users.email, email)
    : and(lowerEquals(users.email, email), ne(users.id, exceptId));
  return (await db.select({ id: users.id }).from(users).where(where).limit(1)).length > 0;
}

/** Whether the site has any account yet: the first one is its owner. */
export async function hasAnyUser(db: Db): Promise<boolean> {
  const { users } = tablesOf(db);
  return (await db.select({ id: users.id }).from(users).limit(1)).length > 0;
}

/** The site's owner, if it has one yet. */
export async function findOwner(db: Db): Promise<User | null> {
  const { users } = tablesOf(db);
  return (await db.select().from(users).where(eq(users.role, 'owner')).limit(1))[0] ?? null;
}

export async function createUser(
  db: Db,
  input: { username: string; email: string; passwordHash: string; role?: string },
  now: number,
): Promise<User> {
  await idle(db);
  const { users } = tablesOf(db);
  const [user] = await db
    .insert(users)
    .values({ ...input, createdAt: new Date(now), updatedAt: new Date(now) })
    .returning();
  return user!;
}

export type UserChanges = Partial<Pick<User, 'username' | 'email' | 'passwordHash' | 'bio' | 'image' | 'emailConfirmedAt'>>;

export async function updateUser(db: Db, id: number, changes: UserChanges, now: number): Promise<User> {
  await idle(db);
  const { users } = tablesOf(db);
  const [user] = await db
    .update(users)
    .set({ ...changes, updatedAt: new Date(now) })
    .where(eq(users.id, id))
    .returning();
  return user!;
}
