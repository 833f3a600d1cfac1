import { and, eq, ne, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { users, type User } from '../db/schema';

const lowerEquals = (column: typeof users.username | typeof users.email, value: string) =>
  sql`lower(${column}) = lower(${value})`;

export function findUserByEmail(db: Db, email: string): User | null {
  return db.select().from(users).where(lowerEquals(users.email, email)).get() ?? null;
}

export function findUserByUsername(db: Db, username: string): User | null {
  return db.select().from(users).where(lowerEquals(users.username, username)).get() ?? null;
}

export function findUserById(db: Db, id: number): User | null {
  return db.select().from(users).where(eq(users.id, id)).get() ?? null;
}

/** Usernames and emails are unique whatever their case; `exceptId` is the user being edited. */
export function isUsernameTaken(db: Db, username: string, exceptId?: number): boolean {
  const where = exceptId === undefined
    ? lowerEquals(users.username, username)
    : and(lowerEquals(users.username, username), ne(users.id, exceptId));
  return db.select({ id: users.id }).from(users).where(where).get() !== undefined;
}

export function isEmailTaken(db: Db, email: string, exceptId?: number): boolean {
  const where = exceptId === undefined
    ? lowerEquals(users.email, email)
    : and(lowerEquals(users.email, email), ne(users.id, exceptId));
  return db.select({ id: users.id }).from(users).where(where).get() !== undefined;
}

export function createUser(
  db: Db,
  input: { username: string; email: string; passwordHash: string },
  now: number,
): User {
  const user = db
    .insert(users)
    .values({ ...input, createdAt: new Date(now), updatedAt: new Date(now) })
    .returning()
    .get();
  return user;
}

export type UserChanges = Partial<Pick<User, 'username' | 'email' | 'passwordHash' | 'bio' | 'image'>>;

export function updateUser(db: Db, id: number, changes: UserChanges, now: number): User {
  const user = db
    .update(users)
    .set({ ...changes, updatedAt: new Date(now) })
    .where(eq(users.id, id))
    .returning()
    .get()!;
  return user;
}
