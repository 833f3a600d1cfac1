/**
 * Invitation links (/register?invite=TOKEN): the owner and admins (invitation:create) make them,
 * each giving one role, used once, expiring. The token (192 random bits) is shown once, in the
 * link; only its SHA-256 is kept, so the table alone lets nobody in. signUp (src/auth/use-cases.ts)
 * claims one in the same transaction as it creates the account (claimInvitation): of two people
 * racing with one link, one gets in and the other is told the link has been used.
 */
import { createHash, randomBytes } from 'node:crypto';
import { and, desc, eq, gt, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import { fail, NotFound, succeed, type Caller, type Core, type FieldErrors, type Outcome } from '../core';
import type { Db } from '../db/client';
import { tablesOf } from '../db/engine';
import { idle, transaction } from '../db/transaction';
import { recordAudit } from '../audit/log';
import { tooLong } from '../lib/messages';
import { TextSchema } from '../lib/text';
import { actingRole, assignableRoles, isRole, requirePermission, roleOf, type Role } from '../roles/permissions';

export const INVITATION_DEFAULT_DAYS = 7;
export const INVITATION_MAX_DAYS = 30;
export const INVITATION_NOTE_MAX_LENGTH = 200;
const DAY_MS = 86_400_000;
/** 24 bytes: 192 random bits, 32 characters of base64url */
const TOKEN_BYTES = 24;
export const INVITATION_TOKEN = /^[A-Za-z0-9_-]{20,100}$/;

export type InvitationState = 'open' | 'used' | 'expired' | 'revoked';

export type Invitation = {
  id: number;
  role: Role;
  note: string | null;
  createdBy: string | null;
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
  usedBy: string | null;
  revokedAt: Date | null;
  state: InvitationState;
};

export const hashInvitationToken = (token: string): Buffer => createHash('sha256').update(token, 'utf8').digest();

/** What a link is link to: its state now (revoked and used before expired: they say more). */
export function invitationState(row: { usedAt: Date | null; revokedAt: Date | null; expiresAt: Date }, now: number): InvitationState {
  if (row.revokedAt) return 'revoked';
  if (row.usedAt) return 'used';
  if (row.expiresAt.getTime() <= now) return 'expired';
  return 'open';
}

/** What a person holding a link that cannot be used is told, by its state. */
export const INVITATION_REFUSALS: Record<Exclude<InvitationState, 'open'> | 'unknown', string> = {
  unknown: 'is not a valid invitation link: check that it was copied whole',
  used: 'has already been used: ask for a new invitation',
  expired: 'has expired: ask for a new invitation',
  revoked: 'was withdrawn: ask for a new invitation',
};

export const CreateInvitationSchema = z.object({
  role: z.string().refine(isRole, 'must be admin, moderator or author').optional(),
  days: z
    .number({ error: `must be a whole number of days from 1 to ${INVITATION_MAX_DAYS}` })
    .int(`must be a whole number of days from 1 to ${INVITATION_MAX_DAYS}`)
    .min(1, `must be a whole number of days from 1 to ${INVITATION_MAX_DAYS}`)
    .max(INVITATION_MAX_DAYS, `must be a whole number of days from 1 to ${INVITATION_MAX_DAYS}`)
    .optional(),
  note: TextSchema().trim().max(INVITATION_NOTE_MAX_LENGTH, tooLong(INVITATION_NOTE_MAX_LENGTH)).optional(),
});

export const INVITATION_FIELD_LABELS: Record<string, string> = { role: 'Role', days: 'Valid for', note: 'Note' };

function issuesOf(error: z.ZodError): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of error.issues) {
    const key = String(issue.path[0] ?? 'invitation');
    (errors[key] ??= []).includes(issue.message) || errors[key]!.push(issue.message);
  }
  return errors;
}

/**
 * The owner or an admin makes a link giving `role` (author unless said; only a role below their
 * own), valid `days` (7 unless said, at most 30). The token is in the answer, and nowhere else.
 */
export async function createInvitation(
  core: Core,
  caller: Caller,
  input: { role?: string; days?: number; note?: string },
): Promise<Outcome<{ invitation: Invitation; token: string; link: string }>> {
  requirePermission(caller, 'invitation:create');
  const parsed = CreateInvitationSchema.safeParse(input);
  if (!parsed.success) return fail(issuesOf(parsed.error));
  const role = (parsed.data.role ?? 'author') as Role;
  if (!assignableRoles(actingRole(caller)).includes(role)) {
    return fail({ role: [`cannot be ${role}: you can invite ${assignableRoles(actingRole(caller)).join(', ')}`] });
  }
  const token = randomBytes(TOKEN_BYTES).toString('base64url');
  const now = core.clock();
  const days = parsed.data.days ?? INVITATION_DEFAULT_DAYS;
  const note = parsed.data.note ? parsed.data.note : null;
  const id = await transaction(core.db, async (tx) => {
    const { invitations } = tablesOf(tx);
    const [row] = await tx
      .insert(invitations)
      .values({
        tokenHash: hashInvitationToken(token),
        role,
        note,
        createdById: caller.userId,
        createdAt: new Date(now),
        expiresAt: new Date(now + days * DAY_MS),
      })
      .returning({ id: invitations.id });
    await recordAudit(tx, caller, { action: 'invitation.create', target: { kind: 'invitation', id: row!.id, label: `invitation #${row!.id} (${role})` }, details: { role, days, note } }, now);
    return row!.id;
  });
  const invitation = (await findInvitation(core.db, id, now))!;
  return succeed({ invitation, token, link: invitationLink(core.env.PUBLIC_URL, token) });
}

export const invitationLink = (publicUrl: string, token: string) => `${publicUrl}/register?invite=${encodeURIComponent(token)}`;

function selectInvitations(db: Db) {
  const { invitations, users } = tablesOf(db);
  return db
    .select({
      id: invitations.id,
      role: invitations.role,
      note: invitations.note,
      // in the subquery "users" is its own: the creator, not the joined user of the link
      createdBy: sql<string | null>`(select ${users.username} from ${users} where ${users.id} = ${invitations.createdById})`,
      createdAt: invitations.createdAt,
      expiresAt: invitations.expiresAt,
      usedAt: invitations.usedAt,
      usedBy: users.username,
      revokedAt: invitations.revokedAt,
    })
    .from(invitations)
    .leftJoin(users, eq(users.id, invitations.usedById));
}

type InvitationRow = Omit<Invitation, 'state' | 'role'> & { role: string };
const withState = (row: InvitationRow, now: number): Invitation => ({ ...row, role: roleOf(row.role), state: invitationState(row, now) });

export async function findInvitation(db: Db, id: number, now: number): Promise<Invitation | null> {
  await idle(db);
  const { invitations } = tablesOf(db);
  const [row] = await selectInvitations(db).where(eq(invitations.id, id)).limit(1);
  return row ? withState(row, now) : null;
}

export const INVITATIONS_SHOWN = 100;

/** The newest invitations first, each with its state now. */
export async function listInvitations(core: Pick<Core, 'db' | 'clock'>, caller: Caller): Promise<Invitation[]> {
  requirePermission(caller, 'invitation:create');
  await idle(core.db);
  const { invitations } = tablesOf(core.db);
  const rows = await selectInvitations(core.db).orderBy(desc(invitations.id)).limit(INVITATIONS_SHOWN);
  const now = core.clock();
  return rows.map((row) => withState(row, now));
}

export const NO_SUCH_INVITATION = 'There is no such invitation.';

/** The owner or an admin withdraws a link not yet used: it then lets nobody in. */
export async function revokeInvitation(core: Core, caller: Caller, input: { id: string | number }): Promise<Outcome<Invitation>> {
  requirePermission(caller, 'invitation:create');
  const id = /^[1-9][0-9]{0,9}$/.test(String(input.id)) ? Number(input.id) : null;
  if (id === null) throw new NotFound('invitation', NO_SUCH_INVITATION);
  const now = core.clock();
  return transaction(core.db, async (tx) => {
    const invitation = await findInvitation(tx, id, now);
    if (!invitation) throw new NotFound('invitation', NO_SUCH_INVITATION);
    if (invitation.state === 'used') return fail({ invitation: ['has already been used: the account it made stays'] });
    if (invitation.state === 'revoked') return fail({ invitation: ['was already withdrawn'] });
    const { invitations } = tablesOf(tx);
    await tx.update(invitations).set({ revokedAt: new Date(now) }).where(eq(invitations.id, id));
    await recordAudit(tx, caller, { action: 'invitation.revoke', target: { kind: 'invitation', id, label: `invitation #${id} (${invitation.role})` } }, now);
    return succeed({ ...invitation, revokedAt: new Date(now), state: 'revoked' });
  });
}

/** The state of the link holding `token` (unknown: no such link), for the sign-up page. */
export async function checkInvitationToken(db: Db, token: string, now: number): Promise<{ state: InvitationState | 'unknown'; role: Role | null }> {
  if (!INVITATION_TOKEN.test(token)) return { state: 'unknown', role: null };
  await idle(db);
  const { invitations } = tablesOf(db);
  const [row] = await db
    .select({ role: invitations.role, usedAt: invitations.usedAt, revokedAt: invitations.revokedAt, expiresAt: invitations.expiresAt })
    .from(invitations)
    .where(eq(invitations.tokenHash, hashInvitationToken(token)))
    .limit(1);
  if (!row) return { state: 'unknown', role: null };
  return { state: invitationState(row, now), role: roleOf(row.role) };
}

/**
 * Inside signUp's transaction: marks the link used now, if it is open, and answers its id and role;
 * else why not. The UPDATE's own condition decides a race: on PostgreSQL the second transaction
 * waits for the first's row lock, then finds the link used and changes nothing.
 */
export async function claimInvitation(
  tx: Db,
  token: string,
  now: number,
): Promise<{ ok: true; id: number; role: Role } | { ok: false; message: string }> {
  const { invitations } = tablesOf(tx);
  if (INVITATION_TOKEN.test(token)) {
    const [claimed] = await tx
      .update(invitations)
      .set({ usedAt: new Date(now) })
      .where(
        and(
          eq(invitations.tokenHash, hashInvitationToken(token)),
          isNull(invitations.usedAt),
          isNull(invitations.revokedAt),
          gt(invitations.expiresAt, new Date(now)),
        ),
      )
      .returning({ id: invitations.id, role: invitations.role });
    if (claimed) return { ok: true, id: claimed.id, role: roleOf(claimed.role) };
  }
  const { state } = await checkInvitationToken(tx, token, now);
  return { ok: false, message: INVITATION_REFUSALS[state === 'open' ? 'used' : state] };
}

/** The link's account, once created (same transaction), and its audit entry. */
export async function recordInvitationUse(tx: Db, caller: Caller, invitation: { id: number; role: Role }, user: { id: number; username: string }, now: number) {
  const { invitations } = tablesOf(tx);
  await tx.update(invitations).set({ usedById: user.id }).where(eq(invitations.id, invitation.id));
  await recordAudit(
    tx,
    { ...caller, userId: user.id },
    { action: 'invitation.use', target: { kind: 'invitation', id: invitation.id, label: `invitation #${invitation.id} (${invitation.role})` }, details: { username: user.username, role: invitation.role } },
    now,
  );
}
