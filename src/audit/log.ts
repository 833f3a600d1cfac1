/**
 * The audit log (/admin/audit): every moderation and settings action, and every refusal of the
 * spam rules, with who, what, when and why. Use cases write their entry in the same transaction as
 * the act, so an act is never without its entry nor an entry without its act. Entries are kept
 * (nothing prunes them) and read newest first, a page at a time.
 */
import { count, desc, eq } from 'drizzle-orm';
import type { Caller } from '../core';
import type { Db } from '../db/client';
import { tablesOf } from '../db/engine';
import { idle } from '../db/transaction';

/** What an entry records; the name says the act (`thing.verb`). */
export type AuditAction =
  | 'article.hide'
  | 'article.restore'
  | 'article.delete'
  | 'comment.hide'
  | 'comment.restore'
  | 'comment.delete'
  | 'report.create'
  | 'report.resolve'
  | 'user.role'
  | 'user.suspend'
  | 'user.unsuspend'
  | 'user.delete'
  | 'user.reset-link'
  | 'owner.transfer'
  | 'settings.change'
  | 'page.create'
  | 'page.update'
  | 'page.delete'
  | 'invitation.create'
  | 'invitation.revoke'
  | 'invitation.use'
  | 'spam.honeypot'
  | 'spam.new-account-limit'
  | 'registration.refused'
  | 'two-factor.add'
  | 'two-factor.remove'
  | 'user.export'
  | 'image.remove';

export type AuditTarget = { kind: 'article' | 'comment' | 'user' | 'report' | 'page' | 'invitation' | 'settings' | 'image'; id: number | null; label: string };

export type AuditEntryInput = {
  action: AuditAction;
  target?: AuditTarget;
  reason?: string | null;
  details?: Record<string, unknown>;
};

export type AuditEntry = {
  id: number;
  createdAt: Date;
  actorId: number | null;
  actorName: string;
  door: string;
  action: string;
  targetKind: string | null;
  targetId: number | null;
  targetLabel: string | null;
  reason: string | null;
  details: string | null;
};

/** Who an entry names when no account acted: the operator at the CLI, or Quire itself. */
export const OPERATOR_NAME = 'operator (CLI)';
export const SYSTEM_NAME = 'Quire';

/**
 * Writes one entry. `db` is the act's transaction, so the entry stands or falls with it. The
 * actor's name is read now and kept, so the entry still says who acted once the account is gone.
 */
export async function recordAudit(db: Db, caller: Caller | 'system', entry: AuditEntryInput, now: number): Promise<void> {
  await idle(db);
  const { auditLog, users } = tablesOf(db);
  let actorId: number | null = null;
  let actorName = SYSTEM_NAME;
  let door = 'system';
  if (caller !== 'system') {
    door = caller.door;
    if (caller.userId !== null) {
      const [row] = await db.select({ username: users.username }).from(users).where(eq(users.id, caller.userId)).limit(1);
      actorId = row ? caller.userId : null;
      actorName = row?.username ?? `user #${caller.userId}`;
    } else {
      actorName = caller.door === 'cli' ? OPERATOR_NAME : 'a visitor';
    }
  }
  await db.insert(auditLog).values({
    createdAt: new Date(now),
    actorId,
    actorName,
    door,
    action: entry.action,
    targetKind: entry.target?.kind ?? null,
    targetId: entry.target?.id ?? null,
    targetLabel: entry.target?.label ?? null,
    reason: entry.reason ?? null,
    details: entry.details ? JSON.stringify(entry.details) : null,
  });
}

export const AUDIT_PAGE_SIZE = 50;

/** A page of entries, newest first, and how many there are in all (optionally of one action). */
export async function listAuditLog(
  db: Db,
  options: { page: number; action?: string },
): Promise<{ entries: AuditEntry[]; total: number }> {
  const { auditLog } = tablesOf(db);
  const where = options.action ? eq(auditLog.action, options.action) : undefined;
  const [entries, [totalRow]] = await Promise.all([
    db
      .select()
      .from(auditLog)
      .where(where)
      .orderBy(desc(auditLog.id))
      .limit(AUDIT_PAGE_SIZE)
      .offset((options.page - 1) * AUDIT_PAGE_SIZE),
    db.select({ n: count() }).from(auditLog).where(where),
  ]);
  return { entries, total: Number(totalRow?.n ?? 0) };
}
