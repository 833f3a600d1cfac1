/**
 * Two-factor sign-in after Lucia's guide: enrol a TOTP key from settings (shown as a QR code and as
 * text; stored only once a code from it is typed), pass the second factor after the password
 * (a code or a single-use recovery code), turn it off, make new recovery codes. Every code and
 * every password typed here is throttled per account (Limits.reserveAccountCheck).
 */
import { recordAudit } from '../audit/log';
import { verifyPassword } from '../auth/password';
import { markSessionTwoFactorVerified } from '../auth/session';
import { fail, NotFound, succeed, type Caller, type Core, type FieldErrors, type Outcome } from '../core';
import type { Db } from '../db/client';
import type { User } from '../db/schema';
import { transaction } from '../db/transaction';
import { mailSiteOf } from '../mail/mail-site';
import { sendSecurityNotice } from '../mail/notices';
import { recordSecurityEvent } from '../security/audit';
import { findUserById } from '../users/queries';
import { signedInUser } from '../users/use-cases';
import * as queries from './queries';
import {
  formatTotpSecret,
  generateRecoveryCodes,
  generateTotpKey,
  hashRecoveryCode,
  looksLikeTotpCode,
  matchTotpCode,
  openTotpKey,
  sealTotpKey,
  totpQrCode,
  verifyTotpCode,
} from './totp';

/** how long a used period is remembered: past the grace window of the period after it */
const TOTP_USED_KEEP_MS = 2 * 60 * 1000;

export const CODE_REQUIRED = 'is required';
export const CODE_INVALID = 'is invalid';
export const ALREADY_ON = 'Two-factor sign-in is already on.';
export const NOT_ON = 'Two-factor sign-in is not on.';
export const SETUP_EXPIRED = 'has expired: show a new key and scan it again';
export const PASSWORD_OR_CODE = 'or a code from your app is needed';

async function requireAccount(db: Db, userId: number): Promise<User> {
  const user = await findUserById(db, userId);
  if (!user) throw new NotFound('user', 'That account no longer exists.');
  return user;
}

const target = (user: Pick<User, 'id' | 'username'>) => ({ kind: 'user' as const, id: user.id, label: user.username });

export type TwoFactorStatus = { enabled: boolean; enrolledAt: Date | null; recoveryCodesLeft: number };

export async function findTwoFactorStatus(core: Pick<Core, 'db'>, caller: Caller): Promise<TwoFactorStatus> {
  const userId = signedInUser(caller);
  const row = await queries.findTotpKey(core.db, userId);
  if (!row) throw new NotFound('user', 'That account no longer exists.');
  return { enabled: row.key !== null, enrolledAt: row.enrolledAt, recoveryCodesLeft: row.key ? await queries.countRecoveryCodesLeft(core.db, userId) : 0 };
}

export type TwoFactorSetup = { secret: string; qrSvg: string; uri: string };

/**
 * The key to enrol, shown as a QR code and as text: the one still waiting from a moment ago (a
 * reload shows the key already scanned), else a new one. It waits outside the users row until a
 * code from it is typed (enableTwoFactor).
 */
export async function beginTwoFactorSetup(
  core: Core,
  caller: Caller,
  options: { create: boolean } = { create: true },
): Promise<Outcome<TwoFactorSetup | null>> {
  const user = await requireAccount(core.db, signedInUser(caller));
  if (user.totpKey !== null) return fail({ form: [ALREADY_ON] });
  const now = core.clock();
  const pending = await queries.findPendingSetup(core.db, user.id, now);
  let key = pending ? openTotpKey(core.env, user.id, pending.sealed) : null;
  // a refused form shows the key again but never makes one: a refusal writes nothing
  if (!key && !options.create) return succeed(null);
  if (!key) {
    key = generateTotpKey();
    await queries.savePendingSetup(core.db, user.id, sealTotpKey(core.env, user.id, key), now);
  }
  const { title } = (await core.reads.site()).settings;
  const { uri, svg } = totpQrCode(title, user.username, key);
  return succeed({ secret: formatTotpSecret(key), qrSvg: svg, uri });
}

/**
 * Checks a code typed for the account's second factor: a TOTP code (six digits) or an unused
 * recovery code, which is then used (in `db`, the caller's transaction if any). Throttled per
 * account. The recovery codes left are answered when one was used.
 */
async function checkCode(
  core: Core,
  caller: Caller,
  user: User,
  code: string,
): Promise<{ ok: true; usedRecoveryCode: boolean } | { ok: false }> {
  const attempt = await core.limits.reserveAccountCheck(user.id, core.clock(), caller.requestId ?? undefined);
  let ok = false;
  let usedRecoveryCode = false;
  if (user.totpKey !== null && looksLikeTotpCode(code)) {
    const key = openTotpKey(core.env, user.id, user.totpKey);
    const counter = key === null ? null : matchTotpCode(key, code);
    // each period's code counts once: a code already used (seen over a shoulder, replayed) is refused
    ok = counter !== null && (await queries.spendTotpPeriod(core.db, user.id, counter, core.clock(), TOTP_USED_KEEP_MS));
  } else if (user.totpKey !== null && code.trim() !== '') {
    ok = usedRecoveryCode = await transaction(core.db, (tx) => queries.useRecoveryCode(tx, user.id, hashRecoveryCode(code), core.clock()));
  }
  if (!ok) {
    recordSecurityEvent(core.log, caller, 'two-factor.failure', { userId: user.id });
    return { ok: false };
  }
  await attempt.succeeded();
  return { ok: true, usedRecoveryCode };
}

/** A password typed to confirm an act on one's own account, throttled as codes are. */
async function checkPassword(core: Core, caller: Caller, user: User, password: string): Promise<boolean> {
  const attempt = await core.limits.reserveAccountCheck(user.id, core.clock(), caller.requestId ?? undefined);
  if (!(await verifyPassword(user.passwordHash, password))) return false;
  await attempt.succeeded();
  return true;
}

/**
 * The second factor at sign-in: a code (TOTP or recovery) for the account, for a sign-in through
 * the API (src/auth/use-cases.ts signIn) or the two-factor page. Answers how many recovery codes
 * are left when one was used.
 */
export async function verifySecondFactor(
  core: Core,
  caller: Caller,
  user: User,
  code: string | undefined,
): Promise<Outcome<{ recoveryCodesLeft: number | null }>> {
  if (code === undefined || code.trim() === '') return fail({ code: [CODE_REQUIRED] });
  const checked = await checkCode(core, caller, user, code);
  if (!checked.ok) return fail({ code: [CODE_INVALID] });
  recordSecurityEvent(core.log, caller, 'two-factor.success', { userId: user.id, recoveryCode: checked.usedRecoveryCode });
  return succeed({ recoveryCodesLeft: checked.usedRecoveryCode ? await queries.countRecoveryCodesLeft(core.db, user.id) : null });
}

/**
 * /login/two-factor: the session that passed the password passes the second factor too, and is
 * from now on signed in. `userId` and `sessionId` are the pending session's (src/auth/middleware.ts).
 */
export async function passSecondFactor(
  core: Core,
  caller: Caller,
  input: { userId: number; sessionId: string; code: string },
): Promise<Outcome<{ user: User; recoveryCodesLeft: number | null }>> {
  const user = await requireAccount(core.db, input.userId);
  const outcome = await verifySecondFactor(core, caller, user, input.code);
  if (!outcome.ok) return outcome;
  await markSessionTwoFactorVerified(core.db, input.sessionId, core.clock());
  return succeed({ user, ...outcome.value });
}

/**
 * Turns the second factor on: the code typed must come from the key being set up. In one
 * transaction the key reaches the users row (sealed), this session counts as having passed it,
 * ten recovery codes replace any old ones, the audit entry and the security notice are written.
 * The codes are answered once, to be shown once. Other sessions of the account must now pass the
 * second factor too (they have not).
 */
export async function enableTwoFactor(
  core: Core,
  caller: Caller,
  input: { code: string; sessionId: string | null },
): Promise<Outcome<{ recoveryCodes: string[] }>> {
  const { db, clock } = core;
  const user = await requireAccount(db, signedInUser(caller));
  if (user.totpKey !== null) return fail({ form: [ALREADY_ON] });
  const pending = await queries.findPendingSetup(db, user.id, clock());
  const key = pending ? openTotpKey(core.env, user.id, pending.sealed) : null;
  if (!pending || !key) return fail({ code: [SETUP_EXPIRED] });
  const attempt = await core.limits.reserveAccountCheck(user.id, clock(), caller.requestId ?? undefined);
  if (!verifyTotpCode(key, input.code)) return fail({ code: [CODE_INVALID] });
  await attempt.succeeded();
  const recoveryCodes = generateRecoveryCodes();
  // the notice's sender and links, read before the transaction (src/mail/mail-site.ts)
  const site = await mailSiteOf(core);
  const now = clock();
  const outcome = await transaction(db, async (tx): Promise<Outcome<null>> => {
    // taken once: of two confirmations racing, the second finds nothing to enrol
    if (!(await queries.takePendingSetup(tx, pending.id))) return fail({ code: [SETUP_EXPIRED] });
    const current = await requireAccount(tx, user.id);
    if (current.totpKey !== null) return fail({ form: [ALREADY_ON] });
    await queries.setTotpKey(tx, user.id, sealTotpKey(core.env, user.id, key), now);
    if (input.sessionId) await markSessionTwoFactorVerified(tx, input.sessionId, now);
    await queries.replaceRecoveryCodes(tx, user.id, recoveryCodes.map(hashRecoveryCode), now);
    await recordAudit(tx, caller, { action: 'two-factor.add', target: target(user) }, now);
    await sendSecurityNotice(tx, user, 'two-factor-added', now, user.email, { site, caller });
    return succeed(null);
  });
  if (!outcome.ok) return outcome;
  recordSecurityEvent(core.log, caller, 'two-factor.enabled');
  return succeed({ recoveryCodes });
}

/** The password or a current code (TOTP or recovery), as the forms that change the second factor ask. */
async function confirmPasswordOrCode(
  core: Core,
  caller: Caller,
  user: User,
  input: { password?: string; code?: string },
): Promise<FieldErrors | null> {
  if (input.code && input.code.trim() !== '') {
    return (await checkCode(core, caller, user, input.code)).ok ? null : { code: [CODE_INVALID] };
  }
  if (input.password) return (await checkPassword(core, caller, user, input.password)) ? null : { password: ['is not correct'] };
  return { password: [PASSWORD_OR_CODE] };
}

/** Turns the second factor off (the password or a current code): the key and recovery codes go. */
export async function disableTwoFactor(core: Core, caller: Caller, input: { password?: string; code?: string }): Promise<Outcome<null>> {
  const user = await requireAccount(core.db, signedInUser(caller));
  if (user.totpKey === null) return fail({ form: [NOT_ON] });
  const refused = await confirmPasswordOrCode(core, caller, user, input);
  if (refused) return fail(refused);
  const site = await mailSiteOf(core);
  const now = core.clock();
  await transaction(core.db, async (tx) => {
    await queries.setTotpKey(tx, user.id, null, now);
    await queries.replaceRecoveryCodes(tx, user.id, [], now);
    await recordAudit(tx, caller, { action: 'two-factor.remove', target: target(user) }, now);
    await sendSecurityNotice(tx, user, 'two-factor-removed', now, user.email, { site, caller });
  });
  recordSecurityEvent(core.log, caller, 'two-factor.disabled');
  return succeed(null);
}

/** Ten new recovery codes in place of the old ones (the password or a current code), shown once. */
export async function regenerateRecoveryCodes(
  core: Core,
  caller: Caller,
  input: { password?: string; code?: string },
): Promise<Outcome<{ recoveryCodes: string[] }>> {
  const user = await requireAccount(core.db, signedInUser(caller));
  if (user.totpKey === null) return fail({ form: [NOT_ON] });
  const refused = await confirmPasswordOrCode(core, caller, user, input);
  if (refused) return fail(refused);
  const recoveryCodes = generateRecoveryCodes();
  const site = await mailSiteOf(core);
  const now = core.clock();
  await transaction(core.db, async (tx) => {
    await queries.replaceRecoveryCodes(tx, user.id, recoveryCodes.map(hashRecoveryCode), now);
    await sendSecurityNotice(tx, user, 'recovery-codes-regenerated', now, user.email, { site, caller });
  });
  recordSecurityEvent(core.log, caller, 'recovery-codes.regenerated');
  return succeed({ recoveryCodes });
}

/**
 * What deleting one's own account asks (src/your-data/): the password, and a current code when a
 * second factor is on. Throttled per account.
 */
export async function confirmPasswordAndCode(
  core: Core,
  caller: Caller,
  user: User,
  input: { password: string; code?: string },
): Promise<FieldErrors | null> {
  if (!input.password) return { password: ['is needed'] };
  if (!(await checkPassword(core, caller, user, input.password))) return { password: ['is not correct'] };
  if (user.totpKey === null) return null;
  if (!input.code || input.code.trim() === '') return { code: [CODE_REQUIRED] };
  return (await checkCode(core, caller, user, input.code)).ok ? null : { code: [CODE_INVALID] };
}
